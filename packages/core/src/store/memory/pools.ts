/** The memory store's PoolStore part: pools, their members (phones' `poolId`) and sticky senders. */
import type { PhoneRecord, PoolContactRecord, PoolRecord } from '../../domain/records.js';
import type { UnhealthyPoolPhonesQuery } from '../pools.js';
import { copyOrNull } from './query.js';
import { deleteOwned, ownedRow, patched, type Tables } from './tables.js';

const contactKey = (poolId: string, contact: string) => JSON.stringify([poolId, contact]);
const oldestFirst = (a: PoolRecord, b: PoolRecord) =>
  a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byId = (a: PhoneRecord, b: PhoneRecord) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function savePool(t: Tables, pool: PoolRecord, phoneIds: readonly string[]): PoolRecord {
  return t.atomic(() => {
    const existing = ownedRow(t.pools, pool.accountId, pool.id);
    const stored = existing ? patched(existing, { ...pool, createdAt: undefined }) : { ...pool };
    t.put(t.pools, pool.id, structuredClone(stored));
    if (stored.isDefault) {
      for (const other of t.pools.values()) {
        if (other.accountId === pool.accountId && other.id !== pool.id && other.isDefault) {
          t.put(t.pools, other.id, { ...other, isDefault: false });
        }
      }
    }
    const members = new Set(phoneIds);
    for (const phone of t.phones.values()) {
      if (phone.accountId !== pool.accountId) continue;
      const next = members.has(phone.id) ? pool.id : phone.poolId === pool.id ? null : phone.poolId;
      if (next !== phone.poolId) t.put(t.phones, phone.id, { ...phone, poolId: next });
    }
    return structuredClone(stored);
  });
}

export function getPool(t: Tables, accountId: string, id: string): PoolRecord | null {
  return copyOrNull(ownedRow(t.pools, accountId, id));
}

export function getDefaultPool(t: Tables, accountId: string): PoolRecord | null {
  for (const pool of t.pools.values()) {
    if (pool.accountId === accountId && pool.isDefault) return structuredClone(pool);
  }
  return null;
}

export function listPools(t: Tables, accountId: string): PoolRecord[] {
  return [...t.pools.values()]
    .filter((pool) => pool.accountId === accountId)
    .sort(oldestFirst)
    .map((pool) => structuredClone(pool));
}

export function deletePool(t: Tables, accountId: string, id: string): PoolRecord | null {
  return t.atomic(() => {
    const deleted = deleteOwned(t, t.pools, accountId, id);
    if (!deleted) return null;
    for (const phone of t.phones.values()) {
      if (phone.poolId === id) t.put(t.phones, phone.id, { ...phone, poolId: null });
    }
    for (const [key, row] of t.poolContacts) if (row.poolId === id) t.remove(t.poolContacts, key);
    return structuredClone(deleted);
  });
}

export function listPoolMembers(t: Tables, poolId: string): PhoneRecord[] {
  return [...t.phones.values()]
    .filter((phone) => phone.poolId === poolId)
    .sort(byId)
    .map((phone) => structuredClone(phone));
}

export function getPoolContact(
  t: Tables,
  poolId: string,
  contact: string,
): PoolContactRecord | null {
  return copyOrNull(t.poolContacts.get(contactKey(poolId, contact)));
}

export function setPoolContact(t: Tables, record: PoolContactRecord): void {
  t.put(t.poolContacts, contactKey(record.poolId, record.contact), structuredClone(record));
}

export function touchPhoneLinks(t: Tables, phoneIds: readonly string[], now: number): void {
  for (const id of new Set(phoneIds)) {
    const phone = t.phones.get(id);
    if (phone?.poolId && (phone.linkSeenAt ?? -Infinity) < now) {
      t.put(t.phones, id, { ...phone, linkSeenAt: now });
    }
  }
}

export function listUnhealthyPoolPhones(t: Tables, query: UnhealthyPoolPhonesQuery): PhoneRecord[] {
  return [...t.phones.values()]
    .filter(
      (phone) =>
        phone.poolId !== null &&
        (query.afterId === null || phone.id > query.afterId) &&
        (!phone.online || (phone.linkSeenAt !== null && phone.linkSeenAt < query.linkSeenBefore)),
    )
    .sort(byId)
    .slice(0, Math.max(0, query.limit))
    .map((phone) => structuredClone(phone));
}
