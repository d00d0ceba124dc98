/** Conformance (IntegrationStore): an account's Discord servers and its 3CX PBX. */
import { expect, it } from 'vitest';
import { makeDiscordIntegration, makeIntegration3cx } from '../fixtures.js';
import { expectConflict, type GroupContext, ids, uuid } from './context.js';

export function integrationsGroup(ctx: GroupContext): void {
  it('links a Discord server to one account, listed newest first', async () => {
    const accountId = uuid();
    const base = Date.now();
    const older = makeDiscordIntegration({ accountId, createdAt: base - 100, name: 'Older' });
    const newer = makeDiscordIntegration({ accountId, createdAt: base, name: 'Game Server' });
    await ctx.store.insertDiscordIntegration(older);
    await ctx.store.insertDiscordIntegration(newer);
    const stranger = makeDiscordIntegration();
    await ctx.store.insertDiscordIntegration(stranger);
    // The same server for another account, and the same id again, are conflicts.
    await expectConflict(
      ctx.store.insertDiscordIntegration(makeDiscordIntegration({ serverId: older.serverId })),
    );
    await expectConflict(
      ctx.store.insertDiscordIntegration({ ...makeDiscordIntegration(), id: older.id }),
    );
    expect(await ctx.raw.countAccountRows('discord_integrations', accountId)).toBe(2);

    expect(await ctx.store.getDiscordIntegration(accountId, older.id)).toEqual(older);
    expect(await ctx.store.getDiscordIntegration(uuid(), older.id)).toBeNull();
    expect(await ctx.store.findDiscordIntegrationByServer(stranger.serverId)).toEqual(stranger);
    expect(await ctx.store.findDiscordIntegrationByServer('404')).toBeNull();
    const page = { accountId, skip: 0, limit: 10 };
    expect(await ctx.store.listDiscordIntegrations(page)).toEqual([newer, older]);
    expect(ids(await ctx.store.listDiscordIntegrations({ ...page, skip: 1 }))).toEqual([older.id]);
    expect(ids(await ctx.store.listDiscordIntegrations({ ...page, query: 'game' }))).toEqual([
      newer.id,
    ]);
    expect(
      ids(await ctx.store.listDiscordIntegrations({ ...page, query: older.incomingChannelId })),
    ).toEqual([older.id]);
  });

  it('updates and deletes a Discord integration, refusing a server another one holds', async () => {
    const accountId = uuid();
    const row = makeDiscordIntegration({ accountId });
    const other = makeDiscordIntegration();
    await ctx.store.insertDiscordIntegration(row);
    await ctx.store.insertDiscordIntegration(other);
    const patch = {
      name: 'Ops',
      incomingChannelId: '1095780203256627291',
      updatedAt: row.updatedAt + 1,
    };
    expect(await ctx.store.updateDiscordIntegration(row.id, patch)).toEqual({ ...row, ...patch });
    await expectConflict(ctx.store.updateDiscordIntegration(row.id, { serverId: other.serverId }));
    expect(await ctx.store.getDiscordIntegration(accountId, row.id)).toEqual({ ...row, ...patch });
    expect(await ctx.store.updateDiscordIntegration(uuid(), { name: 'x' })).toBeNull();
    expect(await ctx.store.deleteDiscordIntegration(uuid(), row.id)).toBe(false);
    expect(await ctx.store.deleteDiscordIntegration(accountId, row.id)).toBe(true);
    expect(await ctx.raw.countAccountRows('discord_integrations', accountId)).toBe(0);
    // The server is free again.
    await ctx.store.insertDiscordIntegration(makeDiscordIntegration({ serverId: row.serverId }));
  });

  it('keeps one 3CX integration per account, replaced in place', async () => {
    const accountId = uuid();
    const first = makeIntegration3cx({ accountId });
    expect(await ctx.store.putIntegration3cx(first)).toEqual(first);
    const second = makeIntegration3cx({ accountId, updatedAt: first.updatedAt + 5 });
    const stored = await ctx.store.putIntegration3cx(second);
    expect(stored).toEqual({
      ...first,
      webhookUrl: second.webhookUrl,
      updatedAt: second.updatedAt,
    });
    expect(await ctx.raw.countAccountRows('integration_3cx', accountId)).toBe(1);
    expect(await ctx.store.getIntegration3cx(accountId)).toEqual(stored);
    expect(await ctx.store.getIntegration3cx(uuid())).toBeNull();
    expect(await ctx.store.deleteIntegration3cx(uuid())).toBe(false);
    expect(await ctx.store.deleteIntegration3cx(accountId)).toBe(true);
    expect(await ctx.raw.countAccountRows('integration_3cx', accountId)).toBe(0);
    expect(await ctx.store.getIntegration3cx(accountId)).toBeNull();
  });
}
