/**
 * `gateway.accounts.delete`: every row of the account and its attachment files go,
 * in batches; the keys go first and the notifier's `keys` topic tells every node;
 * another account is untouched; an unknown account is 404 and nothing is touched.
 */
import { describe, expect, it } from 'vitest';
import type { NotifierTopic } from '../../src/index.js';
import { ACCOUNT_TABLES } from '../../src/store/retention.js';
import { OWNER, setup } from './helpers.js';

async function counts(t: Awaited<ReturnType<typeof setup>>, accountId: string) {
  const out: Record<string, number> = {};
  for (const table of ACCOUNT_TABLES) out[table] = await t.raw.countAccountRows(table, accountId);
  return out;
}

describe('account deletion', () => {
  it('removes the account, its rows and files; keys first, announced to every node', async () => {
    const t = await setup();
    const published: NotifierTopic[] = [];
    t.gateway.config.notifier.subscribe('keys', () => published.push('keys'));
    // What the tables held when the first announcement went out (the memory store's raw
    // reader counts at call time).
    const atAnnouncement: Promise<number>[] = [];
    t.gateway.config.notifier.subscribe('keys', () => {
      atAnnouncement.push(t.raw.countAccountRows('api_keys', t.account.id));
      atAnnouncement.push(t.raw.countAccountRows('messages', t.account.id));
    });
    await t.gateway.accounts.createPhoneKey(t.account.id, { name: 'phone' });
    const m = await t.gateway.messages.send(t.account.id, {
      from: OWNER,
      to: '+18005550100',
      content: 'hello',
    });
    const file = `${t.account.id}/${m.id}/a.jpg`;
    await t.gateway.attachments.put(file, { contentType: 'image/jpeg', data: new Uint8Array(1) });
    const other = await t.gateway.accounts.create({ email: 'other@example.com' });
    const otherFile = `${other.record.id}/x/a.jpg`;
    await t.gateway.attachments.put(otherFile, {
      contentType: 'image/jpeg',
      data: new Uint8Array(1),
    });
    const theirs = await counts(t, other.record.id);

    const removed = await t.gateway.accounts.delete(t.account.id);
    // 2 keys, 1 message, 1 thread, 1 phone and the account row.
    expect(removed).toBe(6);
    expect(Object.values(await counts(t, t.account.id)).every((n) => n === 0)).toBe(true);
    expect(await counts(t, other.record.id)).toEqual(theirs);
    expect(await t.gateway.attachments.get(file)).toBeNull();
    expect(await t.gateway.attachments.get(otherFile)).not.toBeNull();
    expect(await t.gateway.accounts.authenticate(t.apiKey)).toBeNull();
    expect(published.length).toBeGreaterThanOrEqual(1);
    // The keys were gone before the first announcement; the messages still there.
    expect(await Promise.all(atAnnouncement.slice(0, 2))).toEqual([0, 1]);
  });

  it('an unknown account is 404 and nothing is removed', async () => {
    const t = await setup();
    const before = await counts(t, t.account.id);
    await expect(
      t.gateway.accounts.delete('00000000-0000-4000-8000-000000000000'),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect(await counts(t, t.account.id)).toEqual(before);
  });
});
