/**
 * Timestamps from phones (events, received SMS, missed calls) and sends: only
 * instants the formatter and both stores can hold are accepted (RFC 3339 years
 * 0000–9999 once the offset is applied, whole milliseconds); anything else is a
 * 422 naming the field, never a 500, and nothing is stored.
 */
import { describe, expect, it } from 'vitest';
import { httpSetup, OWNER } from './helpers.js';

/** What the wire carries (HTTP: strings; WebSocket frames: strings or numbers). */
const OUT_OF_RANGE_TEXT = ['9999-12-31T23:59:59-23:59', '0000-01-01T00:00:00+00:01'];
const OUT_OF_RANGE_MS = [1e15, -1e15, 253_402_300_800_000, Number.MAX_SAFE_INTEGER, Number.NaN];

async function phoneSetup() {
  const t = await httpSetup();
  const { apiKey } = await t.gateway.accounts.createPhoneKey(t.account.id, { name: 'phone' });
  const login = await t.call('PUT', '/v1/phones/fcm-token', {
    key: apiKey,
    body: { phone_number: OWNER, fcm_token: 'token' },
  });
  expect(login.status).toBe(200);
  return { ...t, phoneKey: apiKey };
}

describe('timestamps the stores and the formatter cannot hold', () => {
  it.each(OUT_OF_RANGE_TEXT)(
    '422 for %j on receive and missed call, nothing stored',
    async (ts) => {
      const t = await phoneSetup();
      const receive = await t.call('POST', '/v1/messages/receive', {
        key: t.phoneKey,
        body: { from: '+18005550100', to: OWNER, content: 'hi', sim: 'SIM1', timestamp: ts },
      });
      expect(receive.status, receive.text).toBe(422);
      expect(Object.keys(receive.json.data)).toEqual(['timestamp']);
      const missed = await t.call('POST', '/v1/messages/calls/missed', {
        key: t.phoneKey,
        body: { from: '+18005550100', to: OWNER, sim: 'SIM1', timestamp: ts },
      });
      expect(missed.status, missed.text).toBe(422);
      expect(Object.keys(missed.json.data)).toEqual(['timestamp']);
      expect(await t.raw.countMessages(t.account.id)).toBe(0);
    },
  );

  it.each(OUT_OF_RANGE_TEXT)('422 for %j on a phone event, the message unchanged', async (ts) => {
    const t = await phoneSetup();
    const sent = await t.gateway.messages.send(t.account.id, {
      from: OWNER,
      to: '+18005550100',
      content: 'hello',
    });
    const principal = await t.gateway.accounts.authenticate(t.phoneKey);
    if (!principal) throw new Error('the phone key does not authenticate');
    await t.gateway.phoneApi.takeOutstanding(principal, sent.id);
    const event = await t.call('POST', `/v1/messages/${sent.id}/events`, {
      key: t.phoneKey,
      body: { event_name: 'SENT', timestamp: ts },
    });
    expect(event.status, event.text).toBe(422);
    expect(Object.keys(event.json.data)).toEqual(['timestamp']);
    expect((await t.gateway.messages.get(t.account.id, sent.id)).status).toBe('sending');
  });

  it.each(OUT_OF_RANGE_MS)(
    'a validation error for %d ms on every phone call (the WebSocket path)',
    async (ts) => {
      const t = await phoneSetup();
      const principal = await t.gateway.accounts.authenticate(t.phoneKey);
      if (!principal) throw new Error('the phone key does not authenticate');
      const sent = await t.gateway.messages.send(t.account.id, {
        from: OWNER,
        to: '+18005550100',
        content: 'hello',
      });
      await t.gateway.phoneApi.takeOutstanding(principal, sent.id);
      const calls = [
        t.gateway.phoneApi.receive(principal, {
          from: '+18005550100',
          to: OWNER,
          content: 'hi',
          timestamp: ts,
        }),
        t.gateway.phoneApi.missedCall(principal, {
          from: '+18005550100',
          to: OWNER,
          timestamp: ts,
        }),
        t.gateway.phoneApi.reportEvent(principal, sent.id, { event: 'SENT', timestamp: ts }),
      ];
      for (const call of calls) {
        const error = await call.then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toMatchObject({
          code: 'validation',
          fields: { timestamp: [expect.any(String)] },
        });
      }
      expect(await t.raw.countMessages(t.account.id)).toBe(1);
      expect((await t.gateway.messages.get(t.account.id, sent.id)).status).toBe('sending');
    },
  );

  it('keeps the edges of the range: 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z', async () => {
    const t = await phoneSetup();
    for (const ts of ['0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z']) {
      const receive = await t.call('POST', '/v1/messages/receive', {
        key: t.phoneKey,
        body: { from: '+18005550100', to: OWNER, content: 'hi', sim: 'SIM1', timestamp: ts },
      });
      expect(receive.status, receive.text).toBe(200);
      expect(receive.json.data.received_at).toBe(ts);
    }
  });

  it('drops fractions of a millisecond, from numbers as from the digits of a string', async () => {
    const t = await phoneSetup();
    const principal = await t.gateway.accounts.authenticate(t.phoneKey);
    if (!principal) throw new Error('the phone key does not authenticate');
    const base = Date.UTC(2026, 10, 24, 11, 0, 0, 123);
    const fromNumber = await t.gateway.phoneApi.receive(principal, {
      from: '+18005550100',
      to: OWNER,
      content: 'number',
      timestamp: base + 0.9,
    });
    const fromString = await t.gateway.phoneApi.receive(principal, {
      from: '+18005550100',
      to: OWNER,
      content: 'string',
      timestamp: '2026-11-24T11:00:00.1239Z',
    });
    const missed = await t.gateway.phoneApi.missedCall(principal, {
      from: '+18005550100',
      to: OWNER,
      timestamp: base + 0.5,
    });
    expect(fromNumber.receivedAt).toBe(base);
    expect(fromString.receivedAt).toBe(base);
    expect(missed.orderTimestamp).toBe(base);
    for (const m of [fromNumber, fromString, missed]) {
      expect((await t.raw.message(m.id))?.orderTimestamp).toBe(base);
    }
  });

  it('422 for an out-of-range send_at', async () => {
    const t = await httpSetup();
    const send = await t.call('POST', '/v1/messages/send', {
      body: {
        from: OWNER,
        to: '+18005550100',
        content: 'later',
        send_at: '0000-01-01T00:00:00+00:01',
      },
    });
    expect(send.status, send.text).toBe(422);
    expect(Object.keys(send.json.data)).toEqual(['send_at']);
  });
});
