/**
 * The messages pushed on one socket whose ack the phone has not had answered. A
 * frame written to an open socket reaches the phone or the socket dies with it,
 * so while a message is listed the phone holds it: its ack, when handled, takes
 * the message whatever attempt it is on by then. Such a message is not pushed
 * again on the socket: not by a resume (what the dispatcher pushed since the
 * phone connected), nor by a hand-off (what a resume pushed, or a retry after
 * the message expired while its ack waited in the phone's queue). An answered
 * ack, taken or refused, clears it, so a later attempt is pushed as usual.
 *
 * The log also tells how many acks the socket still awaits, for flow control
 * (`maxUnackedMessages`): pushes older than the wait given are no longer awaited
 * (a phone that dedupes by id does not ack a message it already took), though
 * they stay listed. Bounded: past `capacity` the oldest entries are forgotten (at
 * worst a duplicate push, which phones dedupe by id).
 */
import type { MessageRecord } from '@textport/core';

export const PUSHED_CAPACITY = 10_000;
/**
 * How long a push's ack is awaited for flow control: a phone that dedupes by id
 * never acks a message it already took, so such a push must not hold its socket full.
 */
export const ACK_WAIT_MS = 30_000;

export class PushedLog {
  /** Awaited acks: message id → when it was pushed, in push order. */
  private readonly awaiting = new Map<string, number>();
  /** Pushed longer ago than the wait: still held, no longer awaited. */
  private readonly outwaited = new Set<string>();

  constructor(readonly capacity = PUSHED_CAPACITY) {}

  /** The messages the phone does not hold from this socket; they are noted as pushed at `now`. */
  take(messages: readonly MessageRecord[], now: number): MessageRecord[] {
    const fresh: MessageRecord[] = [];
    for (const m of messages) {
      if (this.awaiting.has(m.id) || this.outwaited.has(m.id)) continue;
      fresh.push(m);
      this.awaiting.set(m.id, now);
    }
    while (this.size > this.capacity) {
      const oldest = this.outwaited.values().next();
      if (!oldest.done) this.outwaited.delete(oldest.value);
      else {
        const first = this.awaiting.keys().next();
        if (first.done) break;
        this.awaiting.delete(first.value);
      }
    }
    return fresh;
  }

  /** The phone's ack of the message was answered (taken or refused). */
  forget(messageId: string): void {
    if (!this.awaiting.delete(messageId)) this.outwaited.delete(messageId);
  }

  /** How many acks are awaited at `now`: of the pushes made within `ACK_WAIT_MS`. */
  awaitedAt(now: number): number {
    return this.awaited(now - ACK_WAIT_MS);
  }

  /** How many acks are awaited of the pushes made at or after `since` (older ones stop being awaited). */
  awaited(since: number): number {
    for (const [id, at] of this.awaiting) {
      if (at >= since) break;
      this.awaiting.delete(id);
      this.outwaited.add(id);
    }
    return this.awaiting.size;
  }

  get size(): number {
    return this.awaiting.size + this.outwaited.size;
  }
}
