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
}
