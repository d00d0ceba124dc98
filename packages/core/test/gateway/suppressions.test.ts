/** The suppression list API of the facade, and the quota hook. */
import { describe, expect, it } from 'vitest';
import type { QuotaRequest } from '../../src/index.js';
import { CONTACT, OWNER, ofType, setup } from './helpers.js';

describe('gateway.suppressions', () => {
  it('adds, lists and removes suppressions, telling opted_out and opted_in', async () => {
    const t = await setup();
    const wide = await t.gateway.suppressions.add(t.account.id, { contact: CONTACT });
    expect(wide).toMatchObject({
      created: true,
      suppression: { owner: '', contact: CONTACT, source: 'api', keyword: null },
    });
    const again = await t.gateway.suppressions.add(t.account.id, { contact: ` ${CONTACT} ` });
    expect(again).toEqual({ created: false, suppression: wide.suppression });
    t.clock.advance(1000);
    const one = await t.gateway.suppressions.add(t.account.id, {
      contact: '+18005550101',
      owner: OWNER,
    });
    const listed = await t.gateway.suppressions.list(t.account.id);
    expect(listed.map((s) => s.id)).toEqual([one.suppression.id, wide.suppression.id]);
    expect(await t.gateway.suppressions.list(t.account.id, { query: '0101' })).toEqual([
      one.suppression,
    ]);
    expect(ofType(t.events, 'contact.opted_out').map((e) => e.data.source)).toEqual(['api', 'api']);
    expect(
      (await t.gateway.messages.send(t.account.id, { from: OWNER, to: CONTACT, content: 'x' }))
        .status,
    ).toBe('failed');

    const removed = await t.gateway.suppressions.remove(t.account.id, wide.suppression.id);
    expect(removed).toEqual(wide.suppression);
    expect(ofType(t.events, 'contact.opted_in')[0]?.data).toMatchObject({
      suppression_id: wide.suppression.id,
      scope: 'account',
      source: 'api',
    });
    await expect(
      t.gateway.suppressions.remove(t.account.id, wide.suppression.id),
    ).rejects.toMatchObject({ code: 'not_found' });
    const other = await t.gateway.accounts.create();
    await expect(
      t.gateway.suppressions.remove(other.record.id, one.suppression.id),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect(await t.raw.suppressions(t.account.id)).toEqual([
      { id: one.suppression.id, owner: OWNER, contact: '+18005550101' },
    ]);
  });

  it('refuses a bad contact or owner with field errors and writes nothing', async () => {
    const t = await setup();
    const error = await t.gateway.suppressions
      .add(t.account.id, { contact: '', owner: 'nope' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'validation' });
    expect(Object.keys((error as { fields: object }).fields).sort()).toEqual(['contact', 'owner']);
    expect(await t.raw.suppressions(t.account.id)).toEqual([]);
    expect(ofType(t.events, 'contact.opted_out')).toEqual([]);
  });
});

describe('quota hook', () => {
  it('is asked before a send and refuses it with quota_exceeded, writing nothing', async () => {
    const asked: QuotaRequest[] = [];
    let allowed = 3;
    const t = await setup({
      config: {
        quota: (request) => {
          asked.push(request);
          if (request.messages > allowed)
            return { allowed: false, message: 'monthly limit reached' };
          allowed -= request.messages;
          return true;
        },
      },
    });
    await t.gateway.messages.send(t.account.id, { from: OWNER, to: CONTACT, content: 'a' });
    await expect(
      t.gateway.messages.sendBulk(t.account.id, {
        from: OWNER,
        to: ['+18005550101', '+18005550102', '+18005550103'],
        content: 'b',
      }),
    ).rejects.toMatchObject({
      code: 'quota_exceeded',
      httpStatus: 402,
      message: 'monthly limit reached',
    });
    expect(await t.raw.countMessages(t.account.id)).toBe(1);
    await expect(
      t.gateway.bulk.send(t.account.id, [
        { from: OWNER, to: '+18005550101', content: 'c' },
        { from: OWNER, to: '+18005550102', content: 'c' },
        { from: OWNER, to: '+18005550103', content: 'c' },
      ]),
    ).rejects.toMatchObject({ code: 'quota_exceeded' });
    expect(await t.raw.countMessages(t.account.id)).toBe(1);
    expect(asked.map((r) => [r.messages, r.source])).toEqual([
      [1, '/v1/messages/send'],
      [3, '/v1/messages/bulk-send'],
      [3, '/v1/bulk-messages'],
    ]);
    expect(asked[0]).toMatchObject({ accountId: t.account.id, from: [OWNER] });
  });

  it('takes false for a refusal with the default text, and is not asked for a replay', async () => {
    let calls = 0;
    const t = await setup({
      config: {
        quota: async () => {
          calls += 1;
          return calls === 1;
        },
      },
    });
    const input = { from: OWNER, to: CONTACT, content: 'a' };
    const first = await t.gateway.messages.send(t.account.id, input, { idempotencyKey: 'k1' });
    const replay = await t.gateway.messages.send(t.account.id, input, { idempotencyKey: 'k1' });
    expect(replay.id).toBe(first.id);
    expect(calls).toBe(1);
    await expect(t.gateway.messages.send(t.account.id, input)).rejects.toMatchObject({
      code: 'quota_exceeded',
      message: expect.stringContaining('quota'),
    });
  });

  it('is refused at construction when it is not a function', async () => {
    await expect(setup({ config: { quota: 5 as never } })).rejects.toMatchObject({
      code: 'config',
      message: expect.stringContaining('quota'),
    });
  });
});
