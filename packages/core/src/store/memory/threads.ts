/** Threads of the memory store: one per (account, owner, contact). */
import type { ThreadRecord } from '../../domain/records.js';
import type { ThreadKey, ThreadListQuery, ThreadUpdate } from '../../store.js';
import { copyOrNull, descending, type PatchOf, page, textMatcher } from './query.js';
import { conflict, deleteOwned, ownedRow, pairKey, type Tables, updateRow } from './tables.js';

function findPair(
  t: Tables,
  accountId: string,
  owner: string,
  contact: string,
): ThreadRecord | undefined {
  const id = t.threadPairs.get(pairKey({ accountId, owner, contact }));
  return id === undefined ? undefined : t.threads.get(id);
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
  t.put(t.threadPairs, pairKey(thread), thread.id);
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

export function findThreads(t: Tables, keys: readonly ThreadKey[]): ThreadRecord[] {
  const found = new Map<string, ThreadRecord>();
  for (const key of keys) {
    const thread = findPair(t, key.accountId, key.owner, key.contact);
    if (thread) found.set(thread.id, structuredClone(thread));
  }
  return [...found.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
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
  const before = t.threads.get(id);
  const updated = updateRow(t, t.threads, id, patch, (next) => assertUniquePair(t, next));
  if (before && updated && pairKey(before) !== pairKey(updated)) {
    t.remove(t.threadPairs, pairKey(before));
    t.put(t.threadPairs, pairKey(updated), id);
  }
  return updated;
}

export function updateThreads(t: Tables, updates: readonly ThreadUpdate[]): void {
  for (const { id, patch } of updates) updateThread(t, id, patch);
}

export function deleteThread(t: Tables, accountId: string, id: string): ThreadRecord | null {
  const deleted = deleteOwned(t, t.threads, accountId, id);
  if (deleted) t.remove(t.threadPairs, pairKey(deleted));
  return copyOrNull(deleted);
}
