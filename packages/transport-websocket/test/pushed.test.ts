import { makeMessage } from '@textport/core/testing';
import { describe, expect, it } from 'vitest';
import { PushedLog } from '../src/server/pushed.js';

const message = (sendAttemptCount: number) => makeMessage({ sendAttemptCount });

describe('the messages a socket holds', () => {
  it('passes each message once while its ack is unanswered, whatever the attempt', () => {
    const log = new PushedLog();
    const a = message(1);
    const b = message(1);
    expect(log.take([a, b]).map((m) => m.id)).toEqual([a.id, b.id]);
    expect(log.take([a, b])).toEqual([]);
    // A retry after expiry: the phone's pending ack takes it, so no second frame.
    expect(log.take([{ ...a, sendAttemptCount: 2 }])).toEqual([]);
  });

  it('passes a message again once its ack was answered', () => {
    const log = new PushedLog();
    const a = message(1);
    log.take([a]);
    log.forget(a.id);
    const retry = { ...a, sendAttemptCount: 2 };
    expect(log.take([retry])).toEqual([retry]);
  });

  it('forgets the oldest messages beyond its capacity', () => {
    const log = new PushedLog(2);
    const [a, b, c] = [message(1), message(1), message(1)];
    log.take([a, b, c]);
    expect(log.size).toBe(2);
    expect(log.take([b, c])).toEqual([]);
    expect(log.take([a])).toEqual([a]);
  });
});
