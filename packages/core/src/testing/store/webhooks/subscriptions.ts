/** Conformance (WebhookStore): webhooks of an account and `listWebhooksFor`. */
import { expect, it } from 'vitest';
import type { WebhookRecord } from '../../../domain/records.js';
import { makeWebhook, randomPhoneNumber } from '../../fixtures.js';
import { expectConflict, type GroupContext, idSet, ids, uuid } from '../context.js';

export function subscriptionsGroup(ctx: GroupContext): void {
  it('inserts, gets, lists, updates and deletes webhooks of an account', async () => {
    const accountId = uuid();
    const base = Date.now();
    const older = makeWebhook({ accountId, createdAt: base - 10, url: 'https://a.example/hook' });
    const newer = makeWebhook({ accountId, createdAt: base, signingKey: 'secret' });
    await ctx.store.insertWebhook(older);
    await ctx.store.insertWebhook(newer);
    await ctx.store.insertWebhook(makeWebhook());
    await expectConflict(ctx.store.insertWebhook({ ...makeWebhook({ accountId }), id: older.id }));
    expect(await ctx.store.getWebhook(accountId, older.id)).toEqual(older);
    expect(await ctx.store.getWebhook(uuid(), older.id)).toBeNull();
    const list = (query: string | null, skip = 0, limit = 10) =>
      ctx.store.listWebhooks({ accountId, query, skip, limit });
    expect(ids(await list(null))).toEqual([newer.id, older.id]);
    expect(ids(await list('A.EXAMPLE'))).toEqual([older.id]);
    expect(ids(await list(null, 1, 1))).toEqual([older.id]);
    const events = ['message.phone.sent', 'message.phone.delivered'];
    const updated = await ctx.store.updateWebhook(older.id, { events, enabled: false });
    expect(updated).toEqual({ ...older, events, enabled: false });
    expect(await ctx.store.updateWebhook(uuid(), { enabled: true })).toBeNull();
    expect(await ctx.store.deleteWebhook(uuid(), older.id)).toBe(false);
    expect(await ctx.store.deleteWebhook(accountId, older.id)).toBe(true);
    expect(await ctx.store.getWebhook(accountId, older.id)).toBeNull();
  });

  it('selects webhooks for an event by type, owner number and enabled flag', async () => {
    const accountId = uuid();
    const owner = randomPhoneNumber();
    const event = 'message.phone.received';
    const make = (o: Partial<WebhookRecord>) =>
      makeWebhook({ accountId, events: [event], phoneNumbers: [owner], ...o });
    const match = make({});
    const alsoMatch = make({
      events: ['message.phone.sent', event],
      phoneNumbers: [randomPhoneNumber(), owner],
    });
    const rows = [
      match,
      alsoMatch,
      make({ enabled: false }),
      make({ events: ['message.phone.sent'] }),
      make({ phoneNumbers: [randomPhoneNumber()] }),
      makeWebhook({ events: [event], phoneNumbers: [owner] }),
    ];
    for (const row of rows) await ctx.store.insertWebhook(row);
    expect(idSet(await ctx.store.listWebhooksFor(accountId, event, owner))).toEqual(
      idSet([match, alsoMatch]),
    );
    expect(await ctx.store.listWebhooksFor(accountId, 'message.call.missed', owner)).toEqual([]);
    await ctx.store.updateWebhook(match.id, { enabled: false });
    expect(ids(await ctx.store.listWebhooksFor(accountId, event, owner))).toEqual([alsoMatch.id]);
  });

  it('starts a failing episode once (compare-and-set) and ends it with an update', async () => {
    const hook = makeWebhook();
    await ctx.store.insertWebhook(hook);
    const marks = await Promise.all([
      ctx.store.markWebhookFailing(hook.id, 1_000),
      ctx.store.markWebhookFailing(hook.id, 2_000),
    ]);
    expect(marks.filter(Boolean)).toHaveLength(1);
    const since = (await ctx.store.getWebhook(hook.accountId, hook.id))?.failingSince;
    expect(since === 1_000 || since === 2_000).toBe(true);
    expect(await ctx.store.markWebhookFailing(hook.id, 3_000)).toBe(false);
    expect(await ctx.store.updateWebhook(hook.id, { failingSince: null })).toMatchObject({
      failingSince: null,
    });
    expect(await ctx.store.markWebhookFailing(hook.id, 4_000)).toBe(true);
    expect((await ctx.store.getWebhook(hook.accountId, hook.id))?.failingSince).toBe(4_000);
    expect(await ctx.store.markWebhookFailing(uuid(), 5_000)).toBe(false);
  });
}
