/** `listGroups`: the account's groups, filtered by device and time, ordered, paged, counted. */
import { beforeAll, expect, it } from 'vitest';
import type { GroupListQuery, GroupRecord } from '../../src/store/types.js';
import { CONTACTS, type Group, makeGroup, newAccount, sendTo } from './context.js';

export const groupQueries: Group = (ctx) => {
  let accountId = '';
  const stored = new Map<string, GroupRecord>();
  // id → (device, createdAt): two ties on createdAt (3000), two devices.
  const layout: [id: string, deviceId: string, createdAt: number][] = [
    ['g-a', 'dev-1', 1_000],
    ['g-b', 'dev-2', 2_000],
    ['g-d', 'dev-1', 3_000],
    ['g-c', 'dev-2', 3_000],
    ['g-e', 'dev-1', 4_000],
  ];
  const ids = (groups: GroupRecord[]) => groups.map((g) => g.id);
  const list = (query: Partial<GroupListQuery>) =>
    ctx.store.listGroups({ accountId, skip: 0, limit: 100, ...query });

  beforeAll(async () => {
    accountId = await newAccount(ctx);
    for (const [id, deviceId, createdAt] of layout) {
      const group = makeGroup(accountId, { id, deviceId, createdAt });
      const { group: kept } = await ctx.store.acceptGroup(
        group,
        sendTo(ctx, accountId, [CONTACTS[0]]),
      );
      stored.set(id, kept);
    }
    // Another account's group, in the same time range, never shows.
    const otherAccount = await newAccount(ctx);
    await ctx.store.acceptGroup(
      makeGroup(otherAccount, { id: 'g-x', deviceId: 'dev-1', createdAt: 2_500 }),
      sendTo(ctx, otherAccount, [CONTACTS[0]]),
    );
  });

  it('lists newest first by default, ties on time by id, with the total', async () => {
    const result = await list({});
    expect(ids(result.groups)).toEqual(['g-e', 'g-d', 'g-c', 'g-b', 'g-a']);
    expect(result.total).toBe(5);
    expect(result.groups[0]).toEqual(stored.get('g-e'));
    expect(ids((await list({ order: 'desc' })).groups)).toEqual(ids(result.groups));
  });

  it('lists oldest first on request', async () => {
    expect(ids((await list({ order: 'asc' })).groups)).toEqual(['g-a', 'g-b', 'g-c', 'g-d', 'g-e']);
  });

  it('filters by device; null or absent means every device', async () => {
    expect(await list({ deviceId: 'dev-2' })).toEqual({
      groups: [stored.get('g-c'), stored.get('g-b')],
      total: 2,
    });
    expect((await list({ deviceId: null })).total).toBe(5);
    expect(await list({ deviceId: 'no-such-device' })).toEqual({ groups: [], total: 0 });
  });

  it('filters on createdAt: from inclusive, to exclusive', async () => {
    const window = await list({ from: 2_000, to: 4_000, order: 'asc' });
    expect(ids(window.groups)).toEqual(['g-b', 'g-c', 'g-d']);
    expect(window.total).toBe(3);
    expect(ids((await list({ from: 3_000 })).groups)).toEqual(['g-e', 'g-d', 'g-c']);
    expect(ids((await list({ to: 2_000 })).groups)).toEqual(['g-a']);
    expect(ids((await list({ from: null, to: null })).groups)).toHaveLength(5);
    const both = await list({ deviceId: 'dev-1', from: 1_001, to: 4_001 });
    expect(both).toEqual({ groups: [stored.get('g-e'), stored.get('g-d')], total: 2 });
  });

  it('pages with skip and limit; the total counts every match', async () => {
    expect(await list({ skip: 1, limit: 2 })).toEqual({
      groups: [stored.get('g-d'), stored.get('g-c')],
      total: 5,
    });
    expect(ids((await list({ skip: 4, limit: 2 })).groups)).toEqual(['g-a']);
    expect(await list({ skip: 5, limit: 2 })).toEqual({ groups: [], total: 5 });
    expect(await list({ skip: 0, limit: 0 })).toEqual({ groups: [], total: 5 });
    expect(await list({ deviceId: 'dev-1', order: 'asc', skip: 1, limit: 1 })).toEqual({
      groups: [stored.get('g-d')],
      total: 3,
    });
  });

  it('lists nothing for an account without groups', async () => {
    expect(await ctx.store.listGroups({ accountId: 'nobody', skip: 0, limit: 10 })).toEqual({
      groups: [],
      total: 0,
    });
  });
};
