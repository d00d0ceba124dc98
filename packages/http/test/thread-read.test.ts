/**
 * An incoming message or missed call marks its thread unread when the thread was last read
 * before the event reached the server (httpSMS compares with the event's time), whatever
 * timestamp the phone gives: a message uploaded late still shows as new.
 */
import { describe, expect, it } from 'vitest';
import { CONTACT, httpSetup, OWNER } from './helpers.js';

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const minutes = (n: number) => T0 + n * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('marking a thread unread', () => {
  it.each([
    ['an incoming message', '/v1/messages/receive', { content: 'late' }],
    ['a missed call', '/v1/messages/calls/missed', {}],
  ])('%s the phone reports late marks a read thread unread', async (_, path, extra) => {
    const t = await httpSetup();
    const arrive = (at: number) =>
      t.call('POST', path, {
        body: { from: CONTACT, to: OWNER, sim: 'SIM1', timestamp: iso(at), ...extra },
      });
    expect((await arrive(T0)).status).toBe(200);
    const threads = () =>
      t.call('GET', '/v1/message-threads', { query: { owner: OWNER } }).then((r) => r.json.data);
    const [thread] = await threads();
    t.clock.set(minutes(10));
    const read = await t.call('PUT', `/v1/message-threads/${thread.id}`, {
      body: { is_read: true },
    });
    expect(read.json.data.is_read).toBe(true);
    t.clock.set(minutes(11));
    expect((await arrive(minutes(5))).status).toBe(200);
    expect((await threads())[0].is_read).toBe(false);
  });
});
