/** Webhook registrations, settings documents and inbound delivery ids. */
import { expect, it } from 'vitest';
import type { SettingsDocument, WebhookRegistration } from '../../src/store/types.js';
import { type Group, newAccount } from './context.js';

function hook(accountId: string, overrides: Partial<WebhookRegistration>): WebhookRegistration {
  return {
    accountId,
    id: 'hook',
    deviceId: null,
    url: 'https://example.com/hooks/sms',
    event: 'sms:received',
    createdAt: 1_000,
    ...overrides,
  };
}

export const webhooksGroup: Group = (ctx) => {
  it('lists the registrations that apply to a device, oldest first (ties by id)', async () => {
    const accountId = await newAccount(ctx);
    const otherAccount = await newAccount(ctx);
    const all = hook(accountId, { id: 'w-all', createdAt: 2_000 });
    const mine = hook(accountId, { id: 'w-mine', deviceId: 'dev-1', createdAt: 1_000 });
    const theirs = hook(accountId, { id: 'w-theirs', deviceId: 'dev-2', createdAt: 2_000 });
    const tie = hook(accountId, { id: 'w-aa', event: 'sms:sent', createdAt: 2_000 });
    const foreign = hook(otherAccount, { id: 'w-foreign' });
    for (const w of [all, mine, theirs, tie, foreign]) await ctx.store.upsertWebhook(w);

    expect(await ctx.store.listWebhooks(accountId)).toEqual([mine, tie, all, theirs]);
    expect(await ctx.store.listWebhooks(accountId, 'dev-1')).toEqual([mine, tie, all]);
    expect(await ctx.store.listWebhooks(accountId, 'dev-2')).toEqual([tie, all, theirs]);
    expect(await ctx.store.listWebhooks(accountId, 'dev-3')).toEqual([tie, all]);
    expect(await ctx.store.listWebhooks(otherAccount)).toEqual([foreign]);
    expect(await ctx.store.listWebhooks('nobody', 'dev-1')).toEqual([]);
  });

  it('replaces a registration with the same id in its account only', async () => {
    const accountId = await newAccount(ctx);
    const otherAccount = await newAccount(ctx);
    await ctx.store.upsertWebhook(hook(accountId, { id: 'same' }));
    await ctx.store.upsertWebhook(hook(otherAccount, { id: 'same' }));
    const replaced = hook(accountId, {
      id: 'same',
      deviceId: 'dev-9',
      url: 'https://example.com/ünïcode/😀?q=1',
      event: 'sms:delivered',
      createdAt: 5_000,
    });
    await ctx.store.upsertWebhook(replaced);
    expect(await ctx.store.listWebhooks(accountId)).toEqual([replaced]);
    expect(await ctx.store.listWebhooks(otherAccount)).toEqual([
      hook(otherAccount, { id: 'same' }),
    ]);
  });

  it('deletes a registration of its own account only', async () => {
    const accountId = await newAccount(ctx);
    const otherAccount = await newAccount(ctx);
    const w = hook(accountId, { id: 'to-delete' });
    await ctx.store.upsertWebhook(w);
    expect(await ctx.store.deleteWebhook(otherAccount, 'to-delete')).toBe(false);
    expect(await ctx.store.listWebhooks(accountId)).toEqual([w]);
    expect(await ctx.store.deleteWebhook(accountId, 'to-delete')).toBe(true);
    expect(await ctx.store.listWebhooks(accountId)).toEqual([]);
    expect(await ctx.store.deleteWebhook(accountId, 'to-delete')).toBe(false);
  });
};

