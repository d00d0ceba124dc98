/**
 * ClaimStore: handing work to exactly one caller. Due messages (`claimDue`,
 * `nextDueAt`, `getDueBacklog`), an outstanding message taken by a phone (`takeOutstanding`),
 * the phones' pacing anchor and their heartbeat checks. Implemented by
 * `memory/claims.ts` and store-knex's `ops/claims.ts`; checked by the
 * conformance group `claims` (due, outstanding, pacing, cross-process).
 */

import type { MessageRecord, PhoneRecord } from '../domain/records.js';
import type { MessageStatus } from '../lifecycle/status.js';

export interface ClaimDueQuery {
  now: number;
  /** Phones this caller can reach; `'all'` for every phone. */
  phoneIds: readonly string[] | 'all';
  limit: number;
  leaseMs: number;
  /** Stable identity of the claimer, written as the lease owner. */
  claimer: string;
  /** Only rows sent through a pool (`poolId` set): the failover sweep's claims. */
  pooledOnly?: boolean;
}

/** What `pickDue` takes: a claim without a lease. */
export interface PickDueQuery extends Omit<ClaimDueQuery, 'leaseMs' | 'claimer'> {
  /**
   * Who picks (the node), when it picks round after round with its reachable phones:
   * a store may keep a long list under this name between picks rather than read it
   * from every query (`claimDue` uses its `claimer` the same way). Without it, the
   * list is read from the query.
   */
  claimer?: string;
}

export interface TakeOutstandingQuery {
  accountId: string;
  id: string;
  now: number;
  /** The statuses a message is taken from: the lifecycle's `sourcesOf('take')`. */
  from: readonly MessageStatus[];
  /** The status it is taken to: the lifecycle's `targetOf('take')`. */
  to: MessageStatus;
  /** Restrict to these owner numbers (a phone API key's scope); null = any. */
  owners?: readonly string[] | null;
  /** When given, the new `dueAt` of the taken message (its expiry check). */
  dueAt?: number | null;
}

export interface ClaimHeartbeatQuery {
  now: number;
  limit: number;
  /** Claimed phones get `heartbeatCheckAt = now + leaseMs`, so no other claimer takes them meanwhile. */
  leaseMs: number;
  claimer: string;
}

/** The dispatcher's backlog: rows due now (leased or not) and the oldest due time among them. */
export interface DueBacklog {
  due: number;
  /** The earliest `dueAt <= now`, or null when nothing is due. */
  oldestDueAt: number | null;
}

export interface ClaimStore {
  /**
   * Due rows, earliest `dueAt` first; equal `dueAt` in insertion order (FIFO).
   * Each row goes to exactly one caller, leased until `now + leaseMs`; a lease
   * that runs out makes the row claimable again.
   */
  claimDue(query: ClaimDueQuery): Promise<MessageRecord[]>;
  /**
   * Inside `transaction(fn)`: the rows `claimDue` would claim, in its order, held by
   * the transaction instead of leased: no other claim takes them until it ends, and
   * the caller writes each row's next state (or a lease) in the same transaction, so
   * a row is written once per round. A rollback, or a lost connection, frees them at
   * once. SQL stores lock them (`FOR UPDATE SKIP LOCKED`; SQLite's single writer);
   * outside a transaction the result is only a read.
   */
  pickDue(query: PickDueQuery): Promise<MessageRecord[]>;
  /**
   * The earliest `dueAt` among the given phones' rows, leased or not, or null.
   * `claimer`: the name the caller claims with (`claimDue`'s); a store that keeps a
   * claimer's long phone list may read it instead of the ids when the list is the one
   * its last claim was given (the answer is the same).
   */
  nextDueAt(phoneIds: readonly string[] | 'all', claimer?: string): Promise<number | null>;
  /** How many rows of every phone have `dueAt <= now`, leased or not, and the earliest of them. */
  getDueBacklog(now: number): Promise<DueBacklog>;
  /** Moves one message to `sending` atomically. */
  takeOutstanding(query: TakeOutstandingQuery): Promise<MessageRecord | null>;
  /**
   * Compare-and-set of the phone's pacing anchor: when `lastScheduledAt` is
   * `expected`, set it to `next` and return true; else change nothing, return false.
   */
  reservePhoneSlot(phoneId: string, expected: number | null, next: number): Promise<boolean>;
  /**
   * The pacing gate of actual hand-offs, in one atomic step: when the phone's
   * `lastHandoffAt` is null or at most `at - spacingMs`, set it to `at` and return
   * true; else change nothing and return false. Of callers racing for one spacing,
   * across processes, exactly one wins.
   */
  reservePhoneHandoff(phoneId: string, at: number, spacingMs: number): Promise<boolean>;
  /**
   * The cap gate of actual hand-offs (`domain/caps.ts`, `reserveBudget`), in one
   * atomic step: when `segments` fit the phone's hour and day windows at `at`
   * (a window that has ended starts anew at `at`), count them in and return true;
   * else change nothing and return false. Of callers racing for the last segments
   * of a budget, across processes, only as many as fit win.
   */
  reservePhoneBudget(phoneId: string, at: number, segments: number): Promise<boolean>;
  /**
   * The unique-recipients gate (`domain/recipients.ts`), in one atomic step: when
   * the phone has no `recipientsPerMonth`, or `contact` was counted in the month of
   * `at` (UTC), return true; when the month's count is below the cap, count the
   * contact (once) and return true; else change nothing and return false. Of
   * callers racing for the last place, across processes, only as many as fit win
   * (a contact raced for twice may be counted twice: never more than the cap go).
   */
  reservePhoneRecipient(phoneId: string, contact: string, at: number): Promise<boolean>;
  /**
   * Phones whose `heartbeatCheckAt <= now`, earliest first, at most `limit`; each
   * claimed phone's `heartbeatCheckAt` moves to `now + leaseMs` atomically.
   */
  claimHeartbeatChecks(query: ClaimHeartbeatQuery): Promise<PhoneRecord[]>;
}
