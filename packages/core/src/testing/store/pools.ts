/** Conformance (PoolStore): pools, their members, sticky senders, links and failover candidates. */
import { expect, it } from 'vitest';
import type { PoolRecord } from '../../domain/records.js';
import { makeMessage, makePhone, randomPhoneNumber } from '../fixtures.js';
import { type GroupContext, ids, uuid } from './context.js';

function makePool(overrides: Partial<PoolRecord> = {}): PoolRecord {
  const now = Date.now();
  return {
    id: uuid(),
    accountId: uuid(),
    name: 'senders',
    isDefault: false,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

const sortedIds = (rows: readonly { id: string }[]) => ids(rows).sort();

export function poolsGroup(ctx: GroupContext): void {
  async function phones(accountId: string, n: number) {
    const made = Array.from({ length: n }, () => makePhone({ accountId }));
    for (const phone of made) await ctx.store.insertPhone(phone);
    return made;
  }

  it('saves a pool with its members, and moves a phone out of its other pool', async () => {
    const accountId = uuid();
    const [a, b, c] = await phones(accountId, 3);
    const stranger = (await phones(uuid(), 1))[0]!;
    const first = makePool({ accountId, createdAt: 1_000 });
    expect(await ctx.store.savePool(first, [a!.id, b!.id, stranger.id])).toEqual(first);
    expect(sortedIds(await ctx.store.listPoolMembers(first.id))).toEqual(sortedIds([a!, b!]));
    expect((await ctx.store.getPhone(stranger.id))?.poolId).toBeNull();

    const second = makePool({ accountId, createdAt: 2_000 });
    await ctx.store.savePool(second, [b!.id, c!.id]);
    expect(ids(await ctx.store.listPoolMembers(first.id))).toEqual([a!.id]);
    expect(sortedIds(await ctx.store.listPoolMembers(second.id))).toEqual(sortedIds([b!, c!]));
    expect((await ctx.store.getPhone(b!.id))?.poolId).toBe(second.id);
    expect(ids(await ctx.store.listPools(accountId))).toEqual([first.id, second.id]);
  });

  it('updates a pool in place: name, default flag and members', async () => {
    const accountId = uuid();
    const [a, b] = await phones(accountId, 2);
    const pool = makePool({ accountId, isDefault: true });
    await ctx.store.savePool(pool, [a!.id, b!.id]);
    const renamed = { ...pool, name: 'renamed', updatedAt: pool.updatedAt + 5 };
    expect(await ctx.store.savePool({ ...renamed, createdAt: 1 }, [b!.id])).toEqual(renamed);
    expect(await ctx.store.getPool(accountId, pool.id)).toEqual(renamed);
    expect(ids(await ctx.store.listPoolMembers(pool.id))).toEqual([b!.id]);
    expect((await ctx.store.getPhone(a!.id))?.poolId).toBeNull();
    expect(await ctx.store.getPool(uuid(), pool.id)).toBeNull();
  });

  it('keeps one default pool per account', async () => {
    const accountId = uuid();
    const first = makePool({ accountId, isDefault: true, createdAt: 1_000 });
    const second = makePool({ accountId, isDefault: true, createdAt: 2_000 });
    const elsewhere = makePool({ isDefault: true });
    expect(await ctx.store.getDefaultPool(accountId)).toBeNull();
    await ctx.store.savePool(elsewhere, []);
    await ctx.store.savePool(first, []);
    expect((await ctx.store.getDefaultPool(accountId))?.id).toBe(first.id);
    await ctx.store.savePool(second, []);
    expect((await ctx.store.getDefaultPool(accountId))?.id).toBe(second.id);
    expect((await ctx.store.getPool(accountId, first.id))?.isDefault).toBe(false);
    expect((await ctx.store.getDefaultPool(elsewhere.accountId))?.id).toBe(elsewhere.id);
  });

  it('deletes a pool: its phones stay, in no pool, and its sticky senders go', async () => {
    const accountId = uuid();
    const [a] = await phones(accountId, 1);
    const pool = makePool({ accountId });
    await ctx.store.savePool(pool, [a!.id]);
    const contact = randomPhoneNumber();
    await ctx.store.setPoolContact({
      accountId,
      poolId: pool.id,
      contact,
      phoneId: a!.id,
      updatedAt: 1,
    });
    expect(await ctx.store.deletePool(uuid(), pool.id)).toBeNull();
    expect(await ctx.store.deletePool(accountId, pool.id)).toEqual(pool);
    expect(await ctx.store.getPool(accountId, pool.id)).toBeNull();
    expect((await ctx.store.getPhone(a!.id))?.poolId).toBeNull();
    expect(await ctx.store.getPoolContact(pool.id, contact)).toBeNull();
    expect(await ctx.store.deletePool(accountId, pool.id)).toBeNull();
  });

  it('records the sticky sender of a contact, one per pool and contact', async () => {
    const accountId = uuid();
    const poolId = uuid();
    const contact = randomPhoneNumber();
    const [a, b] = [uuid(), uuid()];
    expect(await ctx.store.getPoolContact(poolId, contact)).toBeNull();
    const row = { accountId, poolId, contact, phoneId: a, updatedAt: 1_000 };
    await ctx.store.setPoolContact(row);
    expect(await ctx.store.getPoolContact(poolId, contact)).toEqual(row);
    await ctx.store.transaction(async (tx) => {
      await tx.setPoolContact({ ...row, phoneId: b, updatedAt: 2_000 });
    });
    expect(await ctx.store.getPoolContact(poolId, contact)).toEqual({
      ...row,
      phoneId: b,
      updatedAt: 2_000,
    });
    expect(await ctx.store.getPoolContact(uuid(), contact)).toBeNull();
  });

  it('lists the pool members that cannot send: offline, or a link not seen since the cutoff', async () => {
    const accountId = uuid();
    const [healthy, offline, dropped, pushed, outside] = await phones(accountId, 5);
    const pool = makePool({ accountId });
    await ctx.store.savePool(
      pool,
      [healthy!, offline!, dropped!, pushed!].map((p) => p.id),
    );
    await ctx.store.updatePhone(offline!.id, { online: false });
    await ctx.store.updatePhone(outside!.id, { online: false });
    await ctx.store.touchPhoneLinks([healthy!.id, dropped!.id], 1_000);
    await ctx.store.touchPhoneLinks([healthy!.id], 5_000);
    // An older time never moves a link back.
    await ctx.store.touchPhoneLinks([healthy!.id], 2_000);
    expect((await ctx.store.getPhone(healthy!.id))?.linkSeenAt).toBe(5_000);
    expect((await ctx.store.getPhone(pushed!.id))?.linkSeenAt).toBeNull();
    // A phone in no pool is not marked: only failover reads the mark.
    await ctx.store.touchPhoneLinks([outside!.id], 1_000);
    expect((await ctx.store.getPhone(outside!.id))?.linkSeenAt).toBeNull();
    const unhealthy = await ctx.store.listUnhealthyPoolPhones({
      linkSeenBefore: 3_000,
      afterId: null,
      limit: 100,
    });
    const mine = unhealthy.filter((p) => p.accountId === accountId);
    expect(sortedIds(mine)).toEqual(sortedIds([offline!, dropped!]));
    const [low] = sortedIds([offline!, dropped!]);
    const after = await ctx.store.listUnhealthyPoolPhones({
      linkSeenBefore: 3_000,
      afterId: low!,
      limit: 100,
    });
    expect(ids(after)).not.toContain(low);
  });

  it("keeps a message's pool, priority and validity, and claims only pooled rows when asked to", async () => {
    const accountId = uuid();
    const phoneId = uuid();
    const now = Date.now();
    const make = (poolId: string | null) =>
      makeMessage({ accountId, phoneId, poolId, status: 'pending', dueAt: now });
    const pooled = { ...make(uuid()), priority: 100, validUntil: now + 60_000 };
    const plain = { ...make(null), priority: -128 };
    await ctx.store.insertMessages([pooled, plain]);
    expect(await ctx.store.getMessage(accountId, pooled.id)).toMatchObject({
      poolId: pooled.poolId,
      priority: 100,
      validUntil: now + 60_000,
    });
    expect((await ctx.store.getMessage(accountId, plain.id))?.priority).toBe(-128);
    const query = { now, phoneIds: [phoneId], limit: 10, leaseMs: 1_000, claimer: 'sweep' };
    expect(ids(await ctx.store.claimDue({ ...query, pooledOnly: true }))).toEqual([pooled.id]);
    expect(ids(await ctx.store.claimDue(query))).toEqual([plain.id]);
  });
}
