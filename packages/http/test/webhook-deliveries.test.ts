/** `GET /v1/webhooks/{id}/deliveries` and `POST …/deliveries/{id}/redeliver`. */
import { WEBHOOK_EVENTS } from '@textport/core';
import { makeOutbox } from '@textport/core/testing';
import { describe, expect, it } from 'vitest';
import { CONTACT, httpSetup, OWNER } from './helpers.js';

async function withWebhook() {
  const t = await httpSetup();
  const created = await t.call('POST', '/v1/webhooks', {
    body: {
      url: 'https://hooks.example.com/in',
      events: ['message.phone.received'],
      phone_numbers: [OWNER],
    },
  });
  expect(created.status).toBe(201);
  const webhookId: string = created.json.data.id;
  const now = t.clock.now();
  const rows = [0, 1, 2].map((i) =>
    makeOutbox({
      accountId: t.account.id,
      webhookId,
      createdAt: now - 3000 + i * 1000,
      updatedAt: now - 3000 + i * 1000,
    }),
  );
  await t.store.insertOutbox(rows);
  return { ...t, webhookId, rows };
}

describe('webhook deliveries', () => {
  it('lists the webhook’s deliveries newest first, paged', async () => {
    const t = await withWebhook();
    const [oldest, middle, newest] = t.rows;
    await t.store.updateOutbox(newest!.id, {
      status: 'delivered',
      attempts: 1,
      lastHttpStatus: 200,
    });
    await t.store.updateOutbox(middle!.id, {
      status: 'failed',
      attempts: 3,
      lastHttpStatus: 500,
      lastError: 'HTTP 500 Internal Server Error (gave up after 3 attempts)',
    });
    const all = await t.call('GET', `/v1/webhooks/${t.webhookId}/deliveries`);
    expect(all.status).toBe(200);
    expect(all.json.message).toBe('fetched 3 deliveries');
    expect(all.json.data.map((d: { id: string }) => d.id)).toEqual([
      newest!.id,
      middle!.id,
      oldest!.id,
    ]);
    expect(all.json.data[0]).toEqual({
      id: newest!.id,
      webhook_id: t.webhookId,
      event_id: newest!.eventId,
      event_type: 'message.phone.received',
      message_id: null,
      status: 'delivered',
      attempts: 1,
      last_http_status: 200,
      last_error: null,
      next_attempt_at: expect.any(String),
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(Date.parse(all.json.data[0].next_attempt_at)).toBe(newest!.nextAttemptAt);
    expect(all.json.data[1]).toMatchObject({ status: 'failed', last_http_status: 500 });
    const page = await t.call('GET', `/v1/webhooks/${t.webhookId}/deliveries`, {
      query: { skip: '1', limit: '1' },
    });
    expect(page.json.message).toBe('fetched 1 delivery');
    expect(page.json.data.map((d: { id: string }) => d.id)).toEqual([middle!.id]);
  });

  it('answers 404 for another account’s or an unknown webhook and 422 for a bad id', async () => {
    const t = await withWebhook();
    const other = await t.gateway.accounts.create({ email: 'other@example.com' });
    const foreign = await t.call('GET', `/v1/webhooks/${t.webhookId}/deliveries`, {
      key: other.apiKey,
    });
    expect(foreign.status).toBe(404);
    const unknown = await t.call(
      'GET',
      '/v1/webhooks/7b0e8f7e-3c1a-4a8e-9a51-0c9a1f1f0e11/deliveries',
    );
    expect(unknown.status).toBe(404);
    const bad = await t.call('GET', '/v1/webhooks/nope/deliveries');
    expect(bad.status).toBe(422);
    const limit = await t.call('GET', `/v1/webhooks/${t.webhookId}/deliveries`, {
      query: { limit: '0' },
    });
    expect(limit.status).toBe(422);
  });

  it('puts a delivered or failed delivery back to pending, due now', async () => {
    const t = await withWebhook();
    const row = t.rows[0]!;
    await t.store.updateOutbox(row.id, {
      status: 'failed',
      attempts: 5,
      nextAttemptAt: row.nextAttemptAt + 60_000,
      lastError: 'HTTP 503 Service Unavailable',
      lastHttpStatus: 503,
    });
    t.clock.advance(5000);
    const path = `/v1/webhooks/${t.webhookId}/deliveries/${row.id}/redeliver`;
    const again = await t.call('POST', path);
    expect(again.status).toBe(200);
    expect(again.json.data).toMatchObject({ id: row.id, status: 'pending', attempts: 5 });
    const stored = await t.store.getOutbox(t.account.id, row.id);
    expect(stored).toMatchObject({
      status: 'pending',
      nextAttemptAt: t.clock.now(),
      leaseOwner: null,
      updatedAt: t.clock.now(),
    });
    // Pending already: nothing to do.
    const twice = await t.call('POST', path);
    expect(twice.status).toBe(409);
  });

  it('answers 404 for a delivery of another webhook or account', async () => {
    const t = await withWebhook();
    const second = await t.call('POST', '/v1/webhooks', {
      body: {
        url: 'https://b.example.com',
        events: ['message.phone.sent'],
        phone_numbers: [OWNER],
      },
    });
    const row = t.rows[0]!;
    await t.store.updateOutbox(row.id, { status: 'delivered' });
    const wrongHook = await t.call(
      'POST',
      `/v1/webhooks/${second.json.data.id}/deliveries/${row.id}/redeliver`,
    );
    expect(wrongHook.status).toBe(404);
    const other = await t.gateway.accounts.create({ email: 'other@example.com' });
    const foreign = await t.call(
      'POST',
      `/v1/webhooks/${t.webhookId}/deliveries/${row.id}/redeliver`,
      { key: other.apiKey },
    );
    expect(foreign.status).toBe(404);
    expect((await t.store.getOutbox(t.account.id, row.id))?.status).toBe('delivered');
  });

  it("lists a message's deliveries: the outbox rows of its own events only", async () => {
    const t = await httpSetup();
    const hook = await t.call('POST', '/v1/webhooks', {
      body: {
        url: 'https://hooks.example.com/in',
        events: [...WEBHOOK_EVENTS],
        phone_numbers: [OWNER],
      },
    });
    expect(hook.status).toBe(201);
    const send = (content: string) =>
      t.call('POST', '/v1/messages/send', { body: { from: OWNER, to: CONTACT, content } });
    const first = (await send('first')).json.data;
    const second = (await send('second')).json.data;
    const taken = await t.call('GET', '/v1/messages/outstanding', {
      query: { message_id: first.id },
    });
    expect(taken.status).toBe(200);
    const sent = await t.call('POST', `/v1/messages/${first.id}/events`, {
      body: { event_name: 'SENT', timestamp: new Date(t.clock.now()).toISOString() },
    });
    expect(sent.status).toBe(200);
    const delivered = await t.call('POST', `/v1/messages/${first.id}/events`, {
      body: { event_name: 'DELIVERED', timestamp: new Date(t.clock.now()).toISOString() },
    });
    expect(delivered.status).toBe(200);
    const r = await t.call('GET', `/v1/messages/${first.id}/deliveries`);
    expect(r.status).toBe(200);
    expect(r.json.message).toBe('fetched 2 deliveries');
    const rows = r.json.data as { event_type: string; message_id: string; webhook_id: string }[];
    expect(rows.map((d) => d.event_type).sort()).toEqual([
      'message.phone.delivered',
      'message.phone.sent',
    ]);
    expect(rows.every((d) => d.message_id === first.id && d.webhook_id === hook.json.data.id)).toBe(
      true,
    );
    const other = await t.call('GET', `/v1/messages/${second.id}/deliveries`);
    expect(other.json.message).toBe('fetched 0 deliveries');
    const paged = await t.call('GET', `/v1/messages/${first.id}/deliveries`, {
      query: { limit: '1' },
    });
    expect(paged.json.data).toHaveLength(1);
    const unknown = await t.call('GET', `/v1/messages/${crypto.randomUUID()}/deliveries`);
    expect(unknown.status).toBe(404);
    const bad = await t.call('GET', '/v1/messages/not-a-uuid/deliveries');
    expect(bad.status).toBe(422);
  });
});
