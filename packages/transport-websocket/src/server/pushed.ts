/**
 * The messages pushed on one socket whose ack the phone has not had answered. A
 * frame written to an open socket reaches the phone or the socket dies with it,
 * so while a message is listed the phone holds it: its ack, when handled, takes
 * the message whatever attempt it is on by then. Such a message is not pushed
 * again on the socket: not by a resume (what the dispatcher pushed since the
 * phone connected), nor by a hand-off (what a resume pushed, or a retry after
 * the message expired while its ack waited in the phone's queue). An answered
 * ack, taken or refused, clears it, so a later attempt is pushed as usual.
 * Bounded: past `capacity` the oldest entries are forgotten (at worst a duplicate
 * push, which phones dedupe by id).
 */
import type { MessageRecord } from '@textport/core';

export const PUSHED_CAPACITY = 10_000;

export class PushedLog {
  private readonly ids = new Set<string>();

  constructor(readonly capacity = PUSHED_CAPACITY) {}

  /** The messages the phone does not hold from this socket; they are noted as pushed. */
  take(messages: readonly MessageRecord[]): MessageRecord[] {
    const fresh: MessageRecord[] = [];
    for (const m of messages) {
      if (this.ids.has(m.id)) continue;
      fresh.push(m);
      this.ids.add(m.id);
    }
    while (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next();
      if (oldest.done) break;
      this.ids.delete(oldest.value);
    }
    return fresh;
  }

  /** The phone's ack of the message was answered (taken or refused). */
  forget(messageId: string): void {
    this.ids.delete(messageId);
  }

  get size(): number {
    return this.ids.size;
  }
}
