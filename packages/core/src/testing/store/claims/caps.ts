/**
 * Conformance (ClaimStore): the cap gate of hand-offs (`reservePhoneBudget`).
 * What a reservation counted is read from the phone row itself
 * (`RawReader.phone`), never through the store's getters.
 */
import { expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../../../domain/caps.js';
import { makePhone } from '../../fixtures.js';
import type { GroupContext } from '../context.js';

const T0 = Date.UTC(2001, 0, 1);

export function capsGroup(ctx: GroupContext): void {
  const windows = async (id: string) => {
    const p = await ctx.raw.phone(id);
    return p && [p.hourWindowStart, p.hourWindowSegments, p.dayWindowStart, p.dayWindowSegments];
  };

  it('counts segments into the hour window up to the cap and starts a new one after the hour', async () => {
    const phone = makePhone({ messagesPerHour: 5 });
    await ctx.store.insertPhone(phone);
    expect(await ctx.store.reservePhoneBudget(phone.id, T0, 2)).toBe(true);
    expect(await ctx.store.reservePhoneBudget(phone.id, T0 + 10, 3)).toBe(true);
    expect(await windows(phone.id)).toEqual([T0, 5, T0, 5]);
    // Full: nothing more until the window ends, and a refusal changes nothing.
    expect(await ctx.store.reservePhoneBudget(phone.id, T0 + 20, 1)).toBe(false);
    expect(await ctx.store.reservePhoneBudget(phone.id, T0 + HOUR_MS - 1, 1)).toBe(false);
    expect(await windows(phone.id)).toEqual([T0, 5, T0, 5]);
    expect(await ctx.store.reservePhoneBudget(phone.id, T0 + HOUR_MS, 1)).toBe(true);
    expect(await windows(phone.id)).toEqual([T0 + HOUR_MS, 1, T0, 6]);
  });

  it('refuses segments that would overflow a window, but lets a long message alone into an empty one', async () => {
    const phone = makePhone({ messagesPerHour: 3 });
    await ctx.store.insertPhone(phone);
    expect(await ctx.store.reservePhoneBudget(phone.id, T0, 2)).toBe(true);
    expect(await ctx.store.reservePhoneBudget(phone.id, T0 + 1, 2)).toBe(false);
    expect(await ctx.store.reservePhoneBudget(phone.id, T0 + 2, 1)).toBe(true);
    expect(await ctx.store.reservePhoneBudget(phone.id, T0 + HOUR_MS, 7)).toBe(true);
    expect(await ctx.store.reservePhoneBudget(phone.id, T0 + HOUR_MS + 1, 1)).toBe(false);
    expect(await windows(phone.id)).toEqual([T0 + HOUR_MS, 7, T0, 10]);
  });

  it('holds to the daily cap across hours, until the day window ends', async () => {
    const phone = makePhone({ messagesPerHour: 2, messagesPerDay: 3 });
    await ctx.store.insertPhone(phone);
    expect(await ctx.store.reservePhoneBudget(phone.id, T0, 2)).toBe(true);
    expect(await ctx.store.reservePhoneBudget(phone.id, T0 + HOUR_MS, 1)).toBe(true);
    expect(await ctx.store.reservePhoneBudget(phone.id, T0 + 2 * HOUR_MS, 1)).toBe(false);
    expect(await windows(phone.id)).toEqual([T0 + HOUR_MS, 1, T0, 3]);
    expect(await ctx.store.reservePhoneBudget(phone.id, T0 + DAY_MS, 2)).toBe(true);
    expect(await windows(phone.id)).toEqual([T0 + DAY_MS, 2, T0 + DAY_MS, 2]);
  });

  it('counts without a cap, and takes nothing for an unknown phone', async () => {
    const phone = makePhone();
    await ctx.store.insertPhone(phone);
    for (let i = 0; i < 4; i++)
      expect(await ctx.store.reservePhoneBudget(phone.id, T0, 9)).toBe(true);
    expect(await windows(phone.id)).toEqual([T0, 36, T0, 36]);
    expect(await ctx.store.reservePhoneBudget(globalThis.crypto.randomUUID(), T0, 1)).toBe(false);
  });

  it('concurrent claimers of the last budget slot: exactly one wins; other phones are untouched', async () => {
    const phone = makePhone({ messagesPerHour: 3, hourWindowStart: T0, hourWindowSegments: 2 });
    const other = makePhone({ accountId: phone.accountId, messagesPerHour: 3 });
    await ctx.store.insertPhone(phone);
    await ctx.store.insertPhone(other);
    const results = await Promise.all(
      Array.from({ length: 2 }, (_, i) => ctx.store.reservePhoneBudget(phone.id, T0 + 100 + i, 1)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await ctx.raw.phone(phone.id))?.hourWindowSegments).toBe(3);
    expect(await windows(other.id)).toEqual([null, 0, null, 0]);
  });
}
