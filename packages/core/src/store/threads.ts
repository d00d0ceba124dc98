/**
 * ThreadStore: one conversation summary per (owner, contact) of an account.
 * Implemented by `memory/threads.ts` and store-knex's `ops/threads.ts`; checked
 * by the conformance group `threads`.
 */
import type { ThreadRecord } from '../domain/records.js';
import type { PageQuery, RecordPatch } from './page.js';

export interface ThreadListQuery extends PageQuery {
  accountId: string;
  owner: string;
  isArchived: boolean;
  /** Substring of the last message content, the owner or the contact. */
  query?: string | null;
}

/** The pair a thread is kept for. */
export interface ThreadKey {
  accountId: string;
  owner: string;
  contact: string;
}

/** One thread's patch in a batch (`updateThreads`). */
export interface ThreadUpdate {
  id: string;
  patch: RecordPatch<ThreadRecord>;
}

export interface ThreadStore {
  insertThread(thread: ThreadRecord): Promise<void>;
  getThread(accountId: string, id: string): Promise<ThreadRecord | null>;
  findThread(accountId: string, owner: string, contact: string): Promise<ThreadRecord | null>;
  /**
   * The threads of these pairs that exist, in id order, in one read. Inside a
   * transaction, SQL stores lock them until it ends, taken in id order, so two
   * batches that share threads wait for each other instead of deadlocking.
   */
  findThreads(keys: readonly ThreadKey[]): Promise<ThreadRecord[]>;
  /** Newest `orderTimestamp` first. */
  listThreads(query: ThreadListQuery): Promise<ThreadRecord[]>;
  updateThread(id: string, patch: RecordPatch<ThreadRecord>): Promise<ThreadRecord | null>;
  /** Applies each patch to its thread (a missing thread is skipped), in few statements. */
  updateThreads(updates: readonly ThreadUpdate[]): Promise<void>;
  deleteThread(accountId: string, id: string): Promise<ThreadRecord | null>;
}
