import { jwtVerify } from 'jose';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { toWireWebhook } from '../../src/domain/wire.js';
import type { GatewayConfig, Principal } from '../../src/index.js';
import {
  createGateway,
  ManualClock,
  silentLogger,
  standardWebhooksSecret,
} from '../../src/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { makeWebhook } from '../../src/testing/fixtures.js';
import { startReceiver } from './receiver.js';

const OWNER = '+18005550199';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function setup(
  url: string,
  config: Partial<GatewayConfig> = {},
  signingKey: string | null = 'sekret',
) {
  const store = createMemoryStore();
  const clock = new ManualClock(Date.now());
  const gateway = createGateway({ store, clock, logger: silentLogger, ...config });
  const { record: account } = await gateway.accounts.create();
  await gateway.phones.upsert(account.id, { phoneNumber: OWNER });
  const hook = makeWebhook({
    accountId: account.id,
    url,
    signingKey,
    events: ['message.phone.sent'],
    phoneNumbers: [OWNER],
  });
  await store.insertWebhook(hook);
  const user: Principal = { accountId: account.id, kind: 'user', keyId: null, phoneNumbers: null };
  /** A message reported SENT: one `message.phone.sent` event, one outbox row. */
  const sentEvent = async () => {
    const m = await gateway.messages.send(account.id, {
      from: OWNER,
      to: '+18005550100',
      content: 'x',
    });
    await gateway.phoneApi.takeOutstanding(user, m.id);
    await gateway.phoneApi.reportEvent(user, m.id, { event: 'SENT' });
    const [row] = await store.listOutbox({ accountId: account.id, skip: 0, limit: 1 });
    if (!row) throw new Error('no outbox row');
    return row;
  };
  return { store, clock, gateway, account, hook, sentEvent };
}

