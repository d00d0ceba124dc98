/** Threads of the memory store: one per (account, owner, contact). */
import type { ThreadRecord } from '../../domain/records.js';
import type { ThreadListQuery } from '../../store.js';
import { copyOrNull, descending, type PatchOf, page, textMatcher } from './query.js';
import { conflict, deleteOwned, ownedRow, type Tables, updateRow } from './tables.js';

function findPair(
  t: Tables,
  accountId: string,
  owner: string,
  contact: string,
): ThreadRecord | undefined {
  for (const thread of t.threads.values()) {
    if (thread.accountId === accountId && thread.owner === owner && thread.contact === contact) {
      return thread;
    }
  }
  return undefined;
}

function assertUniquePair(t: Tables, thread: ThreadRecord): void {
  const other = findPair(t, thread.accountId, thread.owner, thread.contact);
  if (other && other.id !== thread.id) {
    throw conflict(`a thread between ${thread.owner} and ${thread.contact} already exists`);
  }
}

export function insertThread(t: Tables, thread: ThreadRecord): void {
  assertUniquePair(t, thread);
  t.insert(t.threads, thread.id, thread, 'thread');
}

export function getThread(t: Tables, accountId: string, id: string): ThreadRecord | null {
  return copyOrNull(ownedRow(t.threads, accountId, id));
}

export function findThread(
  t: Tables,
  accountId: string,
  owner: string,
  contact: string,
): ThreadRecord | null {
  return copyOrNull(findPair(t, accountId, owner, contact));
}

export function listThreads(t: Tables, query: ThreadListQuery): ThreadRecord[] {
  const matches = textMatcher(query.query);
  const rows = [...t.threads.values()].filter(
    (thread) =>
      thread.accountId === query.accountId &&
      thread.owner === query.owner &&
      thread.isArchived === query.isArchived &&
      matches(thread.lastMessageContent, thread.owner, thread.contact),
  );
  return page(rows.sort(descending((thread) => thread.orderTimestamp)), query);
}

export function updateThread(
  t: Tables,
  id: string,
  patch: PatchOf<'updateThread'>,
): ThreadRecord | null {
  return updateRow(t, t.threads, id, patch, (next) => assertUniquePair(t, next));
}

export function deleteThread(t: Tables, accountId: string, id: string): ThreadRecord | null {
  return copyOrNull(deleteOwned(t, t.threads, accountId, id));
}
