import { makeMessage } from '@textport/core/testing';
import { describe, expect, it } from 'vitest';
import { PushedLog } from '../src/server/pushed.js';

const message = (sendAttemptCount: number) => makeMessage({ sendAttemptCount });

describe('the messages a socket holds', () => {
  it('passes each message once while its ack is unanswered, whatever the attempt', () => {
    const log = new PushedLog();
    const a = message(1);
    const b = message(1);
    expect(log.take([a, b], 0).map((m) => m.id)).toEqual([a.id, b.id]);
    expect(log.take([a, b], 0)).toEqual([]);
    // A retry after expiry: the phone's pending ack takes it, so no second frame.
    expect(log.take([{ ...a, sendAttemptCount: 2 }], 0)).toEqual([]);
  });

  it('passes a message again once its ack was answered', () => {
    const log = new PushedLog();
    const a = message(1);
    log.take([a], 0);
    log.forget(a.id);
    const retry = { ...a, sendAttemptCount: 2 };
    expect(log.take([retry], 0)).toEqual([retry]);
  });

  it('forgets the oldest messages beyond its capacity', () => {
    const log = new PushedLog(2);
    const [a, b, c] = [message(1), message(1), message(1)];
    log.take([a, b, c], 0);
    expect(log.size).toBe(2);
    expect(log.take([b, c], 0)).toEqual([]);
    expect(log.take([a], 0)).toEqual([a]);
  });

  it('awaits the acks of recent pushes only, and still holds the older ones', () => {
    const log = new PushedLog();
    const [a, b, c] = [message(1), message(1), message(1)];
    log.take([a, b], 1_000);
    log.take([c], 5_000);
    expect(log.awaited(0)).toBe(3);
    // A push older than the wait is no longer awaited: the phone may never ack it.
    expect(log.awaited(2_000)).toBe(1);
    expect(log.size).toBe(3);
    expect(log.take([a, b, c], 6_000)).toEqual([]);
    // An answered ack clears a message awaited or not.
    log.forget(a.id);
    log.forget(c.id);
    expect(log.awaited(2_000)).toBe(0);
    expect(log.size).toBe(1);
    expect(log.take([a], 7_000)).toEqual([a]);
    expect(log.awaited(2_000)).toBe(1);
  });

  it('forgets messages no longer awaited first when full', () => {
    const log = new PushedLog(2);
    const [a, b, c] = [message(1), message(1), message(1)];
    log.take([a], 0);
    log.take([b], 10);
    expect(log.awaited(5)).toBe(1);
    log.take([c], 20);
    expect(log.size).toBe(2);
    expect(log.awaited(5)).toBe(2);
    expect(log.take([a], 30)).toEqual([a]);
  });
});
