import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/index.js';
import { gatewayWith, holdingReceiver, prompt } from './harness.js';

describe('webhook scheduling', () => {
  it('a hanging receiver holds only its own slots: another webhook is delivered meanwhile', async () => {
    const slow = await holdingReceiver();
    const t = await gatewayWith({ concurrency: 4, perWebhookConcurrency: 2, timeoutMs: 60_000 });
    const slowHook = await t.hook(slow.url);
    const fastHook = await t.hook(await prompt());
    // The slow webhook's events are older: they come first in claim order.
    await t.rows(slowHook, 6, 2_000);
    await t.rows(fastHook, 5, 1_000);
    await t.gateway.start();
    await expect
      .poll(() => t.statuses(fastHook), { timeout: 5_000 })
      .toEqual(Array(5).fill('delivered'));
    // Two attempts in flight to the slow receiver, never more; nothing of it lost.
    expect(slow.paths).toHaveLength(2);
    expect(await t.statuses(slowHook)).toEqual(Array(6).fill('pending'));
    // The slow receiver answers: the rest of its events follow.
    slow.answerAll();
    await expect.poll(() => slow.paths.length, { timeout: 5_000 }).toBe(4);
    slow.answerAll();
    await expect.poll(() => slow.paths.length, { timeout: 5_000 }).toBe(6);
    slow.answerAll();
    await expect
      .poll(() => t.statuses(slowHook), { timeout: 5_000 })
      .toEqual(Array(6).fill('delivered'));
  });

  it('an account with many hanging webhooks leaves slots to another account', async () => {
    const slow = await holdingReceiver();
    const t = await gatewayWith({});
    const { record: other } = await t.gateway.accounts.create();
    for (let i = 0; i < 8; i++) await t.rows(await t.hook(slow.url), 8, 2_000);
    const fastHook = await t.hook(await prompt(), other.id);
    await t.rows(fastHook, 1, 1_000, other.id);
    await t.gateway.start();
    await expect
      .poll(() => t.statuses(fastHook, other.id), { timeout: 5_000 })
      .toEqual(['delivered']);
    // The hanging account holds its own bound of attempts (the default: 16), not the worker's 64.
    await expect.poll(() => slow.paths.length, { timeout: 5_000 }).toBe(16);
    slow.open();
    await expect.poll(() => t.allDelivered(), { timeout: 5_000 }).toBe(true);
    expect(new Set(slow.eventIds).size).toBe(64);
    expect(slow.eventIds).toHaveLength(64);
  });

  it('perAccountConcurrency sets the bound of an account', async () => {
    const slow = await holdingReceiver();
    const t = await gatewayWith({ perAccountConcurrency: 3 });
    for (let i = 0; i < 2; i++) await t.rows(await t.hook(slow.url), 4, 2_000);
    await t.gateway.start();
    await expect.poll(() => slow.paths.length, { timeout: 5_000 }).toBe(3);
    slow.open();
    await expect.poll(() => t.allDelivered(), { timeout: 5_000 }).toBe(true);
    expect(slow.eventIds).toHaveLength(8);
  });

  it('a freed slot is used at once: a slow attempt does not hold back the next claim', async () => {
    const slow = await holdingReceiver();
    const t = await gatewayWith({ concurrency: 2, perWebhookConcurrency: 1, timeoutMs: 60_000 });
    const slowHook = await t.hook(slow.url);
    const fastHook = await t.hook(await prompt());
    await t.rows(slowHook, 1, 2_000);
    await t.rows(fastHook, 1, 1_000);
    await t.gateway.start();
    await expect.poll(() => t.statuses(fastHook), { timeout: 5_000 }).toEqual(['delivered']);
    // Events written later, while the slow attempt still runs, go out too.
    await t.rows(fastHook, 3, 0);
    await expect
      .poll(() => t.statuses(fastHook), { timeout: 5_000 })
      .toEqual(Array(4).fill('delivered'));
    expect(slow.paths).toHaveLength(1);
    slow.answerAll();
  });

  it('a row that waited past its lease and was claimed elsewhere is not attempted again', async () => {
    const clock = new ManualClock(Date.now());
    const slow = await holdingReceiver();
    const t = await gatewayWith(
      { concurrency: 4, perWebhookConcurrency: 1, timeoutMs: 1_000, batchSize: 10 },
      clock,
    );
    const hookId = await t.hook(slow.url);
    const [first, second] = await t.rows(hookId, 2, 0);
    const round = t.gateway.webhookWorker.runOnce();
    await expect.poll(() => slow.paths.length).toBe(1);
    // The second row waits in its lane; the leases run out and another node claims both.
    clock.advance(10_000);
    const taken = await t.store.claimOutbox({
      now: clock.now(),
      limit: 10,
      leaseMs: 60_000,
      claimer: 'other-node',
    });
    expect(new Set(taken.map((r) => r.id))).toEqual(new Set([first?.id, second?.id]));
    slow.answerAll();
    expect(await round).toBe(2);
    // The waiting row is left to its new owner; the late answer of the first is not recorded.
    expect(slow.paths).toHaveLength(1);
    const rows = await t.store.listOutbox({ accountId: t.account.id, skip: 0, limit: 10 });
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'pending', attempts: 0, leaseOwner: 'other-node' });
    }
  });

  it('a row that waited in its lane is re-leased for its attempt', async () => {
    const clock = new ManualClock(Date.now());
    const slow = await holdingReceiver();
    const t = await gatewayWith(
      { concurrency: 4, perWebhookConcurrency: 1, timeoutMs: 1_000, batchSize: 10 },
      clock,
    );
    const hookId = await t.hook(slow.url);
    await t.rows(hookId, 1, 1);
    const [second] = await t.rows(hookId, 1, 0);
    const round = t.gateway.webhookWorker.runOnce();
    await expect.poll(() => slow.paths.length).toBe(1);
    clock.advance(2_500);
    slow.answerAll();
    await expect.poll(() => slow.paths.length).toBe(2);
    const [row] = (
      await t.store.listOutbox({ accountId: t.account.id, skip: 0, limit: 10 })
    ).filter((r) => r.id === second?.id);
    // Leased for a full attempt from now (twice the deadline plus a second), not the stale lease.
    expect(row?.leaseUntil).toBe(clock.now() + 3_000);
    slow.answerAll();
    expect(await round).toBe(2);
  });
});
