/**
 * Conformance (ClaimStore, stores that declare `crossProcess`): two stores on
 * the same data, each with connections of its own as two processes would have,
 * never hand the same row to two claimers.
 */
import { expect, it } from 'vitest';
import { sourcesOf, targetOf } from '../../../lifecycle/machine.js';
import type { Store } from '../../../store.js';
import { makeMessage, makePhone } from '../../fixtures.js';
import { type GroupContext, ids, uuid } from '../context.js';

/** Far in the past, so rows of other tests never fall inside the heartbeat claim window. */
const EPOCH = Date.UTC(1999, 0, 1);

export function crossProcessGroup(ctx: GroupContext): void {
  it('says several processes may share it', () => {
    expect(ctx.store.capabilities.multiProcess).toBe(true);
  });

  it('reads in one store what the other wrote', async () => {
    const second = await ctx.openSecondStore();
    const message = makeMessage();
    await ctx.store.insertMessages([message]);
    expect(await second.getMessage(message.accountId, message.id)).toEqual(message);
  });

  it('gives each due row to one of two stores on separate pools', async () => {
    const second = await ctx.openSecondStore();
    const phoneId = uuid();
    const now = Date.now();
    const rows = Array.from({ length: 400 }, (_, i) =>
      makeMessage({ phoneId, status: 'scheduled', dueAt: now - 1000 + (i % 13) }),
    );
    await ctx.store.insertMessages(rows);
    const drain = async (s: Store, claimer: string) => {
      const got: string[] = [];
      for (;;) {
        const batch = await s.claimDue({
          now,
          phoneIds: [phoneId],
          limit: 9,
          leaseMs: 60_000,
          claimer,
        });
        if (batch.length === 0) return got;
        got.push(...batch.map((m) => m.id));
      }
    };
    const results = await Promise.all([
      drain(ctx.store, 'a'),
      drain(second, 'b'),
      drain(ctx.store, 'c'),
      drain(second, 'd'),
    ]);
    const all = results.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(rows.map((m) => m.id).sort());
  });

  it('gives an outstanding message to only one taker across the two stores', async () => {
    const second = await ctx.openSecondStore();
    const row = makeMessage({ status: 'pending' });
    await ctx.store.insertMessages([row]);
    const take = (s: Store) =>
      s.takeOutstanding({
        accountId: row.accountId,
        id: row.id,
        now: Date.now(),
        from: sourcesOf('take'),
        to: targetOf('take'),
      });
    const results = await Promise.all([
      take(ctx.store),
      take(second),
      take(ctx.store),
      take(second),
    ]);
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect((await ctx.raw.message(row.id))?.status).toBe('sending');
  });

  it('lets exactly one reservation of the same pacing anchor win across the two stores', async () => {
    const second = await ctx.openSecondStore();
    const phone = makePhone({ lastScheduledAt: 100 });
    await ctx.store.insertPhone(phone);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? ctx.store : second).reservePhoneSlot(phone.id, 100, 200 + i),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect((await ctx.raw.phone(phone.id))?.lastScheduledAt).toBe(200 + winner);
  });

  it('lets exactly one hand-off of a paced phone through across the two stores', async () => {
    const second = await ctx.openSecondStore();
    const phone = makePhone({ lastHandoffAt: 100 });
    await ctx.store.insertPhone(phone);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? ctx.store : second).reservePhoneHandoff(phone.id, 6100 + i, 6000),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await ctx.raw.phone(phone.id))?.lastHandoffAt).toBe(6100 + results.indexOf(true));
  });

  it('gives the last budget slot of a capped phone to one of the two stores', async () => {
    const second = await ctx.openSecondStore();
    const start = EPOCH + 1000;
    const phone = makePhone({ messagesPerHour: 4, hourWindowStart: start, hourWindowSegments: 3 });
    await ctx.store.insertPhone(phone);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? ctx.store : second).reservePhoneBudget(phone.id, start + 10 + i, 1),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const row = await ctx.raw.phone(phone.id);
    expect([row?.hourWindowStart, row?.hourWindowSegments, row?.dayWindowSegments]).toEqual([
      start,
      4,
      1,
    ]);
  });

  it('lets only as many new contacts as the recipients cap has room for, across two stores', async () => {
    const second = await ctx.openSecondStore();
    const phone = makePhone({ recipientsPerMonth: 3 });
    await ctx.store.insertPhone(phone);
    const at = EPOCH + 1000;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? ctx.store : second).reservePhoneRecipient(
          phone.id,
          `+1800555${2000 + i}`,
          at,
        ),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(3);
    expect((await ctx.raw.phone(phone.id))?.recipientsCount).toBe(3);
    expect(await ctx.raw.countAccountRows('phone_recipients', phone.accountId)).toBe(3);
  });

  it('never gives a heartbeat check to both stores', async () => {
    const second = await ctx.openSecondStore();
    const now = EPOCH + 500_000;
    const phones = Array.from({ length: 40 }, (_, i) =>
      makePhone({ heartbeatCheckAt: now - 1000 - i }),
    );
    for (const p of phones) await ctx.store.insertPhone(p);
    const claim = (s: Store, claimer: string) =>
      s.claimHeartbeatChecks({ now, limit: 7, leaseMs: 60_000, claimer });
    const rounds = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        i % 2 === 0 ? claim(ctx.store, 'a') : claim(second, 'b'),
      ),
    );
    const got = rounds.flatMap((r) => ids(r));
    expect(new Set(got).size).toBe(got.length);
    expect(got.length).toBe(40);
    for (const p of phones)
      expect((await ctx.raw.phone(p.id))?.heartbeatCheckAt).toBe(now + 60_000);
  });
}
