/** Conformance (DirectoryStore): phones and their heartbeats. */
import { expect, it } from 'vitest';
import type { PhoneRecord } from '../../../domain/records.js';
import { makeHeartbeat, makePhone, randomPhoneNumber } from '../../fixtures.js';
import { expectConflict, type GroupContext, ids, uuid } from '../context.js';

export function phonesGroup(ctx: GroupContext): void {
  it('inserts, gets and finds a phone by number', async () => {
    const phone = makePhone({
      fcmToken: 'token',
      sendScheduleId: uuid(),
      lastScheduledAt: 5,
      lastHandoffAt: 6,
      lastHeartbeatAt: 7,
      heartbeatCheckAt: Date.UTC(2100, 0, 1),
      online: false,
      messagesPerHour: 30,
      messagesPerDay: 200,
      hourWindowStart: 8,
      hourWindowSegments: 9,
      dayWindowStart: 10,
      dayWindowSegments: 11,
      recipientsPerMonth: 300,
      recipientsMonth: 210001,
      recipientsCount: 12,
      poolId: uuid(),
      linkSeenAt: 13,
    });
    await ctx.store.insertPhone(phone);
    expect(await ctx.store.getPhone(phone.id)).toEqual(phone);
    expect(await ctx.raw.phone(phone.id)).toEqual({
      id: phone.id,
      accountId: phone.accountId,
      messagesPerMinute: phone.messagesPerMinute,
      lastScheduledAt: 5,
      lastHandoffAt: 6,
      messagesPerHour: 30,
      messagesPerDay: 200,
      hourWindowStart: 8,
      hourWindowSegments: 9,
      dayWindowStart: 10,
      dayWindowSegments: 11,
      recipientsMonth: 210001,
      recipientsCount: 12,
      online: false,
      lastHeartbeatAt: 7,
      heartbeatCheckAt: phone.heartbeatCheckAt,
      updatedAt: phone.updatedAt,
    });
    expect(await ctx.raw.phone(uuid())).toBeNull();
    expect(await ctx.store.findPhoneByNumber(phone.accountId, phone.phoneNumber)).toEqual(phone);
    expect(await ctx.store.findPhoneByNumber(uuid(), phone.phoneNumber)).toBeNull();
    expect(await ctx.store.getPhone(uuid())).toBeNull();
    const other = makePhone();
    await ctx.store.insertPhone(other);
    const both = await ctx.store.getPhones([other.id, uuid(), phone.id, other.id]);
    expect(both.sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual(
      [phone, other].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    expect(await ctx.store.getPhones([])).toEqual([]);
  });

  it('allows a phone number once per account', async () => {
    const phone = makePhone();
    await ctx.store.insertPhone(phone);
    const twin = makePhone({ accountId: phone.accountId, phoneNumber: phone.phoneNumber });
    await expectConflict(ctx.store.insertPhone(twin));
    expect(await ctx.store.getPhone(twin.id)).toBeNull();
    await expectConflict(ctx.store.insertPhone({ ...makePhone(), id: phone.id }));
    const elsewhere = makePhone({ phoneNumber: phone.phoneNumber });
    await ctx.store.insertPhone(elsewhere);
    expect(await ctx.store.getPhone(elsewhere.id)).toEqual(elsewhere);
  });

  it('lists phones newest first with a number filter and paging', async () => {
    const accountId = uuid();
    const base = Date.now();
    const make = (n: number, o: Partial<PhoneRecord> = {}) =>
      makePhone({ accountId, createdAt: base + n, ...o });
    const rows = [make(1), make(3, { phoneNumber: '+12025550111' }), make(2)];
    for (const row of rows) await ctx.store.insertPhone(row);
    await ctx.store.insertPhone(makePhone());
    const list = (query: string | null, skip = 0, limit = 10) =>
      ctx.store.listPhones({ accountId, query, skip, limit });
    const [p1, p3, p2] = rows;
    expect(ids(await list(null))).toEqual([p3!.id, p2!.id, p1!.id]);
    expect(ids(await list('5550111'))).toEqual([p3!.id]);
    expect(ids(await list(null, 1, 1))).toEqual([p2!.id]);
  });

  it('pages through the phones of every account that have an FCM token, by id', async () => {
    const mine = [makePhone({ fcmToken: 'a' }), makePhone({ fcmToken: 'b' }), makePhone()];
    for (const phone of mine) await ctx.store.insertPhone(phone);
    const seen: PhoneRecord[] = [];
    for (let afterId: string | null = null; ; ) {
      const page = await ctx.store.listFcmPhones({ afterId, limit: 2 });
      seen.push(...page);
      if (page.length < 2) break;
      afterId = page[page.length - 1]?.id ?? null;
    }
    const seenIds = ids(seen);
    expect(seenIds).toEqual([...seenIds].sort());
    expect(new Set(seenIds).size).toBe(seenIds.length);
    expect(seen.every((phone) => phone.fcmToken !== null)).toBe(true);
    const mineIds = new Set(ids(mine));
    expect(seen.filter((p) => mineIds.has(p.id))).toEqual(
      mine.filter((p) => p.fcmToken !== null).sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
  });

  it('updates a phone and keeps numbers unique', async () => {
    const phone = makePhone();
    const other = makePhone({ accountId: phone.accountId });
    await ctx.store.insertPhone(phone);
    await ctx.store.insertPhone(other);
    const updated = await ctx.store.updatePhone(phone.id, {
      fcmToken: 'new-token',
      messagesPerMinute: 3,
      online: false,
      lastScheduledAt: 1234,
    });
    expect(updated).toEqual({
      ...phone,
      fcmToken: 'new-token',
      messagesPerMinute: 3,
      online: false,
      lastScheduledAt: 1234,
    });
    expect(await ctx.store.getPhone(phone.id)).toEqual(updated);
    expect(await ctx.raw.phone(phone.id)).toMatchObject({
      messagesPerMinute: 3,
      online: false,
      lastScheduledAt: 1234,
    });
    await expectConflict(ctx.store.updatePhone(other.id, { phoneNumber: phone.phoneNumber }));
    expect((await ctx.store.getPhone(other.id))?.phoneNumber).toBe(other.phoneNumber);
    expect(await ctx.store.updatePhone(uuid(), { online: true })).toBeNull();
  });

  it('deletes a phone of the account only', async () => {
    const phone = makePhone();
    await ctx.store.insertPhone(phone);
    expect(await ctx.store.deletePhone(uuid(), phone.id)).toBeNull();
    expect(await ctx.store.deletePhone(phone.accountId, phone.id)).toEqual(phone);
    expect(await ctx.store.getPhone(phone.id)).toBeNull();
    await ctx.store.insertPhone(
      makePhone({ accountId: phone.accountId, phoneNumber: phone.phoneNumber }),
    );
  });

  it('lists heartbeats of an owner, newest first, with a version filter', async () => {
    const accountId = uuid();
    const owner = randomPhoneNumber();
    const base = Date.now();
    const beats = [1, 3, 2].map((n) =>
      makeHeartbeat({
        accountId,
        owner,
        timestamp: base + n,
        version: n === 3 ? '2.0.1' : '1.9.0',
      }),
    );
    await ctx.store.insertHeartbeats([
      ...beats,
      makeHeartbeat({ accountId }),
      makeHeartbeat({ owner }),
    ]);
    const list = (query: string | null, skip = 0, limit = 10) =>
      ctx.store.listHeartbeats({ accountId, owner, query, skip, limit });
    const [h1, h3, h2] = beats;
    expect(await list(null)).toEqual([h3, h2, h1]);
    expect(ids(await list('2.0'))).toEqual([h3!.id]);
    expect(ids(await list(null, 2, 5))).toEqual([h1!.id]);
  });
}
