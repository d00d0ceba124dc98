/**
 * Conformance (ClaimStore, stores that declare `crossProcess` and `skipLocked`):
 * a claim passes over rows another store's open transaction has locked and
 * takes the free ones at once, instead of waiting for that transaction to end.
 */
import { expect, it } from 'vitest';
import type { ClaimDueQuery } from '../../../store.js';
import { makeMessage, makePhone } from '../../fixtures.js';
import { type GroupContext, ids, uuid } from '../context.js';

/** Far in the past, so rows of other tests never fall inside the heartbeat claim window. */
const EPOCH = Date.UTC(1998, 0, 1);

export function skipLockedGroup(ctx: GroupContext): void {
  it('says its claims skip locked rows', () => {
    expect(ctx.store.capabilities.skipLocked).toBe(true);
  });

  it('claims the free due rows while another store holds a lock on the rest', async () => {
    const second = await ctx.openSecondStore();
    const phoneId = uuid();
    const now = Date.now();
    const rows = Array.from({ length: 10 }, (_, i) =>
      makeMessage({ phoneId, status: 'scheduled', dueAt: now - 100 + i }),
    );
    await ctx.store.insertMessages(rows);
    const query = (claimer: string, limit: number): ClaimDueQuery => ({
      now,
      phoneIds: [phoneId],
      limit,
      leaseMs: 60_000,
      claimer,
    });
    const { held, free } = await ctx.store.transaction(async (tx) => {
      // The transaction's claim locks its rows until it commits.
      const held = await tx.claimDue(query('holder', 4));
      const free = await second.claimDue(query('other', 100));
      return { held, free };
    });
    expect(ids(held)).toEqual(ids(rows.slice(0, 4)));
    expect(ids(free)).toEqual(ids(rows.slice(4)));
  });

  it('claims the free heartbeat checks while another store holds a lock on the rest', async () => {
    const second = await ctx.openSecondStore();
    const now = EPOCH + 500_000;
    const phones = Array.from({ length: 6 }, (_, i) =>
      makePhone({ heartbeatCheckAt: now - 1000 + i }),
    );
    for (const p of phones) await ctx.store.insertPhone(p);
    const claim = (s: typeof second, claimer: string, limit: number) =>
      s.claimHeartbeatChecks({ now, limit, leaseMs: 60_000, claimer });
    const { held, free } = await ctx.store.transaction(async (tx) => {
      const held = await claim(tx, 'holder', 2);
      const free = await claim(second, 'other', 100);
      return { held, free };
    });
    expect(ids(held)).toEqual(ids(phones.slice(0, 2)));
    expect(ids(free)).toEqual(ids(phones.slice(2)));
    // Both claims committed: every check moved out by the lease.
    for (const p of phones)
      expect((await ctx.raw.phone(p.id))?.heartbeatCheckAt).toBe(now + 60_000);
  });
}
