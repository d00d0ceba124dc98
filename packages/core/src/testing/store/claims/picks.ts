/**
 * Conformance (ClaimStore): `pickDue`, a claim held by the caller's transaction
 * instead of a lease. The cross-process part (another store's claims skip the
 * picks until the transaction ends) runs on stores that declare `crossProcess`
 * and `skipLocked`.
 */
import { expect, it } from 'vitest';
import type { MessageRecord } from '../../../domain/records.js';
import type { ClaimDueQuery } from '../../../store.js';
import { makeMessage } from '../../fixtures.js';
import { type GroupContext, ids, uuid } from '../context.js';

function phoneRows(count: number, o: Partial<MessageRecord> = {}) {
  const phoneId = uuid();
  const now = Date.now();
  const rows = Array.from({ length: count }, (_, i) =>
    makeMessage({ phoneId, status: 'pending', dueAt: now - 100 + i, ...o }),
  );
  const query = (claimer: string, limit = 100): ClaimDueQuery => ({
    now,
    phoneIds: [phoneId],
    limit,
    leaseMs: 60_000,
    claimer,
  });
  return { phoneId, now, rows, query };
}

export function picksGroup(ctx: GroupContext): void {
  it('picks what a claim would take, in claim order, and writes no lease', async () => {
    const { now, rows, query, phoneId } = phoneRows(5);
    const leased = makeMessage({ phoneId, dueAt: now - 500, leaseOwner: 'x', leaseUntil: now + 1 });
    const lapsed = makeMessage({ phoneId, dueAt: now - 400, leaseOwner: 'y', leaseUntil: now });
    const later = makeMessage({ phoneId, dueAt: now + 1 });
    const elsewhere = makeMessage({ phoneId: uuid(), dueAt: now - 1000 });
    await ctx.store.insertMessages([...rows, leased, lapsed, later, elsewhere]);
    const picked = await ctx.store.transaction((tx) =>
      tx.pickDue({ now, phoneIds: [phoneId], limit: 4 }),
    );
    expect(ids(picked)).toEqual([lapsed.id, ...ids(rows.slice(0, 3))]);
    expect(picked[0]).toEqual(lapsed);
    for (const row of rows) expect((await ctx.raw.message(row.id))?.leaseOwner).toBeNull();
    // Nothing was leased: a claim takes the same rows.
    expect(ids(await ctx.store.claimDue(query('c', 4)))).toEqual(ids(picked));
    expect(
      await ctx.store.transaction((tx) => tx.pickDue({ now, phoneIds: [], limit: 9 })),
    ).toEqual([]);
  });

  it('keeps what the transaction wrote to its picks, and frees them on a rollback', async () => {
    const { rows, query } = phoneRows(4);
    await ctx.store.insertMessages(rows);
    const boom = new Error('rolled back');
    await expect(
      ctx.store.transaction(async (tx) => {
        const picked = await tx.pickDue({ ...query('t'), limit: 2 });
        await tx.transitionMany(
          picked.map((m) => ({ id: m.id, expected: ['pending'], patch: { status: 'scheduled' } })),
        );
        throw boom;
      }),
    ).rejects.toBe(boom);
    const written = await ctx.store.transaction(async (tx) => {
      const picked = await tx.pickDue({ ...query('t'), limit: 2 });
      return tx.transitionMany(
        picked.map((m) => ({
          id: m.id,
          expected: ['pending'],
          patch: { status: 'scheduled', dueAt: null },
        })),
      );
    });
    expect(written.map((m) => m?.id)).toEqual(ids(rows.slice(0, 2)));
    expect(ids(await ctx.store.claimDue(query('c')))).toEqual(ids(rows.slice(2)));
  });
}

export function crossProcessPicksGroup(ctx: GroupContext): void {
  it("another store's claims pass over the picks until the transaction ends", async () => {
    const second = await ctx.openSecondStore();
    const { rows, query } = phoneRows(10);
    await ctx.store.insertMessages(rows);
    const { picked, free } = await ctx.store.transaction(async (tx) => {
      const picked = await tx.pickDue({ ...query('holder'), limit: 4 });
      const free = await second.claimDue(query('other', 3));
      return { picked, free };
    });
    expect(ids(picked)).toEqual(ids(rows.slice(0, 4)));
    expect(ids(free)).toEqual(ids(rows.slice(4, 7)));
    // The holder wrote nothing: its picks are free again.
    expect(ids(await second.claimDue(query('other')))).toEqual([
      ...ids(rows.slice(0, 4)),
      ...ids(rows.slice(7)),
    ]);
  });
}
