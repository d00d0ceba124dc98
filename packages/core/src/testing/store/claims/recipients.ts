/**
 * Conformance (ClaimStore): the unique-recipients gate (`reservePhoneRecipient`).
 * The count is read from the phone row itself (`RawReader.phone`), the counted
 * contacts from their table's rows (`countAccountRows`).
 */
import { expect, it } from 'vitest';
import { makePhone, randomPhoneNumber } from '../../fixtures.js';
import type { GroupContext } from '../context.js';

/** 1 December 2001 (UTC), and the first of the next month. */
const DEC = Date.UTC(2001, 11, 1);
const JAN = Date.UTC(2002, 0, 1);

export function recipientsGroup(ctx: GroupContext): void {
  const counted = async (id: string) => {
    const p = await ctx.raw.phone(id);
    return p && [p.recipientsMonth, p.recipientsCount];
  };

  it('counts each contact once a month up to the cap; a counted contact always goes', async () => {
    const phone = makePhone({ recipientsPerMonth: 2 });
    await ctx.store.insertPhone(phone);
    const [a, b, c] = [randomPhoneNumber(), randomPhoneNumber(), randomPhoneNumber()];
    expect(await ctx.store.reservePhoneRecipient(phone.id, a, DEC)).toBe(true);
    expect(await ctx.store.reservePhoneRecipient(phone.id, a, DEC + 1)).toBe(true);
    expect(await ctx.store.reservePhoneRecipient(phone.id, b, DEC + 2)).toBe(true);
    expect(await counted(phone.id)).toEqual([200112, 2]);
    // Full: a new contact waits for the next month; the counted ones still go.
    expect(await ctx.store.reservePhoneRecipient(phone.id, c, JAN - 1)).toBe(false);
    expect(await ctx.store.reservePhoneRecipient(phone.id, b, JAN - 1)).toBe(true);
    expect(await counted(phone.id)).toEqual([200112, 2]);
    expect(await ctx.raw.countAccountRows('phone_recipients', phone.accountId)).toBe(2);
    // A new month starts empty, and the last month's contacts are dropped.
    expect(await ctx.store.reservePhoneRecipient(phone.id, c, JAN)).toBe(true);
    expect(await counted(phone.id)).toEqual([200201, 1]);
    expect(await ctx.raw.countAccountRows('phone_recipients', phone.accountId)).toBe(1);
    expect(await ctx.store.reservePhoneRecipient(phone.id, a, JAN + 1)).toBe(true);
    expect(await ctx.store.reservePhoneRecipient(phone.id, b, JAN + 2)).toBe(false);
  });

  it('lets everything through without a cap, counting nothing; an unknown phone is refused', async () => {
    const phone = makePhone();
    await ctx.store.insertPhone(phone);
    for (let i = 0; i < 3; i++) {
      expect(await ctx.store.reservePhoneRecipient(phone.id, randomPhoneNumber(), DEC)).toBe(true);
    }
    expect(await counted(phone.id)).toEqual([null, 0]);
    expect(await ctx.raw.countAccountRows('phone_recipients', phone.accountId)).toBe(0);
    const unknown = makePhone();
    expect(await ctx.store.reservePhoneRecipient(unknown.id, randomPhoneNumber(), DEC)).toBe(false);
  });

  it('counts inside a transaction, and a rollback takes the count back', async () => {
    const phone = makePhone({ recipientsPerMonth: 1 });
    await ctx.store.insertPhone(phone);
    await ctx.store
      .transaction(async (tx) => {
        expect(await tx.reservePhoneRecipient(phone.id, randomPhoneNumber(), DEC)).toBe(true);
        throw new Error('roll back');
      })
      .catch(() => {});
    expect(await counted(phone.id)).toEqual([null, 0]);
    expect(await ctx.store.reservePhoneRecipient(phone.id, randomPhoneNumber(), DEC)).toBe(true);
  });
}
