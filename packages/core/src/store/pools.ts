/**
 * PoolStore: groups of an account's phones that send as one, and the sticky
 * sender of each contact (docs/routing.md, Pools). Implemented by
 * `memory/pools.ts` and store-knex's `ops/pools.ts`; checked by the conformance
 * group `pools`.
 */
import type { PhoneRecord, PoolContactRecord, PoolRecord } from '../domain/records.js';

export interface UnhealthyPoolPhonesQuery {
  /** A link last seen before this time has dropped. */
  linkSeenBefore: number;
  /** Phones with a larger id only (paging). */
  afterId: string | null;
  limit: number;
}

export interface PoolStore {
  /**
   * Inserts or updates the pool (by id) and makes `phoneIds` (the account's phones
   * among them) its members, in one transaction: they leave any other pool, and
   * members not listed leave this one. A default pool makes the account's other
   * pools non-default. Returns the stored pool.
   */
  savePool(pool: PoolRecord, phoneIds: readonly string[]): Promise<PoolRecord>;
  getPool(accountId: string, id: string): Promise<PoolRecord | null>;
  /** The account's default pool, if it has one. */
  getDefaultPool(accountId: string): Promise<PoolRecord | null>;
  /** Oldest first. */
  listPools(accountId: string): Promise<PoolRecord[]>;
  /** Removes the pool and its sticky senders; its phones stay, in no pool. */
  deletePool(accountId: string, id: string): Promise<PoolRecord | null>;
  /** The pool's phones, by id. */
  listPoolMembers(poolId: string): Promise<PhoneRecord[]>;
  /** The phone the pool last chose for `contact`, if any. */
  getPoolContact(poolId: string, contact: string): Promise<PoolContactRecord | null>;
  /** Records (or replaces) the sticky sender of (pool, contact) in one statement. */
  setPoolContact(record: PoolContactRecord): Promise<void>;
  /**
   * Marks the links of the pool members among `phoneIds` as seen at `now` (one
   * statement; phones in no pool are left alone: only failover reads it).
   */
  touchPhoneLinks(phoneIds: readonly string[], now: number): Promise<void>;
  /**
   * Members of some pool that cannot send: offline (the heartbeat monitor), or
   * whose link was last seen before `linkSeenBefore`. By id.
   */
  listUnhealthyPoolPhones(query: UnhealthyPoolPhonesQuery): Promise<PhoneRecord[]>;
}
