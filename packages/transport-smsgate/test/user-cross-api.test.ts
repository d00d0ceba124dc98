/**
 * One textport, two APIs: what the SMSGate user API accepts, the httpSMS API
 * reads (and the other way round), and an SMSGate message's state follows its
 * textport messages by the phone's aggregation rule (§6.2).
 */
import { createNodeHandler } from '@textport/http';
import { afterEach, describe, expect, it } from 'vitest';
import { DEVICE_ID, OWNER, START, userSetup } from './user-helpers.js';

type Setup = Awaited<ReturnType<typeof userSetup>>;
let t: Setup | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function start() {
  t = await userSetup({ fallback: (gateway) => createNodeHandler(gateway) });
  return t;
}

/** An httpSMS API call with the account's API key. */
async function httpsms(s: Setup, method: string, path: string, body?: unknown) {
  const res = await fetch(`${s.origin}${path}`, {
    method,
    headers: { 'x-api-key': s.apiKey, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: test access to arbitrary JSON
  return { status: res.status, json: (text === '' ? undefined : JSON.parse(text)) as any };
}

const A = '+18005550100';
const B = '+18005550101';
const C = '+18005550102';

describe('SMSGate user API and httpSMS API on one gateway', () => {
  it('a message accepted through SMSGate is readable through the httpSMS API', async () => {
    const s = await start();
    const sent = await s.call('POST', '/messages', {
      body: { id: 'batch-1', textMessage: { text: 'Hello both' }, phoneNumbers: [A, B] },
    });
    expect(sent.status).toBe(202);
    expect(sent.headers.get('location')).toBe('/smsgate/3rdparty/v1/messages/batch-1');
    const group = await s.smsgate.getGroup(s.account.id, 'batch-1');
    expect(group?.messageIds).toHaveLength(2);
    for (const [i, id] of (group?.messageIds ?? []).entries()) {
      const read = await httpsms(s, 'GET', `/v1/messages/${id}`);
      expect(read.status).toBe(200);
      expect(read.json.data).toMatchObject({
        id,
        owner: OWNER,
        contact: [A, B][i],
        content: 'Hello both',
        request_id: 'batch-1',
        status: 'pending',
      });
    }
  });

  it('a message sent through the httpSMS API is readable and cancelable through SMSGate', async () => {
    const s = await start();
    const sent = await httpsms(s, 'POST', '/v1/messages/send', {
      from: OWNER,
      to: A,
      content: 'via httpSMS',
    });
    expect(sent.status).toBe(200);
    const id: string = sent.json.data.id;
    const read = await s.call('GET', `/messages/${id}`);
    expect(read.status).toBe(200);
    expect(read.json).toEqual({
      id,
      deviceId: DEVICE_ID,
      state: 'Pending',
      isHashed: false,
      isEncrypted: false,
      recipients: [{ phoneNumber: A, state: 'Pending' }],
      states: { Pending: new Date(START).toISOString() },
      textMessage: { text: 'via httpSMS' },
    });
    // Only SMSGate messages are listed.
    expect((await s.call('GET', '/messages')).headers.get('x-total-count')).toBe('0');
    const canceled = await s.call('DELETE', `/message/${id}`);
    expect(canceled.json.state).toBe('Cancelled');
    expect((await httpsms(s, 'GET', `/v1/messages/${id}`)).json.data.status).toBe('canceled');
    // The transport tells the device of each canceled message, by the id the app knows
    // (app.test.ts); the user API does not tell it again.
    expect(s.told).toEqual([]);
  });

  it('a group whose textport messages were deleted through the httpSMS API is gone', async () => {
    const s = await start();
    await s.call('POST', '/messages', { body: { id: 'g', message: 'x', phoneNumbers: [A, B] } });
    const [first, second] = (await s.smsgate.getGroup(s.account.id, 'g'))?.messageIds ?? [];
    expect((await httpsms(s, 'DELETE', `/v1/messages/${first}`)).status).toBe(204);
    const left = await s.call('GET', '/messages/g');
    expect(left.json.recipients).toEqual([{ phoneNumber: B, state: 'Pending' }]);
    await httpsms(s, 'DELETE', `/v1/messages/${second}`);
    expect((await s.call('GET', '/messages/g')).status).toBe(404);
  });

  it('a textport message from a number no device sends for has no device; incoming ones are not messages here', async () => {
    const s = await start();
    await s.gateway.phones.upsert(s.account.id, { phoneNumber: '+18005550177' });
    const lone = await s.gateway.messages.send(s.account.id, {
      from: '+18005550177',
      to: A,
      content: 'x',
    });
    expect((await s.call('GET', `/messages/${lone.id}`)).json.deviceId).toBe('');
    const incoming = await s.gateway.phoneApi.receive(s.phone, {
      from: A,
      to: OWNER,
      content: 'hi',
    });
    expect(await s.call('GET', `/messages/${incoming.id}`)).toMatchObject({
      status: 404,
      json: { message: 'message not found' },
    });
  });

  it('aggregates recipient states as textport statuses move (§6.2)', async () => {
    const s = await start();
    const sent = await s.call('POST', '/messages', {
      body: { message: 'three', phoneNumbers: [A, B, C] },
    });
    const id: string = sent.json.id;
    const [ma, mb, mc] = (await s.smsgate.getGroup(s.account.id, id))?.messageIds ?? [];
    if (!ma || !mb || !mc) throw new Error('expected three messages');
    const state = async () => (await s.call('GET', `/messages/${id}`)).json;
    const step = () => s.clock.advance(1000);

    expect(await s.gateway.dispatcher.runOnce()).toBe(3);
    expect((await state()).state).toBe('Pending');
    step();
    await s.gateway.phoneApi.takeOutstanding(s.phone, ma);
    expect((await state()).recipients.map((r: { state: string }) => r.state)).toEqual([
      'Processed',
      'Pending',
      'Pending',
    ]);
    expect((await state()).state).toBe('Pending');
    await s.gateway.phoneApi.takeOutstanding(s.phone, mb);
    await s.gateway.phoneApi.takeOutstanding(s.phone, mc);
    expect((await state()).state).toBe('Processed');
    step();
    for (const m of [ma, mb, mc])
      await s.gateway.phoneApi.reportEvent(s.phone, m, { event: 'SENT' });
    expect((await state()).state).toBe('Sent');
    step();
    await s.gateway.phoneApi.reportEvent(s.phone, ma, { event: 'DELIVERED' });
    await s.gateway.phoneApi.reportEvent(s.phone, mb, { event: 'FAILED', reason: 'no service' });
    const mixed = await state();
    expect(mixed.state).toBe('Sent');
    expect(mixed.recipients).toEqual([
      { phoneNumber: A, state: 'Delivered' },
      { phoneNumber: B, state: 'Failed', error: 'no service' },
      { phoneNumber: C, state: 'Sent' },
    ]);
    const at = (ms: number) => new Date(START + ms).toISOString();
    expect(mixed.states).toEqual({
      Pending: at(0),
      Processed: at(1000),
      Sent: at(2000),
      Delivered: at(3000),
      Failed: at(3000),
    });
    const listed = await s.call('GET', '/messages?state=Sent');
    expect(listed.json.map((m: { id: string }) => m.id)).toEqual([id]);
    expect((await s.call('GET', '/messages?state=Pending')).json).toEqual([]);
    // Nothing left to cancel.
    expect((await s.call('DELETE', `/messages/${id}`)).status).toBe(409);
  });

  it('all recipients failed → Failed; all delivered → Delivered', async () => {
    const s = await start();
    const run = async (events: ('FAILED' | 'DELIVERED')[]) => {
      const sent = await s.call('POST', '/messages', {
        body: { message: 'x', phoneNumbers: [A, B] },
      });
      const ids = (await s.smsgate.getGroup(s.account.id, sent.json.id))?.messageIds ?? [];
      for (const [i, m] of ids.entries()) {
        await s.gateway.phoneApi.takeOutstanding(s.phone, m);
        if (events[i] === 'DELIVERED')
          await s.gateway.phoneApi.reportEvent(s.phone, m, { event: 'SENT' });
        await s.gateway.phoneApi.reportEvent(s.phone, m, { event: events[i] ?? 'FAILED' });
      }
      return (await s.call('GET', `/messages/${sent.json.id}`)).json.state;
    };
    expect(await run(['FAILED', 'FAILED'])).toBe('Failed');
    expect(await run(['DELIVERED', 'DELIVERED'])).toBe('Delivered');
    expect(await run(['DELIVERED', 'FAILED'])).toBe('Sent');
  });
});
