/** Conformance (MessageStore): message rows — insert, reads, list, search, paging, deletes, account isolation. */
import { expect, it } from 'vitest';
import type { MessageRecord } from '../../../domain/records.js';
import type { MessageSearchQuery } from '../../../store.js';
import { makeMessage, randomPhoneNumber } from '../../fixtures.js';
import { expectConflict, type GroupContext, idSet, ids, uuid } from '../context.js';

/** One conversation (account, owner, contact) and a factory for its messages. */
function conversation() {
  const accountId = uuid();
  const owner = randomPhoneNumber();
  const contact = randomPhoneNumber();
  const base = Date.now();
  const make = (o: Partial<MessageRecord> = {}) => makeMessage({ accountId, owner, contact, ...o });
  return { accountId, owner, contact, base, make };
}

export function recordsGroup(ctx: GroupContext): void {
  it('inserts a batch and reads every row back unchanged', async () => {
    const { accountId, make } = conversation();
    const rows = [make({ attachments: ['https://example.com/a.png'] }), make({ requestId: 'r-1' })];
    await ctx.store.insertMessages(rows);
    for (const row of rows) expect(await ctx.store.getMessage(accountId, row.id)).toEqual(row);
    expect(await ctx.raw.countMessages(accountId)).toBe(2);
  });

  it('copies rows in and out: callers cannot change stored state', async () => {
    const { accountId, make } = conversation();
    const row = make({ content: 'original', attachments: ['https://example.com/a.png'] });
    await ctx.store.insertMessages([row]);
    row.content = 'changed input';
    row.attachments?.push('https://example.com/b.png');
    const read = await ctx.store.getMessage(accountId, row.id);
    expect(read?.content).toBe('original');
    read!.content = 'changed output';
    read!.attachments?.push('https://example.com/c.png');
    expect((await ctx.raw.message(row.id))?.content).toBe('original');
    const again = await ctx.store.getMessage(accountId, row.id);
    expect(again?.attachments).toEqual(['https://example.com/a.png']);
  });

  it('rejects a duplicate message id and keeps none of the batch', async () => {
    const { accountId, make } = conversation();
    const first = make({ content: 'first' });
    await ctx.store.insertMessages([first]);
    const fresh = make();
    await expectConflict(ctx.store.insertMessages([fresh, { ...first, content: 'second' }]));
    expect(await ctx.raw.message(fresh.id)).toBeNull();
    expect((await ctx.raw.message(first.id))?.content).toBe('first');
    expect(await ctx.raw.countMessages(accountId)).toBe(1);
  });

  it('scopes getMessage and getMessages to the account', async () => {
    const { accountId, make } = conversation();
    const mine = [make(), make()];
    const theirs = makeMessage();
    await ctx.store.insertMessages(mine);
    await ctx.store.insertMessages([theirs]);
    expect(await ctx.store.getMessage(uuid(), mine[0]!.id)).toBeNull();
    expect(await ctx.store.getMessage(accountId, theirs.id)).toBeNull();
    expect(await ctx.store.getMessage(accountId, uuid())).toBeNull();
    const found = await ctx.store.getMessages(accountId, [...ids(mine), theirs.id, uuid()]);
    expect(idSet(found)).toEqual(idSet(mine));
    expect(await ctx.store.getMessages(accountId, [])).toEqual([]);
  });

  it('lists one conversation, newest orderTimestamp first', async () => {
    const { accountId, owner, contact, base, make } = conversation();
    const [a, b, c] = [1, 3, 2].map((n) => make({ orderTimestamp: base + n * 1000 }));
    await ctx.store.insertMessages([a!, b!, c!]);
    await ctx.store.insertMessages([
      make({ contact: randomPhoneNumber() }),
      make({ owner: randomPhoneNumber() }),
      makeMessage({ owner, contact }),
    ]);
    const rows = await ctx.store.listMessages({ accountId, owner, contact, skip: 0, limit: 10 });
    expect(ids(rows)).toEqual([b!.id, c!.id, a!.id]);
  });

  it('pages a conversation with skip and limit', async () => {
    const { accountId, owner, contact, base, make } = conversation();
    const rows = [0, 1, 2, 3, 4].map((n) => make({ orderTimestamp: base - n * 1000 }));
    await ctx.store.insertMessages(rows);
    const list = (skip: number, limit: number) =>
      ctx.store.listMessages({ accountId, owner, contact, skip, limit });
    expect(ids(await list(0, 2))).toEqual(ids(rows.slice(0, 2)));
    expect(ids(await list(2, 2))).toEqual(ids(rows.slice(2, 4)));
    expect(ids(await list(4, 2))).toEqual(ids(rows.slice(4)));
    expect(await list(6, 2)).toEqual([]);
  });

  it('filters a conversation by a case-insensitive content substring', async () => {
    const { accountId, owner, contact, make } = conversation();
    const hello = make({ content: 'Hello World' });
    const shout = make({ content: 'say HELLO again' });
    await ctx.store.insertMessages([hello, shout, make({ content: 'goodbye' })]);
    const search = (query: string | null) =>
      ctx.store.listMessages({ accountId, owner, contact, query, skip: 0, limit: 10 });
    expect(idSet(await search('hello'))).toEqual(idSet([hello, shout]));
    expect(ids(await search('LLO wO'))).toEqual([hello.id]);
    expect(await search('nothing like this')).toEqual([]);
    expect(await search(null)).toHaveLength(3);
  });

  it('searches by owners, types and statuses', async () => {
    const accountId = uuid();
    const [o1, o2] = [randomPhoneNumber(), randomPhoneNumber()];
    const a = makeMessage({ accountId, owner: o1, type: 'mobile-terminated', status: 'sent' });
    const b = makeMessage({ accountId, owner: o1, type: 'mobile-originated', status: 'received' });
    const c = makeMessage({ accountId, owner: o2, type: 'mobile-terminated', status: 'failed' });
    const d = makeMessage({ accountId, owner: o2, type: 'call/missed', status: 'received' });
    await ctx.store.insertMessages([a, b, c, d]);
    await ctx.store.insertMessages([makeMessage({ owner: o1 })]);
    const search = async (q: Partial<MessageSearchQuery>) =>
      idSet(await ctx.store.searchMessages({ accountId, skip: 0, limit: 50, ...q }));
    expect(await search({})).toEqual(idSet([a, b, c, d]));
    expect(await search({ owners: null, types: null, statuses: null })).toEqual(
      idSet([a, b, c, d]),
    );
    expect(await search({ owners: [o1] })).toEqual(idSet([a, b]));
    expect(await search({ types: ['mobile-terminated'] })).toEqual(idSet([a, c]));
    expect(await search({ statuses: ['received', 'failed'] })).toEqual(idSet([b, c, d]));
    expect(await search({ owners: [o2], statuses: ['received'] })).toEqual(idSet([d]));
    expect(await search({ owners: [o1], types: ['call/missed'] })).toEqual([]);
  });

  it('searches content, contact, owner and request id case-insensitively', async () => {
    const accountId = uuid();
    const byContent = makeMessage({ accountId, content: 'Invoice NUMBER 4417' });
    const byContact = makeMessage({ accountId, contact: '+12025550199' });
    const byOwner = makeMessage({ accountId, owner: '+12025550142' });
    const byRequest = makeMessage({ accountId, requestId: 'Campaign-XYZ-7' });
    await ctx.store.insertMessages([byContent, byContact, byOwner, byRequest]);
    const search = async (query: string) =>
      idSet(await ctx.store.searchMessages({ accountId, query, skip: 0, limit: 50 }));
    expect(await search('invoice number')).toEqual([byContent.id]);
    expect(await search('5550199')).toEqual([byContact.id]);
    expect(await search('2025550142')).toEqual([byOwner.id]);
    expect(await search('campaign-xyz')).toEqual([byRequest.id]);
    expect(await search('no such text anywhere')).toEqual([]);
  });

  it('searches the failure reason, and the exact id when the query is a UUID', async () => {
    const accountId = uuid();
    const failed = makeMessage({
      accountId,
      status: 'failed',
      failureReason: 'RESULT_ERROR_Generic_Failure',
    });
    const byId = makeMessage({ accountId, content: 'nothing in common' });
    const other = makeMessage({ accountId, content: 'generic text' });
    const elsewhere = makeMessage({ failureReason: 'RESULT_ERROR_GENERIC_FAILURE' });
    await ctx.store.insertMessages([failed, byId, other]);
    await ctx.store.insertMessages([elsewhere]);
    const search = async (query: string) =>
      idSet(await ctx.store.searchMessages({ accountId, query, skip: 0, limit: 50 }));
    expect(await search('error_generic')).toEqual([failed.id]);
    expect(await search('generic')).toEqual(idSet([failed, other]));
    expect(await search(byId.id)).toEqual([byId.id]);
    expect(await search(byId.id.toUpperCase())).toEqual([byId.id]);
    expect(await search(elsewhere.id)).toEqual([]);
    expect(await search(byId.id.slice(0, 8))).toEqual([]);
  });

  it('searches by latest activity: at or after `after`, before `before`', async () => {
    const accountId = uuid();
    const base = Date.UTC(2026, 5, 1);
    const rows = [0, 1, 2, 3].map((n) =>
      makeMessage({ accountId, orderTimestamp: base + n * 1000, status: 'delivered' }),
    );
    await ctx.store.insertMessages(rows);
    const search = async (after: number | null, before: number | null, statuses?: ['delivered']) =>
      ids(
        await ctx.store.searchMessages({ accountId, after, before, statuses, skip: 0, limit: 50 }),
      );
    const [r0, r1, r2, r3] = rows.map((r) => r.id);
    expect(await search(base + 1000, null)).toEqual([r3, r2, r1]);
    expect(await search(null, base + 2000)).toEqual([r1, r0]);
    expect(await search(base + 1000, base + 3000, ['delivered'])).toEqual([r2, r1]);
    expect(await search(base + 5000, null)).toEqual([]);
  });

  it('pages search results without gaps or repeats', async () => {
    const accountId = uuid();
    const base = Date.now();
    const rows = [0, 1, 2, 3, 4].map((n) => makeMessage({ accountId, orderTimestamp: base + n }));
    await ctx.store.insertMessages(rows);
    const pages = await Promise.all(
      [0, 2, 4].map((skip) => ctx.store.searchMessages({ accountId, skip, limit: 2 })),
    );
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const seen = pages.flatMap(ids);
    expect(new Set(seen).size).toBe(5);
    expect([...seen].sort()).toEqual(idSet(rows));
    expect(await ctx.store.searchMessages({ accountId, skip: 5, limit: 2 })).toEqual([]);
  });

  it('finds the latest message between owner and contact', async () => {
    const { accountId, owner, contact, base, make } = conversation();
    expect(await ctx.store.latestMessageBetween(accountId, owner, contact)).toBeNull();
    const [old, newest, middle] = [1, 9, 5].map((n) => make({ orderTimestamp: base + n }));
    await ctx.store.insertMessages([old!, newest!, middle!]);
    await ctx.store.insertMessages([
      make({ contact: randomPhoneNumber(), orderTimestamp: base + 99 }),
    ]);
    await ctx.store.insertMessages([makeMessage({ owner, contact, orderTimestamp: base + 99 })]);
    expect((await ctx.store.latestMessageBetween(accountId, owner, contact))?.id).toBe(newest!.id);
    expect(await ctx.store.latestMessageBetween(uuid(), owner, contact)).toBeNull();
  });

  it('deletes one message of the account and returns it', async () => {
    const { accountId, make } = conversation();
    const row = make();
    const other = make();
    await ctx.store.insertMessages([row, other]);
    expect(await ctx.store.deleteMessage(uuid(), row.id)).toBeNull();
    expect(await ctx.raw.message(row.id)).not.toBeNull();
    expect(await ctx.store.deleteMessage(accountId, row.id)).toEqual(row);
    expect(await ctx.raw.message(row.id)).toBeNull();
    expect(await ctx.raw.message(other.id)).not.toBeNull();
    expect(await ctx.store.deleteMessage(accountId, row.id)).toBeNull();
  });

  it('deletes every message between owner and contact, and only those', async () => {
    const { accountId, owner, contact, make } = conversation();
    const gone = [make(), make(), make()];
    const keptOtherContact = make({ contact: randomPhoneNumber() });
    const keptOtherAccount = makeMessage({ owner, contact });
    await ctx.store.insertMessages([...gone, keptOtherContact]);
    await ctx.store.insertMessages([keptOtherAccount]);
    expect(await ctx.store.deleteMessagesBetween(accountId, owner, contact)).toBe(3);
    for (const row of gone) expect(await ctx.raw.message(row.id)).toBeNull();
    expect(await ctx.raw.message(keptOtherContact.id)).not.toBeNull();
    expect(await ctx.raw.message(keptOtherAccount.id)).not.toBeNull();
    expect(await ctx.raw.countMessages(accountId)).toBe(1);
    expect(await ctx.store.deleteMessagesBetween(accountId, owner, contact)).toBe(0);
  });

  it('keeps accounts apart in list and search', async () => {
    const owner = randomPhoneNumber();
    const contact = randomPhoneNumber();
    const [a1, a2] = [uuid(), uuid()];
    const mine = makeMessage({ accountId: a1, owner, contact, content: 'shared words' });
    const theirs = makeMessage({ accountId: a2, owner, contact, content: 'shared words' });
    await ctx.store.insertMessages([mine, theirs]);
    const listed = await ctx.store.listMessages({
      accountId: a1,
      owner,
      contact,
      skip: 0,
      limit: 10,
    });
    expect(ids(listed)).toEqual([mine.id]);
    const found = await ctx.store.searchMessages({
      accountId: a2,
      query: 'shared',
      skip: 0,
      limit: 10,
    });
    expect(ids(found)).toEqual([theirs.id]);
  });
}

export function outgoingCountGroup(ctx: GroupContext): void {
  it('counts the outgoing messages of an account accepted since a time, any status', async () => {
    const { accountId, make } = conversation();
    await ctx.store.insertMessages([
      make({ requestReceivedAt: 1_000 }),
      make({ requestReceivedAt: 2_000, status: 'failed' }),
      make({ requestReceivedAt: 3_000, status: 'delivered' }),
      make({ requestReceivedAt: 3_000, type: 'mobile-originated', status: 'received' }),
      makeMessage({ requestReceivedAt: 3_000 }),
    ]);
    expect(await ctx.store.getOutgoingCount(accountId, 2_000)).toBe(2);
    expect(await ctx.store.getOutgoingCount(accountId, 0)).toBe(3);
    expect(await ctx.store.getOutgoingCount(accountId, 3_001)).toBe(0);
    expect(await ctx.store.getOutgoingCount(uuid(), 0)).toBe(0);
  });
}
