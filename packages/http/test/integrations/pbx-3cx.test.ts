/**
 * 3CX over HTTP: the PBX's outgoing SMS request sends through the phone (with the key
 * as 3CX sends it), its webhook URL is set per account, and incoming SMS reach a local
 * stand-in PBX in 3CX's shape.
 */
import { FakeTransport } from '@textport/core';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTACT, httpSetup, OWNER } from '../helpers.js';
import { type StandIn, startStandIn } from './stand-in.js';

let standIn: StandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

describe('POST /v1/integration/3cx/messages', () => {
  it('sends a 3CX-shaped request through the phone, the key as a Bearer token or x-api-key', async () => {
    const transport = new FakeTransport();
    const t = await httpSetup({}, { transports: [transport] });
    const body = { from: OWNER, to: CONTACT, text: 'from the PBX' };
    const sent = await t.call('POST', '/v1/integration/3cx/messages', {
      key: null,
      headers: { authorization: `Bearer ${t.apiKey}` },
      body,
    });
    expect(sent.status).toBe(200);
    const id = sent.json.data.payload.id;
    expect(sent.json).toEqual({ data: { payload: { id } } });
    const stored = await t.gateway.messages.get(t.account.id, id);
    expect(stored).toMatchObject({ owner: OWNER, contact: CONTACT, content: 'from the PBX' });
    expect(stored.requestId).toBe('integration-3cx');
    await t.gateway.dispatcher.runOnce();
    expect(transport.handedOff()).toEqual([id]);
    const again = await t.call('POST', '/v1/integration/3cx/messages', { body });
    expect(again.status).toBe(200);
  });

  it('answers bad input with 4xx in the envelope and writes nothing', async () => {
    const t = await httpSetup();
    const call = (body: unknown, headers: Record<string, string> = {}) =>
      t.call('POST', '/v1/integration/3cx/messages', { body, headers });
    const invalid = await call({ from: 'me', to: '', text: 'x' });
    expect(invalid.status).toBe(422);
    expect(invalid.json.status).toBe('error');
    expect((await call({ from: OWNER, to: CONTACT, text: 7 })).status).toBe(400);
    expect((await call('{')).status).toBe(400);
    const noKey = await t.call('POST', '/v1/integration/3cx/messages', {
      key: null,
      body: { from: OWNER, to: CONTACT, text: 'x' },
    });
    expect(noKey.status).toBe(401);
    const wrongBearer = await t.call('POST', '/v1/integration/3cx/messages', {
      key: null,
      headers: { authorization: 'Bearer uk_nobody' },
      body: { from: OWNER, to: CONTACT, text: 'x' },
    });
    expect(wrongBearer.status).toBe(401);
    // A Bearer key is this route's alone.
    const elsewhere = await t.call('GET', '/v1/users/me', {
      key: null,
      headers: { authorization: `Bearer ${t.apiKey}` },
    });
    expect(elsewhere.status).toBe(401);
    expect(await t.raw.countMessages(t.account.id)).toBe(0);
  });
});

describe('/v1/integration/3cx', () => {
  it('sets, reads, replaces and deletes the PBX webhook; bad URLs are 422 and write nothing', async () => {
    const t = await httpSetup();
    expect((await t.call('GET', '/v1/integration/3cx')).status).toBe(404);
    for (const webhook_url of ['', 'ftp://pbx.example.com/sms', 'not a url']) {
      const bad = await t.call('PUT', '/v1/integration/3cx', { body: { webhook_url } });
      expect(bad.status).toBe(422);
      expect(Object.keys(bad.json.data)).toEqual(['webhook_url']);
    }
    expect((await t.call('PUT', '/v1/integration/3cx', { body: { webhook_url: 1 } })).status).toBe(
      400,
    );
    expect(await t.raw.countAccountRows('integration_3cx', t.account.id)).toBe(0);

    const url = 'https://org.3cx.com.au/sms/generic/123';
    const saved = await t.call('PUT', '/v1/integration/3cx', { body: { webhook_url: url } });
    expect(saved.json).toMatchObject({
      message: '3cx integration saved successfully',
      data: { user_id: t.account.id, webhook_url: url },
    });
    const other = 'https://org.3cx.com.au/sms/generic/456';
    const replaced = await t.call('PUT', '/v1/integration/3cx', { body: { webhook_url: other } });
    expect(replaced.json.data).toMatchObject({ id: saved.json.data.id, webhook_url: other });
    expect((await t.call('GET', '/v1/integration/3cx')).json.data.webhook_url).toBe(other);
    expect(await t.raw.countAccountRows('integration_3cx', t.account.id)).toBe(1);
    expect((await t.call('DELETE', '/v1/integration/3cx')).status).toBe(200);
    expect((await t.call('DELETE', '/v1/integration/3cx')).status).toBe(404);
    expect((await t.call('GET', '/v1/integration/3cx', { key: null })).status).toBe(401);
  });

  it('posts incoming SMS to the stand-in PBX in 3CX shape', async () => {
    standIn = await startStandIn();
    const t = await httpSetup();
    const receive = () =>
      t.call('POST', '/v1/messages/receive', {
        body: {
          from: CONTACT,
          to: OWNER,
          content: 'hi pbx',
          sim: 'SIM1',
          timestamp: '2026-11-24T12:00:00Z',
        },
      });
    // No integration: nothing is posted.
    await receive();
    await t.gateway.pbx3cx.settled();
    expect(standIn.received).toEqual([]);

    await t.call('PUT', '/v1/integration/3cx', {
      body: { webhook_url: `${standIn.url}/sms/generic/123` },
    });
    const received = await receive();
    await t.gateway.pbx3cx.settled();
    expect(standIn.received).toHaveLength(1);
    const [post] = standIn.received;
    expect(post?.method).toBe('POST');
    expect(post?.path).toBe('/sms/generic/123');
    expect(post?.headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(post?.body).toEqual({
      data: {
        event_type: 'message.received',
        id: expect.any(String),
        payload: {
          from: { phone_number: CONTACT },
          id: received.json.data.id,
          received_at: expect.any(String),
          text: 'hi pbx',
          to: [{ phone_number: OWNER }],
          type: 'SMS',
        },
        record_type: 'event',
      },
    });
  });
});
