/**
 * Conformance (ClaimStore): `claimDue` with long phone lists, with due rows of
 * phones the claimer does not reach ahead of its own, and with lists that change
 * between claims. A store may read long lists and short ones differently; the
 * answer is the same.
 */
import { expect, it } from 'vitest';
import type { MessageRecord } from '../../../domain/records.js';
import type { ClaimDueQuery } from '../../../store.js';
import { makeMessage } from '../../fixtures.js';
import { type GroupContext, ids, uuid } from '../context.js';

/** More phone ids than any store reads one by one from the statement. */
const MANY = 300;

export function dueReachGroup(ctx: GroupContext): void {
  const accountId = uuid();
  const base = Date.now() - 3_600_000;
  const row = (phoneId: string, dueAt: number, o: Partial<MessageRecord> = {}) =>
    makeMessage({ accountId, phoneId, status: 'scheduled', dueAt, ...o });
  const claim = (phoneIds: readonly string[], q: Partial<ClaimDueQuery> = {}) =>
    ctx.store.claimDue({ now: base, phoneIds, limit: 4, leaseMs: 60_000, claimer: 'r', ...q });
  /** `mine` among `count` ids, the others reaching nothing. */
  const list = (mine: readonly string[], count: number) => {
    const others = Array.from({ length: count - mine.length }, uuid);
    return [...others.slice(0, count >> 1), ...mine, ...others.slice(count >> 1)];
  };

  for (const count of [3, MANY]) {
    it(`skips older due rows of unlisted phones (${count} phone ids)`, async () => {
      const [a, b, away] = [uuid(), uuid(), uuid()];
      // Far more unlisted rows than a claim takes, all due before the listed ones.
      const unlisted = Array.from({ length: 60 }, (_, n) => row(away, base - 10_000 + n));
      const listed = Array.from({ length: 10 }, (_, n) => row(n % 2 ? a : b, base - 5_000 + n));
      await ctx.store.insertMessages([...listed.slice(5), ...unlisted, ...listed.slice(0, 5)]);
      const phones = list([a, b], count);
      expect(ids(await claim(phones))).toEqual(ids(listed.slice(0, 4)));
      expect(ids(await claim(phones))).toEqual(ids(listed.slice(4, 8)));
      expect(ids(await claim(phones))).toEqual(ids(listed.slice(8)));
      expect(await claim(phones)).toEqual([]);
      expect(ids(await claim([away], { limit: 100 }))).toEqual(ids(unlisted));
    });

    it(`hands out expired leases of listed phones only (${count} phone ids)`, async () => {
      const [a, away] = [uuid(), uuid()];
      const expired = row(a, base - 3_000, { leaseOwner: 'gone', leaseUntil: base - 1 });
      const held = row(a, base - 4_000, { leaseOwner: 'live', leaseUntil: base + 1 });
      const free = row(a, base - 2_000);
      const otherExpired = row(away, base - 5_000, { leaseOwner: 'gone', leaseUntil: base - 1 });
      await ctx.store.insertMessages([free, held, otherExpired, expired]);
      const claimed = await claim(list([a], count), { claimer: 'next', limit: 10 });
      expect(ids(claimed)).toEqual([expired.id, free.id]);
      expect((await ctx.raw.message(expired.id))?.leaseOwner).toBe('next');
      expect((await ctx.raw.message(held.id))?.leaseOwner).toBe('live');
      expect((await ctx.raw.message(otherExpired.id))?.leaseOwner).toBe('gone');
    });

    it(`claims only pooled rows when asked (${count} phone ids)`, async () => {
      const a = uuid();
      const direct = row(a, base - 2_000);
      const pooled = row(a, base - 1_000, { poolId: uuid() });
      await ctx.store.insertMessages([direct, pooled]);
      const phones = list([a], count);
      expect(ids(await claim(phones, { pooledOnly: true }))).toEqual([pooled.id]);
      expect(ids(await claim(phones))).toEqual([direct.id]);
    });
  }

  it('takes listed rows among and after many unlisted ones, in due order (long list)', async () => {
    const [a, away] = [uuid(), uuid()];
    const listed = Array.from({ length: 6 }, (_, n) => row(a, base - 9_000 + n * 1_000));
    // One listed row first, then more unlisted rows than a claim walks, then the rest.
    const unlisted = Array.from({ length: 40 }, (_, n) => row(away, base - 8_900 + n));
    await ctx.store.insertMessages([...unlisted, ...listed]);
    const phones = list([a], MANY);
    expect(ids(await claim(phones))).toEqual(ids(listed.slice(0, 4)));
    expect(ids(await claim(phones))).toEqual(ids(listed.slice(4)));
    expect(await claim(phones)).toEqual([]);
  });

  it('reports the next due time of a long list its claimer claimed with', async () => {
    const [a, b, away] = [uuid(), uuid(), uuid()];
    const phones = list([a, b], MANY);
    const claimer = 'next-due';
    // More free rows of an unlisted phone, due first, than a store reads in due order
    // before it reads the listed phones' rows one by one.
    const unlisted = Array.from({ length: 1_100 }, (_, n) => row(away, base + 1_000 + n));
    await ctx.store.insertMessages([...unlisted, row(a, base + 60_000)]);
    // Nothing is due yet: the claim takes nothing (a store may keep its list).
    expect(await claim(phones, { claimer })).toEqual([]);
    expect(await ctx.store.nextDueAt(phones, claimer)).toBe(base + 60_000);
    await ctx.store.insertMessages([row(b, base + 500)]);
    expect(await ctx.store.nextDueAt(phones, claimer)).toBe(base + 500);
    // Leased rows count too.
    await ctx.store.insertMessages([
      row(a, base + 100, { leaseOwner: 'live', leaseUntil: base + 10_000 }),
    ]);
    expect(await ctx.store.nextDueAt(phones, claimer)).toBe(base + 100);
    // Another list than the one claimed with: the answer is the same as without a claimer.
    const onlyB = list([b], MANY);
    expect(await ctx.store.nextDueAt(onlyB, claimer)).toBe(base + 500);
    expect(await ctx.store.nextDueAt(onlyB)).toBe(base + 500);
    expect(await ctx.store.nextDueAt(list([], MANY), claimer)).toBeNull();
  });

  it('follows a long phone list that changes between claims', async () => {
    const phones = Array.from({ length: MANY }, uuid);
    const [a, b, c] = [phones[7]!, phones[150]!, uuid()];
    const rows = [row(a, base - 3_000), row(b, base - 2_000), row(c, base - 1_000)];
    await ctx.store.insertMessages(rows);
    const without = (id: string) => phones.filter((p) => p !== id);
    // b leaves, c joins, then b comes back: each claim sees the list it was given.
    expect(ids(await claim([...without(b), c], { limit: 1 }))).toEqual([rows[0]!.id]);
    expect(ids(await claim(without(b)))).toEqual([]);
    expect(ids(await claim([...without(b), c]))).toEqual([rows[2]!.id]);
    expect(ids(await claim(Array.from({ length: MANY }, uuid)))).toEqual([]);
    expect(ids(await claim(phones))).toEqual([rows[1]!.id]);
  });

  it('keeps the long lists of two claimers apart, each changing between claims', async () => {
    const [a, b, c] = [uuid(), uuid(), uuid()];
    const rows = [a, b, c, a, b, c].map((phone, n) => row(phone, base - 6_000 + n));
    await ctx.store.insertMessages(rows);
    const first = list([a], MANY);
    const second = list([b], MANY);
    const one = (phoneIds: readonly string[]) => claim(phoneIds, { claimer: 'r1', limit: 1 });
    const two = (phoneIds: readonly string[]) => claim(phoneIds, { claimer: 'r2', limit: 1 });
    expect(ids(await one(first))).toEqual([rows[0]!.id]);
    expect(ids(await two(second))).toEqual([rows[1]!.id]);
    // r1 now reaches c instead of a; r2 keeps its list.
    const moved = first.map((p) => (p === a ? c : p));
    expect(ids(await one(moved))).toEqual([rows[2]!.id]);
    expect(ids(await two(second))).toEqual([rows[4]!.id]);
    expect(ids(await one(moved))).toEqual([rows[5]!.id]);
    expect(await two(second)).toEqual([]);
    expect(await one(moved)).toEqual([]);
    expect(ids(await one(first))).toEqual([rows[3]!.id]);
  });

  it('claims with the list it is given after a pick with another list rolled back', async () => {
    const [a, b] = [uuid(), uuid()];
    const [ofA, ofB] = [row(a, base - 2_000), row(b, base - 1_000)];
    await ctx.store.insertMessages([ofA, ofB]);
    const withA = list([a], MANY);
    const withB = withA.map((p) => (p === a ? b : p));
    expect(await claim(withA, { now: base - 10_000 })).toEqual([]);
    await expect(
      ctx.store.transaction(async (tx) => {
        const picked = await tx.pickDue({ now: base, phoneIds: withB, limit: 4, claimer: 'r' });
        expect(ids(picked)).toEqual([ofB.id]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    // The same list again, then the first: each claim takes its own phone's row only.
    const picked = await ctx.store.transaction((tx) =>
      tx.pickDue({ now: base, phoneIds: withB, limit: 4, claimer: 'r' }),
    );
    expect(ids(picked)).toEqual([ofB.id]);
    expect(ids(await claim(withA))).toEqual([ofA.id]);
    expect(ids(await claim(withB))).toEqual([ofB.id]);
  });

  it('takes only the phones of its own list when one claimer claims with two lists at once', async () => {
    const phones = Array.from({ length: 8 }, uuid);
    const rows = Array.from({ length: 64 }, (_, n) => row(phones[n % 8]!, base - 9_000 + n));
    await ctx.store.insertMessages(rows);
    const halves = [phones.slice(0, 4), phones.slice(4)].map((mine) => list(mine, MANY));
    const taken: MessageRecord[] = [];
    for (let round = 0; round < 8; round++) {
      const [x, y] = await Promise.all(halves.map((h) => claim(h, { limit: 3 })));
      for (const [k, got] of [x!, y!].entries()) {
        for (const m of got) expect(halves[k]).toContain(m.phoneId);
        taken.push(...got);
      }
    }
    expect(new Set(ids(taken)).size).toBe(taken.length);
  });
}
