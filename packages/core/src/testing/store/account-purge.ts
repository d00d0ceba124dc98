/**
 * Conformance (RetentionStore, `purgeAccount`): an account's deletion removes every
 * row of the account from every table, a batch of at most `limit` rows per call,
 * the API keys first and the account row last, and nothing of another account.
 */
import { expect, it } from 'vitest';
import { ACCOUNT_TABLES } from '../../store/retention.js';
import type { Store } from '../../store.js';
import {
  makeAccount,
  makeApiKey,
  makeDiscordIntegration,
  makeHeartbeat,
  makeIntegration3cx,
  makeMessage,
  makeOutbox,
  makePhone,
  makeSchedule,
  makeSuppression,
  makeThread,
  makeWebhook,
} from '../fixtures.js';
import { type GroupContext, uuid } from './context.js';

/** One account with two rows in every table but its own (and a pending, leased message). */
async function seedAccount(store: Store): Promise<string> {
  const account = makeAccount();
  const accountId = account.id;
  await store.insertAccount(account);
  for (let i = 0; i < 2; i += 1) {
    const phone = makePhone({ accountId, recipientsPerMonth: 5 });
    await store.insertPhone(phone);
    await store.reservePhoneRecipient(phone.id, `+1800555${2000 + i}`, Date.now());
    await store.insertApiKey(makeApiKey({ accountId, kind: i === 0 ? 'user' : 'phone' }));
    const webhook = makeWebhook({ accountId });
    await store.insertWebhook(webhook);
    await store.insertOutbox([makeOutbox({ accountId, webhookId: webhook.id })]);
    await store.insertThread(makeThread({ accountId, owner: phone.phoneNumber }));
    await store.insertHeartbeats([makeHeartbeat({ accountId, owner: phone.phoneNumber })]);
    await store.insertSendSchedule(makeSchedule({ accountId }));
    await store.addSuppression(makeSuppression({ accountId }));
    await store.insertDiscordIntegration(makeDiscordIntegration({ accountId }));
    if (i === 0) await store.putIntegration3cx(makeIntegration3cx({ accountId }));
    const now = Date.now();
    const pool = {
      id: uuid(),
      accountId,
      name: 'p',
      isDefault: false,
      createdAt: now,
      updatedAt: now,
    };
    await store.savePool(pool, [phone.id]);
    await store.setPoolContact({
      accountId,
      poolId: pool.id,
      contact: `+1800555${1000 + i}`,
      phoneId: phone.id,
      updatedAt: now,
    });
    const message = makeMessage({
      accountId,
      phoneId: phone.id,
      owner: phone.phoneNumber,
      ...(i === 0 ? { dueAt: Date.now(), leaseOwner: 'node-a', leaseUntil: Date.now() } : {}),
    });
    const idempotency = {
      accountId,
      key: `key-${uuid()}`,
      requestHash: 'hash',
      messageIds: [message.id],
      createdAt: Date.now(),
    };
    await store.insertMessages([message], { idempotency });
  }
  return accountId;
}

async function counts(ctx: GroupContext, accountId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ACCOUNT_TABLES) out[table] = await ctx.raw.countAccountRows(table, accountId);
  return out;
}

export function accountPurgeGroup(ctx: GroupContext): void {
  it('removes every row of the account in batches, keys first and the account last', async () => {
    const accountId = await seedAccount(ctx.store);
    const other = await seedAccount(ctx.store);
    const before = await counts(ctx, other);
    expect(await counts(ctx, accountId)).toEqual({
      ...Object.fromEntries(ACCOUNT_TABLES.map((table) => [table, 2])),
      integration_3cx: 1,
      accounts: 1,
    });

    expect(await ctx.store.purgeAccount(accountId, 0)).toBe(0);
    expect(await ctx.store.purgeAccount(accountId, 3)).toBe(2);
    expect(await ctx.raw.countAccountRows('api_keys', accountId)).toBe(0);
    expect(await ctx.raw.countAccountRows('messages', accountId)).toBe(2);
    let calls = 1;
    for (; calls < 100; calls += 1) {
      const left = await counts(ctx, accountId);
      const removed = await ctx.store.purgeAccount(accountId, 1);
      if (removed === 0) break;
      expect(removed).toBe(1);
      // The account row goes only when nothing else of the account is left.
      const others = Object.entries(left).filter(([t, n]) => t !== 'accounts' && n > 0);
      if (others.length > 0) expect(await ctx.raw.countAccountRows('accounts', accountId)).toBe(1);
    }
    // Two rows of each table, one 3CX row and the account row, one per call.
    expect(calls).toBe(2 * (ACCOUNT_TABLES.length - 3) + 3);
    expect(Object.values(await counts(ctx, accountId)).every((n) => n === 0)).toBe(true);
    expect(await ctx.store.getAccount(accountId)).toBeNull();
    expect(await counts(ctx, other)).toEqual(before);
    expect(await ctx.store.purgeAccount(uuid(), 10)).toBe(0);
  });

  it('takes a whole table in one call when the limit allows', async () => {
    const accountId = await seedAccount(ctx.store);
    const removed: number[] = [];
    for (let n = await ctx.store.purgeAccount(accountId, 1_000); n > 0; ) {
      removed.push(n);
      n = await ctx.store.purgeAccount(accountId, 1_000);
    }
    const tables = ACCOUNT_TABLES.filter((table) => table !== 'accounts');
    expect(removed).toEqual([...tables.map((t) => (t === 'integration_3cx' ? 1 : 2)), 1]);
  });
}
