/** The memory store's IntegrationStore part: Discord servers and the 3CX PBX of an account. */
import type { DiscordIntegrationRecord, Integration3cxRecord } from '../../domain/records.js';
import type { DiscordIntegrationListQuery } from '../integrations.js';
import { copyOrNull, descending, page, textMatcher } from './query.js';
import { conflict, ownedTable, type Tables, updateRow } from './tables.js';

const newestFirst = descending<DiscordIntegrationRecord>((row) => row.createdAt);

const discords = ownedTable<DiscordIntegrationRecord>(
  (t) => t.discordIntegrations,
  'discord integration',
);

function byServer(t: Tables, serverId: string): DiscordIntegrationRecord | undefined {
  for (const row of t.discordIntegrations.values()) if (row.serverId === serverId) return row;
  return undefined;
}

function checkServerFree(t: Tables, row: DiscordIntegrationRecord): void {
  const holder = byServer(t, row.serverId);
  if (holder && holder.id !== row.id)
    throw conflict(`discord server ${row.serverId} is already linked`);
}

export function insertDiscordIntegration(t: Tables, record: DiscordIntegrationRecord): void {
  checkServerFree(t, record);
  discords.insert(t, record);
}

export const getDiscordIntegration = discords.get;
export const deleteDiscordIntegration = discords.remove;

export function findDiscordIntegrationByServer(
  t: Tables,
  serverId: string,
): DiscordIntegrationRecord | null {
  return copyOrNull(byServer(t, serverId));
}

/** Newest first; `query` matches the name, the server id or the channel id. */
export function listDiscordIntegrations(
  t: Tables,
  query: DiscordIntegrationListQuery,
): DiscordIntegrationRecord[] {
  const matches = textMatcher(query.query);
  const rows = [...t.discordIntegrations.values()].filter(
    (row) =>
      row.accountId === query.accountId && matches(row.name, row.serverId, row.incomingChannelId),
  );
  return page(rows.sort(newestFirst), query);
}

export function updateDiscordIntegration(
  t: Tables,
  id: string,
  patch: Partial<DiscordIntegrationRecord>,
): DiscordIntegrationRecord | null {
  return updateRow(t, t.discordIntegrations, id, patch, (next) => checkServerFree(t, next));
}

export function putIntegration3cx(t: Tables, record: Integration3cxRecord): Integration3cxRecord {
  const existing = t.integrations3cx.get(record.accountId);
  const row = existing
    ? { ...existing, webhookUrl: record.webhookUrl, updatedAt: record.updatedAt }
    : structuredClone(record);
  t.put(t.integrations3cx, record.accountId, row);
  return structuredClone(row);
}

export function getIntegration3cx(t: Tables, accountId: string): Integration3cxRecord | null {
  return copyOrNull(t.integrations3cx.get(accountId));
}

export function deleteIntegration3cx(t: Tables, accountId: string): boolean {
  return t.remove(t.integrations3cx, accountId) !== undefined;
}
