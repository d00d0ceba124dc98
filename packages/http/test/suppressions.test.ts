/** Opt-outs over HTTP: the suppression routes, a STOP received through the phone API, and the quota's 402. */
import { FakeTransport } from '@textport/core';
import { describe, expect, it } from 'vitest';
import { CONTACT, httpSetup, OWNER } from './helpers.js';

describe('/v1/suppressions', () => {
  it('lists, adds and lifts suppressions; a send to a suppressed contact fails OPTED_OUT', async () => {
    const t = await httpSetup();
    const created = await t.call('POST', '/v1/suppressions', { body: { contact: CONTACT } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      status: 'success',
      message: 'suppression created successfully',
      data: {
        user_id: t.account.id,
        owner: null,
        contact: CONTACT,
        scope: 'account',
        source: 'api',
        keyword: null,
      },
    });
    const again = await t.call('POST', '/v1/suppressions', { body: { contact: CONTACT } });
    expect(again.status).toBe(200);
    expect(again.json.data.id).toBe(created.json.data.id);
    const perPhone = await t.call('POST', '/v1/suppressions', {
      body: { contact: '+18005550101', owner: OWNER },
    });
    expect(perPhone.json.data).toMatchObject({ owner: OWNER, scope: 'phone' });

    const listed = await t.call('GET', '/v1/suppressions', { query: { limit: '1' } });
    expect(listed.json).toMatchObject({ message: 'fetched 1 suppression' });
    const searched = await t.call('GET', '/v1/suppressions', { query: { query: '0101' } });
    expect(searched.json.data.map((s: { id: string }) => s.id)).toEqual([perPhone.json.data.id]);

    const sent = await t.call('POST', '/v1/messages/send', {
      body: { from: OWNER, to: CONTACT, content: 'offer' },
    });
    expect(sent.status).toBe(200);
    expect(sent.json.data).toMatchObject({ status: 'failed', failure_reason: 'OPTED_OUT' });

    const id = created.json.data.id;
    expect((await t.call('DELETE', `/v1/suppressions/${id}`)).status).toBe(204);
    expect((await t.call('DELETE', `/v1/suppressions/${id}`)).status).toBe(404);
    const after = await t.call('POST', '/v1/messages/send', {
      body: { from: OWNER, to: CONTACT, content: 'offer' },
    });
    expect(after.json.data.status).toBe('pending');
  });

  it('refuses bad input with 422 and writes nothing; other accounts and keys are kept out', async () => {
    const t = await httpSetup();
    const bad = await t.call('POST', '/v1/suppressions', { body: { contact: '', owner: 'x' } });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.json.data).sort()).toEqual(['contact', 'owner']);
    const notMine = await t.call('POST', '/v1/suppressions', {
      body: { contact: CONTACT, owner: '+18005550177' },
    });
    expect(notMine.status).toBe(422);
    expect(notMine.json.data).toEqual({
      owner: ['The owner field must be one of your phone numbers; [+18005550177] is not'],
    });
    const wrongType = await t.call('POST', '/v1/suppressions', { body: { contact: 5 } });
    expect(wrongType.status).toBe(400);
    expect(await t.raw.suppressions(t.account.id)).toEqual([]);
    expect((await t.call('GET', '/v1/suppressions', { key: null })).status).toBe(401);
    const { apiKey } = await t.gateway.accounts.create();
    const mine = await t.call('POST', '/v1/suppressions', { body: { contact: CONTACT } });
    const theirs = await t.call('DELETE', `/v1/suppressions/${mine.json.data.id}`, { key: apiKey });
    expect(theirs.status).toBe(404);
    expect((await t.call('GET', '/v1/suppressions', { key: apiKey })).json.data).toEqual([]);
  });

  it('an inbound " Stop " through the phone API suppresses; no transport sees the next send; START lifts', async () => {
    const transport = new FakeTransport();
    const t = await httpSetup({}, { transports: [transport] });
    const received = await t.call('POST', '/v1/messages/receive', {
      body: {
        from: CONTACT,
        to: OWNER,
        content: ' Stop ',
        sim: 'SIM1',
        timestamp: '2026-11-24T12:00:00Z',
      },
    });
    expect(received.status).toBe(200);
    const [suppression] = (await t.call('GET', '/v1/suppressions')).json.data;
    expect(suppression).toMatchObject({ contact: CONTACT, source: 'keyword', keyword: 'STOP' });
    const sent = await t.call('POST', '/v1/messages/send', {
      body: { from: OWNER, to: CONTACT, content: 'offer' },
    });
    expect(sent.json.data.failure_reason).toBe('OPTED_OUT');
    await t.gateway.dispatcher.runOnce();
    expect(transport.handedOff()).toEqual([]);
    await t.call('POST', '/v1/messages/receive', {
      body: {
        from: CONTACT,
        to: OWNER,
        content: 'START',
        sim: 'SIM1',
        timestamp: '2026-11-24T12:00:01Z',
      },
    });
    expect((await t.call('GET', '/v1/suppressions')).json.data).toEqual([]);
  });

  it('lets webhooks subscribe to contact.opted_out and contact.opted_in', async () => {
    const t = await httpSetup();
    const hook = await t.call('POST', '/v1/webhooks', {
      body: {
        url: 'https://hooks.example.com/sms',
        events: ['contact.opted_out', 'contact.opted_in'],
        phone_numbers: [OWNER],
      },
    });
    expect(hook.status).toBe(201);
    await t.call('POST', '/v1/messages/receive', {
      body: {
        from: CONTACT,
        to: OWNER,
        content: 'stop',
        sim: 'SIM1',
        timestamp: '2026-11-24T12:00:00Z',
      },
    });
    const deliveries = await t.call('GET', `/v1/webhooks/${hook.json.data.id}/deliveries`);
    expect(deliveries.json.data.map((d: { event_type: string }) => d.event_type)).toEqual([
      'contact.opted_out',
    ]);
  });
});

describe('quota hook over HTTP', () => {
  it('answers 402 in the httpSMS envelope and writes nothing', async () => {
    const t = await httpSetup(
      {},
      {
        quota: ({ messages }) =>
          messages > 1 ? { allowed: false, message: 'monthly limit of 1 message reached' } : true,
      },
    );
    const refused = await t.call('POST', '/v1/messages/bulk-send', {
      body: { from: OWNER, to: [CONTACT, '+18005550101'], content: 'hi' },
    });
    expect(refused.status).toBe(402);
    expect(refused.json).toEqual({
      status: 'error',
      message: 'monthly limit of 1 message reached',
    });
    expect(await t.raw.countMessages(t.account.id)).toBe(0);
    const ok = await t.call('POST', '/v1/messages/send', {
      body: { from: OWNER, to: CONTACT, content: 'hi' },
    });
    expect(ok.status).toBe(200);
    expect(await t.raw.countMessages(t.account.id)).toBe(1);
  });
});
