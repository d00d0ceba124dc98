/**
 * An incoming message or missed call marks its thread unread when the thread was last read
 * before the event reached the server (httpSMS compares with the event's time), whatever
 * timestamp the phone gives: a message uploaded late still shows as new.
 */
import { FakeTransport } from '@textport/core';
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

describe('a message sent for later', () => {
  it('joins its thread when it is due, not when it is accepted (as httpSMS)', async () => {
    const t = await httpSetup({}, { transports: [new FakeTransport()] });
    const threads = () =>
      t.call('GET', '/v1/message-threads', { query: { owner: OWNER } }).then((r) => r.json.data);
    const sendAt = minutes(60);
    const sent = await t.call('POST', '/v1/messages/send', {
      body: { from: OWNER, to: CONTACT, content: 'in an hour', send_at: iso(sendAt) },
    });
    expect(sent.status).toBe(200);
    expect(await threads()).toEqual([]);
    // Its conversation shows it at once.
    const listed = await t.call('GET', '/v1/messages', {
      query: { owner: OWNER, contact: CONTACT },
    });
    expect(listed.json.data.map((m: { id: string }) => m.id)).toEqual([sent.json.data.id]);
    t.clock.set(sendAt);
    await t.gateway.dispatcher.runOnce();
    expect(await threads()).toMatchObject([
      { last_message_id: sent.json.data.id, last_message_content: 'in an hour' },
    ]);
  });

  it('a message to send now joins its thread at once', async () => {
    const t = await httpSetup();
    const sent = await t.call('POST', '/v1/messages/send', {
      body: { from: OWNER, to: CONTACT, content: 'now', send_at: iso(T0 - 60_000) },
    });
    const threads = await t.call('GET', '/v1/message-threads', { query: { owner: OWNER } });
    expect(threads.json.data).toMatchObject([
      { last_message_id: sent.json.data.id, status: 'pending' },
    ]);
  });
});
