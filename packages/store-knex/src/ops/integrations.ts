/** The IntegrationStore part on SQL: an account's Discord servers and its 3CX PBX. */

import { GatewayError } from '@textport/core';
import type {
  DiscordIntegrationListQuery,
  DiscordIntegrationRecord,
  Integration3cxRecord,
} from '@textport/core/store';
import { insertOne } from '../rows/codec.js';
import { DISCORD_INTEGRATION, INTEGRATION_3CX } from '../rows/columns.js';
import type { Db } from '../sql/db.js';
import { and, sql } from '../sql/fragment.js';
import {
  deleteOwned,
  insertRow,
  NEWEST_FIRST,
  owned,
  selectMany,
  selectOne,
  updateById,
} from './common.js';

export const insertDiscordIntegration = (db: Db, record: DiscordIntegrationRecord) =>
  insertRow(db, DISCORD_INTEGRATION, record);

export const getDiscordIntegration = (db: Db, accountId: string, id: string) =>
  selectOne(db, DISCORD_INTEGRATION, owned(accountId, id));

export const findDiscordIntegrationByServer = (db: Db, serverId: string) =>
  selectOne(db, DISCORD_INTEGRATION, sql`server_id = ${serverId}`);

/** Newest first; `query` matches the name, the server id or the channel id. */
export function listDiscordIntegrations(db: Db, query: DiscordIntegrationListQuery) {
  const where = and([
    sql`account_id = ${query.accountId}`,
    db.kit.contains(['name', 'server_id', 'incoming_channel_id'], query.query),
  ]);
  return selectMany(db, DISCORD_INTEGRATION, where, NEWEST_FIRST, query);
}

export const updateDiscordIntegration = (
  db: Db,
  id: string,
  patch: Partial<DiscordIntegrationRecord>,
) => updateById(db, DISCORD_INTEGRATION, id, patch);

export async function deleteDiscordIntegration(
  db: Db,
  accountId: string,
  id: string,
): Promise<boolean> {
  return (await deleteOwned(db, DISCORD_INTEGRATION, accountId, id)) !== null;
}

/** One upsert on the account's unique key, then the stored row. */
export async function putIntegration3cx(
  db: Db,
  record: Integration3cxRecord,
): Promise<Integration3cxRecord> {
  const insert = insertOne(db.kit, INTEGRATION_3CX, record);
  await db.run(
    db.kit.mysql
      ? sql`${insert} ON DUPLICATE KEY UPDATE webhook_url = VALUES(webhook_url), updated_at = VALUES(updated_at)`
      : sql`${insert} ON CONFLICT (account_id) DO UPDATE SET webhook_url = excluded.webhook_url, updated_at = excluded.updated_at`,
  );
  const stored = await getIntegration3cx(db, record.accountId);
  if (!stored) throw new GatewayError('store', `3CX integration of ${record.accountId} vanished`);
  return stored;
}

export const getIntegration3cx = (db: Db, accountId: string) =>
  selectOne(db, INTEGRATION_3CX, sql`account_id = ${accountId}`);

export async function deleteIntegration3cx(db: Db, accountId: string): Promise<boolean> {
  return (
    (await db.run(sql`DELETE FROM ${db.kit.t.integration_3cx} WHERE account_id = ${accountId}`)) > 0
  );
}
