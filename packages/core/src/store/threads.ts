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

export interface ThreadStore {
  insertThread(thread: ThreadRecord): Promise<void>;
  getThread(accountId: string, id: string): Promise<ThreadRecord | null>;
  findThread(accountId: string, owner: string, contact: string): Promise<ThreadRecord | null>;
  /** Newest `orderTimestamp` first. */
  listThreads(query: ThreadListQuery): Promise<ThreadRecord[]>;
  updateThread(id: string, patch: RecordPatch<ThreadRecord>): Promise<ThreadRecord | null>;
  deleteThread(accountId: string, id: string): Promise<ThreadRecord | null>;
}
