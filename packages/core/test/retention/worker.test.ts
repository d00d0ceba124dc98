import { describe, expect, it, vi } from 'vitest';
import type { GatewayConfig, Logger, Principal } from '../../src/index.js';
import { createGateway, ManualClock, RetentionWorker, silentLogger } from '../../src/index.js';
import { createMemoryStore, memoryRawReader } from '../../src/store/memory/index.js';
import { makeHeartbeat, makeMessage } from '../../src/testing/fixtures.js';

const OWNER = '+18005550199';
const CONTACT = '+18005550100';
const DAY = 86_400_000;
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

/** A gateway on a memory store with a manual clock, one account and one phone. */
async function setup(config: Partial<GatewayConfig> = {}) {
  const store = createMemoryStore();
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 12, 0, 0));
  const gateway = createGateway({ store, clock, logger: silentLogger, ...config });
  const { record: account } = await gateway.accounts.create({ email: 'ops@example.com' });
  await gateway.phones.upsert(account.id, { phoneNumber: OWNER });
  const user: Principal = { accountId: account.id, kind: 'user', keyId: null, phoneNumbers: null };
  return { store, raw: memoryRawReader(store), clock, gateway, account, user };
}

describe('retention', () => {
  it('is off unless configured: a run removes nothing', async () => {
    const t = await setup();
    expect(t.gateway.config.retention).toBeUndefined();
    await t.gateway.phoneApi.receive(t.user, { from: CONTACT, to: OWNER, content: 'old' });
    t.clock.advance(10_000 * DAY);
    expect(await t.gateway.retention.runOnce()).toEqual({
      messages: 0,
      heartbeats: 0,
      webhookOutbox: 0,
      idempotency: 0,
    });
    expect(await t.raw.countMessages(t.account.id)).toBe(1);
  });

  it('takes the documented defaults from `retention: {}`', async () => {
    const t = await setup({ retention: {} });
    expect(t.gateway.config.retention).toEqual({
      messagesDays: 90,
      heartbeatsDays: 7,
      webhookOutboxDays: 14,
      idempotency: true,
      batchSize: 500,
      maxBatchesPerRun: 200,
      intervalMs: 3_600_000,
    });
  });

  it('refuses a bad policy with a config error naming the field', () => {
    expect(() =>
      createGateway({ store: createMemoryStore(), retention: { messagesDays: -1, batchSize: 0 } }),
    ).toThrow(/retention\.messagesDays[\s\S]*retention\.batchSize/);
  });

  it('removes a finished message only once it is older than the cut-off, keeping its thread', async () => {
    const t = await setup({ retention: { messagesDays: 90 } });
    const received = await t.gateway.phoneApi.receive(t.user, {
      from: CONTACT,
      to: OWNER,
      content: 'Habari',
    });
    const pending = await t.gateway.messages.send(t.account.id, {
      from: OWNER,
      to: CONTACT,
      content: 'queued for ever',
    });
    t.clock.advance(90 * DAY);
    expect((await t.gateway.retention.runOnce()).messages).toBe(0);
    expect(await t.raw.message(received.id)).not.toBeNull();

    t.clock.advance(1);
    expect((await t.gateway.retention.runOnce()).messages).toBe(1);
    expect(await t.raw.message(received.id)).toBeNull();
    expect((await t.raw.message(pending.id))?.status).toBe('pending');

    const [thread] = await t.gateway.threads.list(t.account.id, { owner: OWNER });
    expect(thread?.lastMessageId).toBe(pending.id);
    expect(await t.gateway.messages.list(t.account.id, { owner: OWNER, contact: CONTACT })).toEqual(
      [expect.objectContaining({ id: pending.id })],
    );
  });

  it('removes the attachment files of the messages it removed', async () => {
    const t = await setup({ retention: { messagesDays: 30 } });
    const m = await t.gateway.phoneApi.receive(t.user, {
      from: CONTACT,
      to: OWNER,
      content: '',
      attachments: [{ name: 'a.png', contentType: 'image/png', data: PNG.toString('base64') }],
    });
    const key = `${t.account.id}/${m.id}/0/a.png`;
    expect(await t.gateway.attachments.get(key)).not.toBeNull();
    t.clock.advance(30 * DAY + 1);
    expect((await t.gateway.retention.runOnce()).messages).toBe(1);
    expect(await t.gateway.attachments.get(key)).toBeNull();
  });

  it('removes heartbeats and expired idempotency records by their own cut-offs', async () => {
    const t = await setup({
      idempotencyTtlSeconds: 3600,
      retention: { messagesDays: null, heartbeatsDays: 7, webhookOutboxDays: 0 },
    });
    await t.gateway.phoneApi.heartbeat(t.user, { owner: OWNER, charging: false });
    await t.gateway.messages.send(
      t.account.id,
      { from: OWNER, to: CONTACT, content: 'once' },
      { idempotencyKey: 'k-1' },
    );
    t.clock.advance(3600 * 1000);
    expect(await t.gateway.retention.runOnce()).toEqual({
      messages: 0,
      heartbeats: 0,
      webhookOutbox: 0,
      idempotency: 0,
    });
    t.clock.advance(1);
    expect((await t.gateway.retention.runOnce()).idempotency).toBe(1);
    expect(await t.raw.idempotency(t.account.id, 'k-1')).toBeNull();
    t.clock.advance(7 * DAY);
    expect((await t.gateway.retention.runOnce()).heartbeats).toBe(1);
    expect(await t.raw.countHeartbeats(t.account.id)).toBe(0);
  });

  it('keeps idempotency records when the policy says so', async () => {
    const t = await setup({ idempotencyTtlSeconds: 60, retention: { idempotency: false } });
    await t.gateway.messages.send(
      t.account.id,
      { from: OWNER, to: CONTACT, content: 'once' },
      { idempotencyKey: 'k-2' },
    );
    t.clock.advance(DAY);
    expect((await t.gateway.retention.runOnce()).idempotency).toBe(0);
    expect(await t.raw.countIdempotency(t.account.id)).toBe(1);
  });

  it('deletes in batches and stops at the run budget; the next run goes on', async () => {
    const store = createMemoryStore();
    const clock = new ManualClock(100 * DAY);
    const accountId = 'acc-1';
    await store.insertHeartbeats(
      Array.from({ length: 5 }, () => makeHeartbeat({ accountId, timestamp: DAY })),
    );
    const purge = vi.spyOn(store, 'purgeHeartbeats');
    const policy = {
      messagesDays: null,
      heartbeatsDays: 7,
      webhookOutboxDays: null,
      idempotency: false,
      batchSize: 2,
      maxBatchesPerRun: 2,
    };
    const worker = new RetentionWorker({
      store,
      clock,
      logger: silentLogger,
      retention: undefined,
      idempotencyTtlSeconds: 60,
    });
    expect((await worker.runOnce(policy)).heartbeats).toBe(4);
    expect(purge.mock.calls).toEqual([
      [93 * DAY, 2],
      [93 * DAY, 2],
    ]);
    expect(await memoryRawReader(store).countHeartbeats(accountId)).toBe(1);
    expect((await worker.runOnce(policy)).heartbeats).toBe(1);
    expect((await worker.runOnce(policy)).heartbeats).toBe(0);
  });

  it('runs on its own after start(), logs a summary, and stops cleanly', async () => {
    const info = vi.fn();
    const logger: Logger = { ...silentLogger, info };
    const t = await setup({ logger, retention: { messagesDays: 1 } });
    await t.store.insertMessages([
      makeMessage({ accountId: t.account.id, status: 'delivered', updatedAt: 0 }),
    ]);
    await t.gateway.start();
    await vi.waitFor(
      () =>
        expect(info).toHaveBeenCalledWith(
          { removed: { messages: 1, heartbeats: 0, webhookOutbox: 0, idempotency: 0 } },
          'retention removed old rows',
        ),
      { timeout: 5_000 },
    );
    await t.gateway.stop();
    expect(await t.raw.countMessages(t.account.id)).toBe(0);
  });

  it('stop() ends a run after its current batch', async () => {
    const store = createMemoryStore();
    let release = () => {};
    const calls: number[] = [];
    vi.spyOn(store, 'purgeHeartbeats').mockImplementation(async (before) => {
      calls.push(before);
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return 2;
    });
    const retention = {
      messagesDays: null,
      heartbeatsDays: 1,
      webhookOutboxDays: null,
      idempotency: false,
      batchSize: 2,
      maxBatchesPerRun: 100,
      intervalMs: 3_600_000,
    };
    const clock = new ManualClock(10 * DAY);
    const worker = new RetentionWorker({
      store,
      clock,
      logger: silentLogger,
      retention,
      idempotencyTtlSeconds: 60,
    });
    worker.start();
    await vi.waitFor(() => expect(calls).toHaveLength(1), { timeout: 5_000 });
    const stopped = worker.stop();
    release();
    await stopped;
    expect(calls).toEqual([9 * DAY]);
  });
});
