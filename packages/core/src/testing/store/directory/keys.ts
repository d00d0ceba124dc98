/** Conformance (DirectoryStore): accounts and API keys. */
import { expect, it } from 'vitest';
import type { ApiKeyRecord } from '../../../domain/records.js';
import { makeAccount, makeApiKey, randomKeyHash } from '../../fixtures.js';
import { expectConflict, type GroupContext, ids, uuid } from '../context.js';

export function keysGroup(ctx: GroupContext): void {
  it('inserts, gets and updates an account', async () => {
    const account = makeAccount({ email: 'owner@example.com' });
    await ctx.store.insertAccount(account);
    expect(await ctx.store.getAccount(account.id)).toEqual(account);
    const phoneId = uuid();
    const updated = await ctx.store.updateAccount(account.id, {
      timezone: 'Africa/Douala',
      activePhoneId: phoneId,
      updatedAt: account.updatedAt + 1,
    });
    expect(updated).toEqual({
      ...account,
      timezone: 'Africa/Douala',
      activePhoneId: phoneId,
      updatedAt: account.updatedAt + 1,
    });
    expect(await ctx.store.getAccount(account.id)).toEqual(updated);
    expect(await ctx.store.getAccount(uuid())).toBeNull();
    expect(await ctx.store.updateAccount(uuid(), { timezone: 'UTC' })).toBeNull();
  });

  it('lists accounts oldest first, a page at a time', async () => {
    const base = Date.UTC(2031, 0, 1);
    const mine = [
      makeAccount({ createdAt: base + 2 }),
      makeAccount({ createdAt: base }),
      makeAccount({ createdAt: base + 1 }),
    ];
    for (const account of mine) await ctx.store.insertAccount(account);
    const own = new Set(mine.map((a) => a.id));
    const all = await ctx.store.listAccounts({ skip: 0, limit: 100_000 });
    const listed = all.filter((a) => own.has(a.id));
    expect(listed).toEqual([mine[1], mine[2], mine[0]]);
    const at = all.findIndex((a) => a.id === mine[1]?.id);
    expect(await ctx.store.listAccounts({ skip: at + 1, limit: 1 })).toEqual([mine[2]]);
    expect(await ctx.store.listAccounts({ skip: all.length, limit: 10 })).toEqual([]);
  });

  it('rejects a duplicate account id', async () => {
    const account = makeAccount();
    await ctx.store.insertAccount(account);
    await expectConflict(ctx.store.insertAccount({ ...account, email: 'other@example.com' }));
    expect((await ctx.store.getAccount(account.id))?.email).toBe(account.email);
  });

  it('finds an API key by its hash', async () => {
    const key = makeApiKey({ kind: 'phone', phoneIds: [uuid()], phoneNumbers: ['+12015550123'] });
    await ctx.store.insertApiKey(key);
    expect(await ctx.store.findApiKeyByHash(key.keyHash)).toEqual(key);
    expect(await ctx.store.findApiKeyByHash(randomKeyHash())).toBeNull();
    expect(await ctx.raw.apiKey(key.id)).toMatchObject({ id: key.id, keyHash: key.keyHash });
  });

  it('keeps the numbers a phone key was created for, and null for any number', async () => {
    const restricted = makeApiKey({
      kind: 'phone',
      allowedNumbers: ['+12015550123', '+12015550124'],
    });
    const open = makeApiKey({ kind: 'phone' });
    await ctx.store.insertApiKey(restricted);
    await ctx.store.insertApiKey(open);
    expect(
      (await ctx.store.getApiKey(restricted.accountId, restricted.id))?.allowedNumbers,
    ).toEqual(['+12015550123', '+12015550124']);
    expect((await ctx.store.findApiKeyByHash(open.keyHash))?.allowedNumbers).toBeNull();
    const updated = await ctx.store.updateApiKey(open.id, { allowedNumbers: ['+12015550125'] });
    expect(updated?.allowedNumbers).toEqual(['+12015550125']);
  });

  it('rejects a duplicate key hash, even across accounts', async () => {
    const key = makeApiKey();
    await ctx.store.insertApiKey(key);
    const twin = makeApiKey({ keyHash: key.keyHash });
    await expectConflict(ctx.store.insertApiKey(twin));
    expect(await ctx.raw.apiKey(twin.id)).toBeNull();
    expect((await ctx.store.findApiKeyByHash(key.keyHash))?.id).toBe(key.id);
  });

  it('rejects an update to a key hash already in use', async () => {
    const a = makeApiKey();
    const b = makeApiKey({ accountId: a.accountId });
    await ctx.store.insertApiKey(a);
    await ctx.store.insertApiKey(b);
    await expectConflict(ctx.store.updateApiKey(b.id, { keyHash: a.keyHash }));
    expect((await ctx.raw.apiKey(b.id))?.keyHash).toBe(b.keyHash);
  });

  it('scopes getApiKey to the account', async () => {
    const key = makeApiKey();
    await ctx.store.insertApiKey(key);
    expect(await ctx.store.getApiKey(key.accountId, key.id)).toEqual(key);
    expect(await ctx.store.getApiKey(uuid(), key.id)).toBeNull();
    expect(await ctx.store.getApiKey(key.accountId, uuid())).toBeNull();
  });

  it('lists keys of one kind, newest first, with a name filter', async () => {
    const accountId = uuid();
    const base = Date.now();
    const make = (o: Partial<ApiKeyRecord>) => makeApiKey({ accountId, ...o });
    const older = make({ kind: 'phone', name: 'Pixel 8', createdAt: base - 2000 });
    const newer = make({ kind: 'phone', name: 'Galaxy S24', createdAt: base - 1000 });
    const user = make({ kind: 'user', name: 'Default', createdAt: base });
    const foreign = makeApiKey({ kind: 'phone', name: 'Pixel 8' });
    for (const key of [older, newer, user, foreign]) await ctx.store.insertApiKey(key);
    const list = (kind: ApiKeyRecord['kind'], query: string | null = null, skip = 0, limit = 10) =>
      ctx.store.listApiKeys({ accountId, kind, query, skip, limit });
    expect(ids(await list('phone'))).toEqual([newer.id, older.id]);
    expect(ids(await list('user'))).toEqual([user.id]);
    expect(ids(await list('phone', 'pixel'))).toEqual([older.id]);
    expect(ids(await list('phone', null, 1, 10))).toEqual([older.id]);
    expect(ids(await list('phone', null, 0, 1))).toEqual([newer.id]);
  });

  it('updates a key and returns the new row', async () => {
    const key = makeApiKey({ kind: 'phone' });
    await ctx.store.insertApiKey(key);
    const phoneId = uuid();
    const rotated = randomKeyHash();
    const updated = await ctx.store.updateApiKey(key.id, {
      name: 'Renamed',
      keyHash: rotated,
      phoneIds: [phoneId],
      phoneNumbers: ['+12015550123'],
      updatedAt: key.updatedAt + 5,
    });
    expect(updated).toEqual({
      ...key,
      name: 'Renamed',
      keyHash: rotated,
      phoneIds: [phoneId],
      phoneNumbers: ['+12015550123'],
      updatedAt: key.updatedAt + 5,
    });
    expect((await ctx.raw.apiKey(key.id))?.keyHash).toBe(rotated);
    expect(await ctx.store.findApiKeyByHash(key.keyHash)).toBeNull();
    expect(await ctx.store.updateApiKey(uuid(), { name: 'nobody' })).toBeNull();
  });

  it('deletes a key of the account only', async () => {
    const key = makeApiKey();
    await ctx.store.insertApiKey(key);
    expect(await ctx.store.deleteApiKey(uuid(), key.id)).toBe(false);
    expect(await ctx.raw.apiKey(key.id)).not.toBeNull();
    expect(await ctx.store.deleteApiKey(key.accountId, key.id)).toBe(true);
    expect(await ctx.raw.apiKey(key.id)).toBeNull();
    expect(await ctx.store.findApiKeyByHash(key.keyHash)).toBeNull();
    expect(await ctx.store.deleteApiKey(key.accountId, key.id)).toBe(false);
  });
}
