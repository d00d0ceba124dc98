/** Conformance (ThreadStore): threads — one per (account, owner, contact); list, search, update, delete. */
import { expect, it } from 'vitest';
import type { ThreadRecord } from '../../domain/records.js';
import type { ThreadListQuery } from '../../store.js';
import { makeThread, randomPhoneNumber } from '../fixtures.js';
import { expectConflict, type GroupContext, idSet, ids, uuid } from './context.js';

export function threadsGroup(ctx: GroupContext): void {
  /** A fresh account and owner, and a factory for their threads. */
  function owner() {
    const accountId = uuid();
    const number = randomPhoneNumber();
    const base = Date.now();
    const make = (o: Partial<ThreadRecord> = {}) => makeThread({ accountId, owner: number, ...o });
    const list = (q: Partial<ThreadListQuery> = {}) =>
      ctx.store.listThreads({
        accountId,
        owner: number,
        isArchived: false,
        skip: 0,
        limit: 50,
        ...q,
      });
    return { accountId, owner: number, base, make, list };
  }

  it('inserts, gets and finds a thread', async () => {
    const { accountId, make } = owner();
    const thread = make({ lastMessageContent: 'hi', lastMessageId: uuid() });
    await ctx.store.insertThread(thread);
    expect(await ctx.store.getThread(accountId, thread.id)).toEqual(thread);
    expect(await ctx.store.findThread(accountId, thread.owner, thread.contact)).toEqual(thread);
    expect(await ctx.raw.thread(thread.id)).toMatchObject({
      id: thread.id,
      status: thread.status,
      lastMessageId: thread.lastMessageId,
      isRead: thread.isRead,
      isArchived: thread.isArchived,
    });
  });

  it('scopes reads to the account', async () => {
    const { make } = owner();
    const thread = make();
    await ctx.store.insertThread(thread);
    expect(await ctx.store.getThread(uuid(), thread.id)).toBeNull();
    expect(await ctx.store.findThread(uuid(), thread.owner, thread.contact)).toBeNull();
    expect(
      await ctx.store.findThread(thread.accountId, thread.owner, randomPhoneNumber()),
    ).toBeNull();
  });

  it('allows one thread per owner and contact in an account', async () => {
    const { make } = owner();
    const thread = make();
    await ctx.store.insertThread(thread);
    const twin = makeThread({
      accountId: thread.accountId,
      owner: thread.owner,
      contact: thread.contact,
    });
    await expectConflict(ctx.store.insertThread(twin));
    expect(await ctx.raw.thread(twin.id)).toBeNull();
    await expectConflict(ctx.store.insertThread({ ...make(), id: thread.id }));
    const elsewhere = makeThread({ owner: thread.owner, contact: thread.contact });
    await ctx.store.insertThread(elsewhere);
    expect(await ctx.raw.thread(elsewhere.id)).not.toBeNull();
  });

  it('rejects an update that would duplicate another thread', async () => {
    const { make } = owner();
    const a = make();
    const b = make();
    await ctx.store.insertThread(a);
    await ctx.store.insertThread(b);
    await expectConflict(ctx.store.updateThread(b.id, { contact: a.contact }));
    expect((await ctx.store.getThread(b.accountId, b.id))?.contact).toBe(b.contact);
  });

  it('lists by owner and archive state, newest orderTimestamp first', async () => {
    const { base, make, list } = owner();
    const [a, b, c] = [2, 7, 4].map((n) => make({ orderTimestamp: base + n }));
    const archived = make({ isArchived: true });
    await Promise.all([a!, b!, c!, archived].map((t) => ctx.store.insertThread(t)));
    await ctx.store.insertThread(makeThread({ accountId: a!.accountId }));
    await ctx.store.insertThread(makeThread({ owner: a!.owner }));
    expect(ids(await list())).toEqual([b!.id, c!.id, a!.id]);
    expect(ids(await list({ isArchived: true }))).toEqual([archived.id]);
  });

  it('searches last message content, owner and contact case-insensitively', async () => {
    const { make, list } = owner();
    const byContent = make({ lastMessageContent: 'Your OTP is 123456' });
    const byContact = make({ contact: '+12025550177' });
    await ctx.store.insertThread(byContent);
    await ctx.store.insertThread(byContact);
    expect(ids(await list({ query: 'otp IS' }))).toEqual([byContent.id]);
    expect(ids(await list({ query: '5550177' }))).toEqual([byContact.id]);
    expect(idSet(await list({ query: byContent.owner.slice(2) }))).toEqual(
      idSet([byContent, byContact]),
    );
    expect(await list({ query: 'no such words' })).toEqual([]);
  });

  it('pages with skip and limit', async () => {
    const { base, make, list } = owner();
    const rows = [0, 1, 2, 3, 4].map((n) => make({ orderTimestamp: base - n }));
    for (const row of rows) await ctx.store.insertThread(row);
    expect(ids(await list({ skip: 0, limit: 3 }))).toEqual(ids(rows.slice(0, 3)));
    expect(ids(await list({ skip: 3, limit: 3 }))).toEqual(ids(rows.slice(3)));
    expect(await list({ skip: 5, limit: 3 })).toEqual([]);
  });

  it('updates fields and returns the new row', async () => {
    const { make } = owner();
    const thread = make();
    await ctx.store.insertThread(thread);
    const messageId = uuid();
    const patch = {
      isRead: true,
      isArchived: true,
      status: 'delivered' as const,
      lastMessageId: messageId,
      lastMessageContent: 'delivered text',
    };
    const updated = await ctx.store.updateThread(thread.id, patch);
    expect(updated).toEqual({ ...thread, ...patch });
    expect(await ctx.store.getThread(thread.accountId, thread.id)).toEqual(updated);
    expect(await ctx.raw.thread(thread.id)).toMatchObject({
      id: thread.id,
      status: 'delivered',
      lastMessageId: messageId,
      isRead: true,
      isArchived: true,
    });
    expect(await ctx.store.updateThread(uuid(), { isRead: true })).toBeNull();
  });

  it('deletes a thread of the account', async () => {
    const { accountId, make } = owner();
    const thread = make();
    await ctx.store.insertThread(thread);
    expect(await ctx.store.deleteThread(uuid(), thread.id)).toBeNull();
    expect(await ctx.raw.thread(thread.id)).not.toBeNull();
    expect(await ctx.store.deleteThread(accountId, thread.id)).toEqual(thread);
    expect(await ctx.raw.thread(thread.id)).toBeNull();
    expect(await ctx.store.deleteThread(accountId, thread.id)).toBeNull();
  });
}