describe('webhook delivery', () => {
  it('posts the CloudEvent with a verifiable httpSMS JWT and Standard Webhooks signature', async () => {
    const receiver = await startReceiver();
    closers.push(receiver.close);
    const t = await setup(receiver.url);
    const row = await t.sentEvent();
    expect(await t.gateway.webhookWorker.runOnce()).toBe(1);
    const [got] = receiver.received;
    expect(got?.headers['x-event-type']).toBe('message.phone.sent');
    expect(got?.headers['content-type']).toBe('application/json');
    const body = got?.body ?? '';
    expect(JSON.parse(body)).toMatchObject({
      specversion: '1.0',
      id: row.eventId,
      type: 'message.phone.sent',
    });

    const token = String(got?.headers.authorization).replace(/^Bearer /, '');
    const { payload } = await jwtVerify(token, new TextEncoder().encode('sekret'), {
      issuer: 'api.httpsms.com',
      audience: receiver.url,
      currentDate: new Date(t.clock.now()),
    });
    expect(payload.sub).toBe(t.account.id);
    expect(payload.aud).toEqual([receiver.url]);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(600);

    const verifier = new Webhook(standardWebhooksSecret('sekret'));
    const headers = Object.fromEntries(
      Object.entries(got?.headers ?? {}).map(([k, v]) => [k, String(v)]),
    );
    expect(verifier.verify(body, headers)).toMatchObject({ id: row.eventId });
    expect(headers['webhook-id']).toBe(row.eventId);
    expect(await t.store.listOutbox({ accountId: t.account.id, skip: 0, limit: 5 })).toMatchObject([
      { status: 'delivered', attempts: 1, lastError: null, lastHttpStatus: 200 },
    ]);
  });

  it('redelivers a delivered row: the same event is sent again and the attempts grow', async () => {
    const receiver = await startReceiver();
    closers.push(receiver.close);
    const t = await setup(receiver.url);
    await t.sentEvent();
    await t.gateway.webhookWorker.runOnce();
    const [row] = await t.gateway.webhooks.deliveries(t.account.id, t.hook.id);
    expect(row).toMatchObject({ status: 'delivered', attempts: 1 });
    await expect(
      t.gateway.webhooks.redeliver(t.account.id, t.hook.id, row?.id ?? ''),
    ).resolves.toMatchObject({ status: 'pending', nextAttemptAt: t.clock.now() });
    await expect(
      t.gateway.webhooks.redeliver(t.account.id, t.hook.id, row?.id ?? ''),
    ).rejects.toMatchObject({ code: 'invalid_transition' });
    await t.gateway.webhookWorker.runOnce();
    expect(await t.gateway.webhooks.deliveries(t.account.id, t.hook.id)).toMatchObject([
      { id: row?.id, status: 'delivered', attempts: 2, lastHttpStatus: 200 },
    ]);
    expect(receiver.received.map((r) => JSON.parse(r.body).id)).toEqual([
      row?.eventId,
      row?.eventId,
    ]);
  });

  it('without a signing key: no Authorization and no signature header', async () => {
    const receiver = await startReceiver();
    closers.push(receiver.close);
    const t = await setup(receiver.url, {}, null);
    await t.sentEvent();
    await t.gateway.webhookWorker.runOnce();
    expect(receiver.received[0]?.headers.authorization).toBeUndefined();
    expect(receiver.received[0]?.headers['webhook-signature']).toBeUndefined();
    expect(receiver.received[0]?.headers['webhook-id']).toBeDefined();
  });

  it('410 Gone disables the webhook', async () => {
    const receiver = await startReceiver([{ status: 410 }]);
    closers.push(receiver.close);
    const t = await setup(receiver.url);
    await t.sentEvent();
    await t.gateway.webhookWorker.runOnce();
    expect((await t.store.getWebhook(t.account.id, t.hook.id))?.enabled).toBe(false);
    const [row] = await t.store.listOutbox({ accountId: t.account.id, skip: 0, limit: 1 });
    expect(row).toMatchObject({ status: 'failed', attempts: 1, lastHttpStatus: 410 });
    await t.sentEvent();
    expect(await t.store.listOutbox({ accountId: t.account.id, skip: 0, limit: 5 })).toHaveLength(
      1,
    );
  });

  it('a webhook disabled by 410 shows it, and an update enables it again', async () => {
    const receiver = await startReceiver([{ status: 410 }]);
    closers.push(receiver.close);
    const t = await setup(receiver.url);
    await t.sentEvent();
    await t.gateway.webhookWorker.runOnce();
    const disabled = await t.gateway.webhooks.get(t.account.id, t.hook.id);
    expect(toWireWebhook(disabled)).toMatchObject({ id: t.hook.id, enabled: false });
    const updated = await t.gateway.webhooks.update(t.account.id, t.hook.id, {
      url: receiver.url,
      signingKey: 'sekret',
      events: ['message.phone.sent'],
      phoneNumbers: [OWNER],
    });
    expect(toWireWebhook(updated)).toMatchObject({ enabled: true });
    // Events reach it again.
    const row = await t.sentEvent();
    expect(row).toMatchObject({ webhookId: t.hook.id, status: 'pending' });
    await t.gateway.webhookWorker.runOnce();
    expect(receiver.received).toHaveLength(2);
    expect(await t.gateway.webhooks.deliveries(t.account.id, t.hook.id)).toMatchObject([
      { status: 'delivered', attempts: 1 },
      { status: 'failed', lastHttpStatus: 410 },
    ]);
  });

  it('gives up after maxAttempts and times out a silent receiver', async () => {
    const receiver = await startReceiver([{ status: 0 }, { status: 500 }]);
    closers.push(receiver.close);
    const t = await setup(receiver.url, { webhooks: { maxAttempts: 2, timeoutMs: 200 } });
    await t.sentEvent();
    await t.gateway.webhookWorker.runOnce();
    let [row] = await t.store.listOutbox({ accountId: t.account.id, skip: 0, limit: 1 });
    expect(row?.lastError).toContain('TIMEOUT');
    expect(row?.lastHttpStatus).toBeNull();
    t.clock.set(row?.nextAttemptAt ?? 0);
    await t.gateway.webhookWorker.runOnce();
    [row] = await t.store.listOutbox({ accountId: t.account.id, skip: 0, limit: 1 });
    expect(row).toMatchObject({ status: 'failed', attempts: 2, lastHttpStatus: 500 });
    expect(row?.lastError).toContain('gave up after 2 attempts');
  });

  it('refuses private-network URLs when asked to', async () => {
    const receiver = await startReceiver();
    closers.push(receiver.close);
    const t = await setup(receiver.url, { webhooks: { refusePrivateNetworks: true } });
    await t.sentEvent();
    await t.gateway.webhookWorker.runOnce();
    expect(receiver.received).toHaveLength(0);
    const [row] = await t.store.listOutbox({ accountId: t.account.id, skip: 0, limit: 1 });
    expect(row).toMatchObject({ status: 'failed' });
    expect(row?.lastError).toContain('private network');
  });

  it('refuses an IPv4-mapped loopback URL when asked to', async () => {
    const receiver = await startReceiver();
    closers.push(receiver.close);
    const url = `http://[::ffff:127.0.0.1]:${receiver.port}/hooks/sms`;
    const t = await setup(url, { webhooks: { refusePrivateNetworks: true } });
    await t.sentEvent();
    await t.gateway.webhookWorker.runOnce();
    expect(receiver.received).toHaveLength(0);
    const [row] = await t.store.listOutbox({ accountId: t.account.id, skip: 0, limit: 1 });
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row?.lastError).toContain('private network');
  });

  it('a redirect to another origin is a failed attempt, retried, and nothing reaches the target', async () => {
    const target = await startReceiver();
    closers.push(target.close);
    const receiver = await startReceiver([{ status: 307, headers: { location: target.url } }]);
    closers.push(receiver.close);
    const t = await setup(receiver.url);
    await t.sentEvent();
    await t.gateway.webhookWorker.runOnce();
    expect(target.received).toHaveLength(0);
    const [row] = await t.store.listOutbox({ accountId: t.account.id, skip: 0, limit: 1 });
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row?.lastError).toContain(
      `HTTP 307 Temporary Redirect: redirect to ${target.url} not followed`,
    );
  });

  it('start(): delivers promptly after the state change', async () => {
    const receiver = await startReceiver();
    closers.push(receiver.close);
    const t = await setup(receiver.url);
    await t.gateway.start();
    closers.push(() => t.gateway.stop());
    await t.sentEvent();
    await expect.poll(() => receiver.received.length).toBe(1);
  });
});