export const settingsGroup: Group = (ctx) => {
  it('is empty until put, then reads back exactly what was put', async () => {
    const accountId = await newAccount(ctx);
    expect(await ctx.store.getSettings(accountId)).toEqual({});
    const document: SettingsDocument = {
      messages: { limit_period: 'PerMinute', limit_value: 10, send_interval_min: '5' },
      ping: { interval_seconds: null },
      webhooks: { internet_required: true, retry_count: 15, signing_key: 'kéy-🔑-𝄞' },
      encryption: { passphrase: 'pass phrase with "quotes", \\ and\nnewline ✓' },
      nested: { list: [1, 'two', { three: 3.5 }], deep: { deeper: { deepest: false } } },
    };
    await ctx.store.putSettings(accountId, document);
    const read = await ctx.store.getSettings(accountId);
    expect(read).toEqual(document);
    expect(Object.keys(read)).toEqual(Object.keys(document));
  });

  it('replaces the whole document on put, per account', async () => {
    const accountId = await newAccount(ctx);
    const otherAccount = await newAccount(ctx);
    await ctx.store.putSettings(accountId, { messages: { limit_value: 1 }, ping: { x: 1 } });
    await ctx.store.putSettings(otherAccount, { logs: { lifetime_days: 3 } });
    await ctx.store.putSettings(accountId, { messages: { limit_period: 'PerDay' } });
    expect(await ctx.store.getSettings(accountId)).toEqual({
      messages: { limit_period: 'PerDay' },
    });
    expect(await ctx.store.getSettings(otherAccount)).toEqual({ logs: { lifetime_days: 3 } });
    await ctx.store.putSettings(accountId, {});
    expect(await ctx.store.getSettings(accountId)).toEqual({});
  });

  it('hands out copies: changing a read document changes nothing stored', async () => {
    const accountId = await newAccount(ctx);
    const document: SettingsDocument = { messages: { limit_value: 1 } };
    await ctx.store.putSettings(accountId, document);
    const read = await ctx.store.getSettings(accountId);
    (read.messages as Record<string, unknown>).limit_value = 99;
    (document.messages as Record<string, unknown>).limit_value = 98;
    expect(await ctx.store.getSettings(accountId)).toEqual({ messages: { limit_value: 1 } });
  });
};

export const inboundGroup: Group = (ctx) => {
  // Times far apart per case: `forgetInbound` works over every device at once.
  it('remembers a delivery id once per device', async () => {
    const at = 9_000_000_000_000;
    expect(await ctx.store.rememberInbound('dev-1', 'evt-1', at)).toBe(true);
    expect(await ctx.store.rememberInbound('dev-1', 'evt-1', at + 1)).toBe(false);
    expect(await ctx.store.rememberInbound('dev-2', 'evt-1', at)).toBe(true);
    expect(await ctx.store.rememberInbound('dev-1', 'evt-2', at)).toBe(true);
    expect(await ctx.store.rememberInbound('dev-1', 'évt-😀', at)).toBe(true);
    expect(await ctx.store.rememberInbound('dev-1', 'évt-😀', at)).toBe(false);
  });

  it('tells whether a delivery id is remembered, per device', async () => {
    const at = 9_100_000_000_000;
    expect(await ctx.store.hasInbound('dev-h', 'evt-h')).toBe(false);
    expect(await ctx.store.rememberInbound('dev-h', 'evt-h', at)).toBe(true);
    expect(await ctx.store.hasInbound('dev-h', 'evt-h')).toBe(true);
    expect(await ctx.store.hasInbound('dev-i', 'evt-h')).toBe(false);
    expect(await ctx.store.hasInbound('dev-h', 'evt-i')).toBe(false);
  });

  it('forgets the ids remembered before a time, and only those', async () => {
    expect(await ctx.store.rememberInbound('dev-f', 'old-1', 1_000)).toBe(true);
    expect(await ctx.store.rememberInbound('dev-g', 'old-2', 1_999)).toBe(true);
    expect(await ctx.store.rememberInbound('dev-f', 'edge', 2_000)).toBe(true);
    expect(await ctx.store.rememberInbound('dev-f', 'new', 3_000)).toBe(true);
    expect(await ctx.store.forgetInbound(2_000)).toBe(2);
    expect(await ctx.store.forgetInbound(2_000)).toBe(0);
    // Forgotten ids count as new again; kept ones still as seen.
    expect(await ctx.store.rememberInbound('dev-f', 'old-1', 4_000)).toBe(true);
    expect(await ctx.store.rememberInbound('dev-f', 'edge', 4_000)).toBe(false);
    expect(await ctx.store.rememberInbound('dev-f', 'new', 4_000)).toBe(false);
    expect(await ctx.store.forgetInbound(3_001)).toBe(2);
    expect(await ctx.store.rememberInbound('dev-f', 'new', 5_000)).toBe(true);
    expect(await ctx.store.rememberInbound('dev-f', 'old-1', 5_000)).toBe(false);
  });
};
