/** Conformance (ClaimStore): `claimDue` hands each due row to exactly one claimer, under a lease; `nextDueAt`. */
import { expect, it } from 'vitest';
import type { MessageRecord } from '../../../domain/records.js';
import type { ClaimDueQuery } from '../../../store.js';
import { makeMessage } from '../../fixtures.js';
import { drain, type GroupContext, idSet, ids, uuid } from '../context.js';

/** Claims made with `'all'` run at this time, long before any real row is due. */
const ANCIENT = Date.UTC(1971, 0, 1);

export function dueGroup(ctx: GroupContext): void {
  /** A fresh phone of a fresh account, and a factory for its scheduled messages. */
  function phone() {
    const accountId = uuid();
    const phoneId = uuid();
    const now = Date.now();
    const make = (o: Partial<MessageRecord> = {}) =>
      makeMessage({ accountId, phoneId, status: 'scheduled', dueAt: now, ...o });
    const claim = (q: Partial<ClaimDueQuery> = {}) =>
      ctx.store.claimDue({
        now,
        phoneIds: [phoneId],
        limit: 100,
        leaseMs: 30_000,
        claimer: 'c1',
        ...q,
      });
    return { accountId, phoneId, now, make, claim };
  }

  it('claims only rows whose due time has come', async () => {
    const { now, make, claim } = phone();
    const past = make({ dueAt: now - 1000 });
    const exact = make({ dueAt: now });
    await ctx.store.insertMessages([past, exact, make({ dueAt: now + 1 }), make({ dueAt: null })]);
    expect(idSet(await claim())).toEqual(idSet([past, exact]));
  });

  it('claims only rows of the listed phones', async () => {
    const a = phone();
    const b = phone();
    const c = phone();
    // One due time for all: each phone() reads its own clock, which may tick in between.
    const rows = [a.make(), b.make({ dueAt: a.now }), c.make({ dueAt: a.now })];
    await ctx.store.insertMessages(rows);
    expect(idSet(await a.claim({ phoneIds: [a.phoneId, b.phoneId] }))).toEqual(
      idSet(rows.slice(0, 2)),
    );
    expect(await a.claim({ phoneIds: [] })).toEqual([]);
    expect(ids(await c.claim())).toEqual([rows[2]!.id]);
  });

  it("claims rows of every phone with 'all'", async () => {
    const a = phone();
    const b = phone();
    const rows = [a.make({ dueAt: ANCIENT - 10 }), b.make({ dueAt: ANCIENT - 5 })];
    await ctx.store.insertMessages(rows);
    const claimed = await ctx.store.claimDue({
      now: ANCIENT,
      phoneIds: 'all',
      limit: 1000,
      leaseMs: 30_000,
      claimer: 'everyone',
    });
    const mine = claimed.filter((m) => m.id === rows[0]!.id || m.id === rows[1]!.id);
    expect(idSet(mine)).toEqual(idSet(rows));
  });

  it('claims at most `limit` rows', async () => {
    const { now, make, claim } = phone();
    const rows = [1, 2, 3, 4, 5].map((n) => make({ dueAt: now - 100 + n }));
    await ctx.store.insertMessages(rows);
    expect(ids(await claim({ limit: 2 }))).toEqual(ids(rows.slice(0, 2)));
    expect(ids(await claim({ limit: 2 }))).toEqual(ids(rows.slice(2, 4)));
    expect(ids(await claim({ limit: 2 }))).toEqual(ids(rows.slice(4)));
    expect(await claim({ limit: 2 })).toEqual([]);
  });

  it('claims in order of due time, then insertion order (FIFO)', async () => {
    const { now, make, claim } = phone();
    const first = make({ dueAt: now - 3000 });
    const same = [1, 2, 3, 4].map(() => make({ dueAt: now - 2000, createdAt: now - 2000 }));
    const last = make({ dueAt: now - 1000 });
    await ctx.store.insertMessages([last, first]);
    for (const row of same) await ctx.store.insertMessages([row]);
    expect(ids(await claim({ limit: 3 }))).toEqual([first.id, ...ids(same.slice(0, 2))]);
    expect(ids(await claim())).toEqual([...ids(same.slice(2)), last.id]);
  });

  it('rows of one batch with the same due time come out in batch order', async () => {
    const { now, make, claim } = phone();
    const batch = Array.from({ length: 6 }, () => make({ dueAt: now - 10, createdAt: now - 10 }));
    await ctx.store.insertMessages(batch);
    expect(ids(await claim())).toEqual(ids(batch));
  });

  it('writes the lease: claimer and now + leaseMs', async () => {
    const { now, make, claim } = phone();
    const row = make({ dueAt: now - 5 });
    await ctx.store.insertMessages([row]);
    const [claimed] = await claim({ claimer: 'worker-7', leaseMs: 45_000 });
    expect(claimed).toMatchObject({ id: row.id, leaseOwner: 'worker-7', leaseUntil: now + 45_000 });
    expect(await ctx.raw.message(row.id)).toMatchObject({
      leaseOwner: 'worker-7',
      leaseUntil: now + 45_000,
      status: 'scheduled',
      dueAt: now - 5,
    });
  });

  it('does not hand out a leased row until its lease runs out', async () => {
    const { now, make, claim } = phone();
    const row = make({ dueAt: now - 5 });
    await ctx.store.insertMessages([row]);
    expect(ids(await claim({ claimer: 'a', leaseMs: 1000 }))).toEqual([row.id]);
    expect(await claim({ claimer: 'b', now: now + 999 })).toEqual([]);
    expect(await claim({ claimer: 'a', now: now + 500 })).toEqual([]);
    expect((await ctx.raw.message(row.id))?.leaseOwner).toBe('a');
    const taken = await claim({ claimer: 'b', now: now + 1000, leaseMs: 2000 });
    expect(ids(taken)).toEqual([row.id]);
    expect(await ctx.raw.message(row.id)).toMatchObject({
      leaseOwner: 'b',
      leaseUntil: now + 3000,
    });
  });

  it('a row with an expired lease from an earlier claim is claimable', async () => {
    const { now, make, claim } = phone();
    const row = make({ dueAt: now - 5, leaseOwner: 'gone', leaseUntil: now - 1 });
    await ctx.store.insertMessages([row]);
    expect(ids(await claim({ claimer: 'fresh' }))).toEqual([row.id]);
    expect((await ctx.raw.message(row.id))?.leaseOwner).toBe('fresh');
  });

  it('never gives the same row to two concurrent claimers, and together they get all', async () => {
    const { now, phoneId, make } = phone();
    const rows = Array.from({ length: 200 }, (_, n) => make({ dueAt: now - 1000 + (n % 17) }));
    await ctx.store.insertMessages(rows);
    const run = (claimer: string) =>
      drain(
        () => ctx.store.claimDue({ now, phoneIds: [phoneId], limit: 7, leaseMs: 60_000, claimer }),
        rows.length,
      );
    const [a, b] = await Promise.all([run('claimer-a'), run('claimer-b')]);
    const all = [...a, ...b];
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(idSet(rows));
    for (const id of a.slice(0, 5)) {
      expect((await ctx.raw.message(id))?.leaseOwner).toBe('claimer-a');
    }
  }, 60_000);

  it('reports the earliest due time of the given phones', async () => {
    const a = phone();
    const b = phone();
    const t = a.now;
    await ctx.store.insertMessages([
      a.make({ dueAt: t + 500 }),
      a.make({ dueAt: t + 100 }),
      a.make({ dueAt: null }),
      b.make({ dueAt: t + 50 }),
    ]);
    expect(await ctx.store.nextDueAt([a.phoneId])).toBe(t + 100);
    expect(await ctx.store.nextDueAt([a.phoneId, b.phoneId])).toBe(t + 50);
    expect(await ctx.store.nextDueAt([uuid()])).toBeNull();
    expect(await ctx.store.nextDueAt([])).toBeNull();
    const all = await ctx.store.nextDueAt('all');
    expect(all).not.toBeNull();
    expect(all!).toBeLessThanOrEqual(t + 50);
  });

  it('reports the due time of leased rows too', async () => {
    const { now, phoneId, make, claim } = phone();
    await ctx.store.insertMessages([make({ dueAt: now - 10 })]);
    expect(await claim()).toHaveLength(1);
    expect(await ctx.store.nextDueAt([phoneId])).toBe(now - 10);
  });
}
