/**
 * What one socket was pushed and has not acked yet: message id → attempt. A frame
 * written to an open socket reaches the phone or the socket dies with it, so the
 * same attempt is never pushed twice on one socket: a resume skips what the
 * dispatcher pushed since the phone connected, and `notify` what a resume pushed.
 * Bounded: past `capacity` the oldest entries are forgotten (at worst a duplicate
 * push, which phones dedupe by id).
 */
import type { MessageRecord } from '@textport/core';

export const PUSHED_CAPACITY = 10_000;

export class PushedLog {
  private readonly attempts = new Map<string, number>();

  constructor(readonly capacity = PUSHED_CAPACITY) {}

  /** The messages not yet pushed on this socket for their current attempt; they are noted as pushed. */
  take(messages: readonly MessageRecord[]): MessageRecord[] {
    const fresh: MessageRecord[] = [];
    for (const m of messages) {
      if (this.attempts.get(m.id) === m.sendAttemptCount) continue;
      fresh.push(m);
      this.attempts.delete(m.id);
      this.attempts.set(m.id, m.sendAttemptCount);
    }
    while (this.attempts.size > this.capacity) {
      const oldest = this.attempts.keys().next();
      if (oldest.done) break;
      this.attempts.delete(oldest.value);
    }
    return fresh;
  }

  /** The phone took the message (acked): a later attempt is pushed as usual. */
  forget(messageId: string): void {
    this.attempts.delete(messageId);
  }

  get size(): number {
    return this.attempts.size;
  }
}
