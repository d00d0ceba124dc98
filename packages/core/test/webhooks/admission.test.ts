import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/index.js';
import { gatewayWith, holdingReceiver } from './harness.js';

describe('webhook admission', () => {
  it('a row claimed again by the same node while it waits in its lane is attempted once', async () => {
    const clock = new ManualClock(Date.now());
    const slow = await holdingReceiver();
    const t = await gatewayWith(
      { perWebhookConcurrency: 2, timeoutMs: 1_000, batchSize: 10 },
      clock,
    );
    const hookId = await t.hook(slow.url);
    const made = await t.rows(hookId, 3, 0);
    const first = t.gateway.webhookWorker.runOnce();
    // Two attempts run (the lane's slots); one row waits, and the lane is not full.
    await expect.poll(() => slow.paths.length).toBe(2);
    // Their leases run out while they wait, and the same node claims again.
    clock.advance(10_000);
    const second = t.gateway.webhookWorker.runOnce();
    const leased = async () =>
      (await t.store.listOutbox({ accountId: t.account.id, skip: 0, limit: 10 })).every(
        (r) => (r.leaseUntil ?? 0) > clock.now(),
      );
    await expect.poll(leased).toBe(true);
    slow.open();
    await Promise.all([first, second]);
    expect([...slow.eventIds].sort()).toEqual(made.map((r) => r.eventId).sort());
    const rows = await t.store.listOutbox({ accountId: t.account.id, skip: 0, limit: 10 });
    for (const row of rows) expect(row).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('a webhook deleted while its rows wait in its lane gets no further attempt', async () => {
    const slow = await holdingReceiver();
    const t = await gatewayWith({ perWebhookConcurrency: 1, pollIntervalMs: 5_000 });
    const hookId = await t.hook(slow.url);
    await t.rows(hookId, 1, 1);
    const [second] = await t.rows(hookId, 1, 0);
    const round = t.gateway.webhookWorker.runOnce();
    await expect.poll(() => slow.paths.length).toBe(1);
    await t.gateway.webhooks.delete(t.account.id, hookId);
    slow.open();
    await round;
    expect(slow.paths).toHaveLength(1);
    const row = await t.store.getOutbox(t.account.id, second?.id ?? '');
    expect(row).toMatchObject({ status: 'failed', lastError: 'the webhook was deleted' });
  });

  it('a webhook updated while its rows wait in its lane sends them to its new URL', async () => {
    const slow = await holdingReceiver();
    const moved = await holdingReceiver();
    moved.open();
    const t = await gatewayWith({ perWebhookConcurrency: 1, pollIntervalMs: 5_000 });
    await t.gateway.phones.upsert(t.account.id, { phoneNumber: '+18005550199' });
    const hookId = await t.hook(slow.url);
    await t.rows(hookId, 1, 1);
    const [second] = await t.rows(hookId, 1, 0);
    const round = t.gateway.webhookWorker.runOnce();
    await expect.poll(() => slow.paths.length).toBe(1);
    await t.gateway.webhooks.update(t.account.id, hookId, {
      url: moved.url,
      events: ['message.phone.sent'],
      phoneNumbers: ['+18005550199'],
    });
    slow.open();
    await round;
    expect(slow.paths).toHaveLength(1);
    expect(moved.eventIds).toEqual([second?.eventId]);
  });
});
