/**
 * Conformance (ClaimStore): the phone's pacing anchor (compare-and-set) and
 * heartbeat-check claims. What a reservation or a claim left behind is read from
 * the phone row itself (`RawReader.phone`), never through the store's getters.
 */
import { expect, it } from 'vitest';
import { makePhone } from '../../fixtures.js';
import { type GroupContext, ids } from '../context.js';

/** Far in the past, so rows of other tests never fall inside this group's claim windows. */
const EPOCH = Date.UTC(2001, 0, 1);

export function pacingGroup(ctx: GroupContext): void {
  const anchor = async (id: string) => (await ctx.raw.phone(id))?.lastScheduledAt;
  const checkAt = async (id: string) => (await ctx.raw.phone(id))?.heartbeatCheckAt;

  it('reservePhoneSlot sets the anchor only when it still has the expected value', async () => {
    const phone = makePhone({ lastScheduledAt: null });
    await ctx.store.insertPhone(phone);
    expect(await ctx.store.reservePhoneSlot(phone.id, 5, 10)).toBe(false);
    expect(await anchor(phone.id)).toBeNull();
    expect(await ctx.store.reservePhoneSlot(phone.id, null, 1000)).toBe(true);
    expect(await anchor(phone.id)).toBe(1000);
    expect(await ctx.store.reservePhoneSlot(phone.id, null, 2000)).toBe(false);
    expect(await anchor(phone.id)).toBe(1000);
    expect(await ctx.store.reservePhoneSlot(phone.id, 999, 2000)).toBe(false);
    expect(await anchor(phone.id)).toBe(1000);
    expect(await ctx.store.reservePhoneSlot(phone.id, 1000, 7000)).toBe(true);
    expect(await anchor(phone.id)).toBe(7000);
    expect(await ctx.store.reservePhoneSlot(globalThis.crypto.randomUUID(), null, 1)).toBe(false);
  });

  it('reservePhoneSlot moves the anchor of its phone only, and no heartbeat state', async () => {
    // A check far in the future: never due for this group's heartbeat claims.
    const checkAtFar = Date.UTC(2100, 0, 1);
    const phone = makePhone({
      lastScheduledAt: 100,
      heartbeatCheckAt: checkAtFar,
      lastHeartbeatAt: 50,
      online: false,
    });
    const other = makePhone({ accountId: phone.accountId, lastScheduledAt: 100 });
    await ctx.store.insertPhone(phone);
    await ctx.store.insertPhone(other);
    expect(await ctx.store.reservePhoneSlot(phone.id, 100, 6100)).toBe(true);
    expect(await ctx.raw.phone(phone.id)).toMatchObject({
      lastScheduledAt: 6100,
      heartbeatCheckAt: checkAtFar,
      lastHeartbeatAt: 50,
      online: false,
      messagesPerMinute: phone.messagesPerMinute,
    });
    expect(await anchor(other.id)).toBe(100);
  });

  it('concurrent reservations from the same anchor: exactly one wins', async () => {
    const phone = makePhone({ lastScheduledAt: 100 });
    await ctx.store.insertPhone(phone);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => ctx.store.reservePhoneSlot(phone.id, 100, 200 + i)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await anchor(phone.id)).toBe(200 + winner);
  });

  it('a chain of reservations, each from the anchor the previous one left, all win', async () => {
    const phone = makePhone({ lastScheduledAt: null });
    await ctx.store.insertPhone(phone);
    let expected: number | null = null;
    for (let slot = 1000; slot <= 10_000; slot += 1000) {
      expect(await ctx.store.reservePhoneSlot(phone.id, expected, slot)).toBe(true);
      expected = slot;
      expect(await anchor(phone.id)).toBe(slot);
    }
  });

  const gate = async (id: string) => (await ctx.raw.phone(id))?.lastHandoffAt;

  it('reservePhoneHandoff takes a hand-off only a spacing after the last one', async () => {
    const phone = makePhone({ lastHandoffAt: null, lastScheduledAt: 50_000 });
    await ctx.store.insertPhone(phone);
    // The first hand-off of a phone always goes.
    expect(await ctx.store.reservePhoneHandoff(phone.id, 10_000, 6000)).toBe(true);
    expect(await gate(phone.id)).toBe(10_000);
    // Within the spacing: refused, nothing changes.
    expect(await ctx.store.reservePhoneHandoff(phone.id, 15_999, 6000)).toBe(false);
    expect(await gate(phone.id)).toBe(10_000);
    // Exactly the spacing later: taken.
    expect(await ctx.store.reservePhoneHandoff(phone.id, 16_000, 6000)).toBe(true);
    expect(await gate(phone.id)).toBe(16_000);
    // No spacing: any time not before the last hand-off.
    expect(await ctx.store.reservePhoneHandoff(phone.id, 15_000, 0)).toBe(false);
    expect(await ctx.store.reservePhoneHandoff(phone.id, 16_000, 0)).toBe(true);
    // The planning anchor is left alone; an unknown phone takes nothing.
    expect(await anchor(phone.id)).toBe(50_000);
    expect(await ctx.store.reservePhoneHandoff(globalThis.crypto.randomUUID(), 1, 0)).toBe(false);
  });

  it('concurrent hand-offs of one phone within a spacing: exactly one is taken', async () => {
    const phone = makePhone({ lastHandoffAt: 1000 });
    const other = makePhone({ accountId: phone.accountId, lastHandoffAt: 1000 });
    await ctx.store.insertPhone(phone);
    await ctx.store.insertPhone(other);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => ctx.store.reservePhoneHandoff(phone.id, 7000 + i, 6000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await gate(phone.id)).toBe(7000 + results.indexOf(true));
    expect(await gate(other.id)).toBe(1000);
  });

  it('claims due heartbeat checks earliest first and moves them out by the lease', async () => {
    const now = EPOCH + 1_000_000;
    const due = [3, 1, 2].map((n) =>
      makePhone({ heartbeatCheckAt: now - n * 1000, lastScheduledAt: 42 }),
    );
    const later = makePhone({ heartbeatCheckAt: now + 5000 });
    const never = makePhone({ heartbeatCheckAt: null });
    for (const p of [...due, later, never]) await ctx.store.insertPhone(p);
    const [d3, d1, d2] = due.map((p) => p.id) as [string, string, string];
    const first = await ctx.store.claimHeartbeatChecks({
      now,
      limit: 2,
      leaseMs: 60_000,
      claimer: 'a',
    });
    expect(ids(first)).toEqual([d3, d2]);
    expect(first.every((p) => p.heartbeatCheckAt === now + 60_000)).toBe(true);
    expect(await checkAt(d3)).toBe(now + 60_000);
    expect(await checkAt(d2)).toBe(now + 60_000);
    // Not claimed: the third due phone stays due, the others as they were.
    expect(await checkAt(d1)).toBe(now - 1000);
    expect(await checkAt(later.id)).toBe(now + 5000);
    expect(await checkAt(never.id)).toBeNull();
    // A heartbeat claim leaves the pacing anchor alone.
    expect(await anchor(d3)).toBe(42);
    const second = await ctx.store.claimHeartbeatChecks({
      now,
      limit: 10,
      leaseMs: 60_000,
      claimer: 'b',
    });
    expect(ids(second)).toEqual([d1]);
    expect(await checkAt(d1)).toBe(now + 60_000);
    const none = await ctx.store.claimHeartbeatChecks({ now, limit: 10, leaseMs: 1, claimer: 'c' });
    expect(none).toEqual([]);
    expect(await checkAt(d1)).toBe(now + 60_000);
    const afterLease = await ctx.store.claimHeartbeatChecks({
      now: now + 60_000,
      limit: 10,
      leaseMs: 1000,
      claimer: 'd',
    });
    expect(ids(afterLease).sort()).toEqual([d3, d1, d2, later.id].sort());
    for (const id of [d3, d1, d2, later.id]) expect(await checkAt(id)).toBe(now + 61_000);
    expect(await checkAt(never.id)).toBeNull();
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
    for (const p of phones) expect(await checkAt(p.id)).toBe(now + 60_000);
  });
}
