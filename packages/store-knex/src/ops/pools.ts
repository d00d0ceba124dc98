/** The PoolStore part on SQL: pools, their members (`phones.pool_id`) and sticky senders. */

import type {
  PhoneRecord,
  PoolContactRecord,
  PoolRecord,
  UnhealthyPoolPhonesQuery,
} from '@textport/core/store';
import { decodeRows, insertOne } from '../rows/codec.js';
import { PHONE, POOL, POOL_CONTACT } from '../rows/columns.js';
import type { Db } from '../sql/db.js';
import { raw, sql } from '../sql/fragment.js';
import { deleteOwned, OLDEST_FIRST, owned, selectMany, selectOne } from './common.js';

const BY_ID = raw('ORDER BY id');

/** Inserts or updates the pool, then its default flag and its members, in one transaction. */
export async function savePool(
  db: Db,
  pool: PoolRecord,
  phoneIds: readonly string[],
): Promise<PoolRecord> {
  const { kit } = db;
  const members = [...new Set(phoneIds)];
  const account = pool.accountId;
  const others = sql`UPDATE ${kit.t.pools} SET is_default = ${false} WHERE account_id = ${account} AND id <> ${pool.id} AND is_default = ${true}`;
  const leave = sql`UPDATE ${kit.t.phones} SET pool_id = NULL WHERE account_id = ${account} AND pool_id = ${pool.id} AND NOT (${kit.inList('id', members)})`;
  const join = sql`UPDATE ${kit.t.phones} SET pool_id = ${pool.id} WHERE account_id = ${account} AND ${kit.inList('id', members)}`;
  if (kit.pg) {
    // One statement: Postgres operations run outside a transaction of their own.
    const rows = await db.all(sql`
      WITH saved AS (
        ${insertOne(kit, POOL, pool)} ON CONFLICT (id) DO UPDATE
        SET name = excluded.name, is_default = excluded.is_default, updated_at = excluded.updated_at
        WHERE ${kit.t.pools}.account_id = excluded.account_id RETURNING *
      ), others AS (${pool.isDefault ? others : sql`SELECT 1`}),
      leave AS (${leave}), joined AS (${join})
      SELECT * FROM saved`);
    return decodeRows(POOL, rows)[0] as PoolRecord;
  }
  return db.atomic(async () => {
    const updated = await db.run(
      sql`UPDATE ${kit.t.pools} SET name = ${pool.name}, is_default = ${pool.isDefault}, updated_at = ${pool.updatedAt} WHERE ${owned(account, pool.id)}`,
    );
    if (updated === 0) await db.run(insertOne(kit, POOL, pool));
    if (pool.isDefault) await db.run(others);
    await db.run(leave);
    if (members.length > 0) await db.run(join);
    return (await getPool(db, account, pool.id)) as PoolRecord;
  });
}

export const getPool = (db: Db, accountId: string, id: string) =>
  selectOne(db, POOL, owned(accountId, id));

export const getDefaultPool = (db: Db, accountId: string) =>
  selectOne(db, POOL, sql`account_id = ${accountId} AND is_default = ${true}`);

export const listPools = (db: Db, accountId: string) =>
  selectMany(db, POOL, sql`account_id = ${accountId}`, OLDEST_FIRST);

export async function deletePool(
  db: Db,
  accountId: string,
  id: string,
): Promise<PoolRecord | null> {
  const { kit } = db;
  const free = sql`UPDATE ${kit.t.phones} SET pool_id = NULL WHERE account_id = ${accountId} AND pool_id = ${id}`;
  const forget = sql`DELETE FROM ${kit.t.pool_contacts} WHERE account_id = ${accountId} AND pool_id = ${id}`;
  if (kit.pg) {
    const rows = await db.all(sql`
      WITH deleted AS (DELETE FROM ${kit.t.pools} WHERE ${owned(accountId, id)} RETURNING *),
      freed AS (${free}), forgotten AS (${forget})
      SELECT * FROM deleted`);
    return decodeRows(POOL, rows)[0] ?? null;
  }
  return db.atomic(async () => {
    const deleted = await deleteOwned(db, POOL, accountId, id);
    if (!deleted) return null;
    await db.run(free);
    await db.run(forget);
    return deleted;
  });
}

export const listPoolMembers = (db: Db, poolId: string): Promise<PhoneRecord[]> =>
  selectMany(db, PHONE, sql`pool_id = ${poolId}`, BY_ID);

export const getPoolContact = (db: Db, poolId: string, contact: string) =>
  selectOne(db, POOL_CONTACT, sql`pool_id = ${poolId} AND contact = ${contact}`);

/** One upsert on the (pool, contact) key. */
export async function setPoolContact(db: Db, record: PoolContactRecord): Promise<void> {
  const insert = insertOne(db.kit, POOL_CONTACT, record);
  await db.run(
    db.kit.mysql
      ? sql`${insert} ON DUPLICATE KEY UPDATE phone_id = VALUES(phone_id), updated_at = VALUES(updated_at)`
      : sql`${insert} ON CONFLICT (pool_id, contact) DO UPDATE SET phone_id = excluded.phone_id, updated_at = excluded.updated_at`,
  );
}

export async function touchPhoneLinks(
  db: Db,
  phoneIds: readonly string[],
  now: number,
): Promise<void> {
  const ids = [...new Set(phoneIds)];
  if (ids.length === 0) return;
  await db.run(
    sql`UPDATE ${db.kit.t.phones} SET link_seen_at = ${now} WHERE ${db.kit.inList('id', ids)} AND pool_id IS NOT NULL AND (link_seen_at IS NULL OR link_seen_at < ${now})`,
  );
}

export function listUnhealthyPoolPhones(
  db: Db,
  query: UnhealthyPoolPhonesQuery,
): Promise<PhoneRecord[]> {
  const after = query.afterId === null ? raw('1 = 1') : sql`id > ${query.afterId}`;
  const limit = Math.max(0, Math.trunc(query.limit));
  return selectMany(
    db,
    PHONE,
    sql`pool_id IS NOT NULL AND ${after} AND (online = ${false} OR link_seen_at < ${query.linkSeenBefore})`,
    raw(`ORDER BY id LIMIT ${limit}`),
  );
}

export type { UnhealthyPoolPhonesQuery };
