/** Conformance (ClaimStore): the phone's pacing anchor (compare-and-set) and heartbeat-check claims. */
import { expect, it } from 'vitest';
import { makePhone } from '../../fixtures.js';
import { type GroupContext, ids } from '../context.js';

/** Far in the past, so rows of other tests never fall inside this group's claim windows. */
const EPOCH = Date.UTC(2001, 0, 1);

export function pacingGroup(ctx: GroupContext): void {
  it('reservePhoneSlot sets the anchor only when it still has the expected value', async () => {
    const phone = makePhone({ lastScheduledAt: null });
    await ctx.store.insertPhone(phone);
    expect(await ctx.store.reservePhoneSlot(phone.id, 5, 10)).toBe(false);
    expect(await ctx.store.reservePhoneSlot(phone.id, null, 1000)).toBe(true);
    expect((await ctx.store.getPhone(phone.id))?.lastScheduledAt).toBe(1000);
    expect(await ctx.store.reservePhoneSlot(phone.id, null, 2000)).toBe(false);
    expect(await ctx.store.reservePhoneSlot(phone.id, 1000, 7000)).toBe(true);
    expect((await ctx.store.getPhone(phone.id))?.lastScheduledAt).toBe(7000);
    expect(await ctx.store.reservePhoneSlot(globalThis.crypto.randomUUID(), null, 1)).toBe(false);
  });

  it('concurrent reservations from the same anchor: exactly one wins', async () => {
    const phone = makePhone({ lastScheduledAt: 100 });
    await ctx.store.insertPhone(phone);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => ctx.store.reservePhoneSlot(phone.id, 100, 200 + i)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect((await ctx.store.getPhone(phone.id))?.lastScheduledAt).toBe(200 + winner);
  });

  it('claims due heartbeat checks earliest first and moves them out by the lease', async () => {
    const now = EPOCH + 1_000_000;
    const due = [3, 1, 2].map((n) => makePhone({ heartbeatCheckAt: now - n * 1000 }));
    const later = makePhone({ heartbeatCheckAt: now + 5000 });
    const never = makePhone({ heartbeatCheckAt: null });
    for (const p of [...due, later, never]) await ctx.store.insertPhone(p);
    const first = await ctx.store.claimHeartbeatChecks({
      now,
      limit: 2,
      leaseMs: 60_000,
      claimer: 'a',
    });
    expect(ids(first)).toEqual([due[0]?.id, due[2]?.id]);
    expect(first.every((p) => p.heartbeatCheckAt === now + 60_000)).toBe(true);
    expect((await ctx.store.getPhone(due[0]?.id ?? ''))?.heartbeatCheckAt).toBe(now + 60_000);
    const second = await ctx.store.claimHeartbeatChecks({
      now,
      limit: 10,
      leaseMs: 60_000,
      claimer: 'b',
    });
    expect(ids(second)).toEqual([due[1]?.id]);
    const none = await ctx.store.claimHeartbeatChecks({ now, limit: 10, leaseMs: 1, claimer: 'c' });
    expect(none).toEqual([]);
    const afterLease = await ctx.store.claimHeartbeatChecks({
      now: now + 60_000,
      limit: 10,
      leaseMs: 1000,
      claimer: 'd',
    });
    expect(ids(afterLease).sort()).toEqual(
      [due[0]?.id, due[1]?.id, due[2]?.id, later.id].map(String).sort(),
    );
  });

  it('two concurrent heartbeat claimers never get the same phone', async () => {
    // Before the previous test's window, whose rows stay due after it.
    const now = EPOCH + 500_000;
    const phones = Array.from({ length: 40 }, (_, i) =>
      makePhone({ heartbeatCheckAt: now - 1000 - i }),
    );
    for (const p of phones) await ctx.store.insertPhone(p);
    const claim = (claimer: string) =>
      ctx.store.claimHeartbeatChecks({ now, limit: 7, leaseMs: 60_000, claimer });
    const rounds = await Promise.all(
      Array.from({ length: 8 }, (_, i) => claim(i % 2 === 0 ? 'a' : 'b')),
    );
    const got = rounds.flatMap((r) => ids(r));
    expect(new Set(got).size).toBe(got.length);
    expect(got.length).toBe(40);
  });
}
