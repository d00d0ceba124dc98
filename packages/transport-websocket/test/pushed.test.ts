import { makeMessage } from '@textport/core/testing';
import { describe, expect, it } from 'vitest';
import { PushedLog } from '../src/server/pushed.js';

const message = (sendAttemptCount: number) => makeMessage({ sendAttemptCount });

describe('the attempts pushed on one socket', () => {
  it('passes each attempt once, and a later attempt of the same message again', () => {
    const log = new PushedLog();
    const a = message(1);
    const b = message(1);
    expect(log.take([a, b]).map((m) => m.id)).toEqual([a.id, b.id]);
    expect(log.take([a, b])).toEqual([]);
    const retry = { ...a, sendAttemptCount: 2 };
    expect(log.take([retry, b])).toEqual([retry]);
    expect(log.take([retry])).toEqual([]);
  });

  it('passes a message again once the phone acked it', () => {
    const log = new PushedLog();
    const a = message(1);
    log.take([a]);
    log.forget(a.id);
    expect(log.take([a])).toEqual([a]);
  });

  it('forgets the oldest attempts beyond its capacity', () => {
    const log = new PushedLog(2);
    const [a, b, c] = [message(1), message(1), message(1)];
    log.take([a, b, c]);
    expect(log.size).toBe(2);
    expect(log.take([b, c])).toEqual([]);
    expect(log.take([a])).toEqual([a]);
  });
});
