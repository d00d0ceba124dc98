/** The memory store's SuppressionStore part: an account's opt-outs, one per (account, owner, contact). */
import type { SuppressionRecord } from '../../domain/records.js';
import type { SuppressionListQuery, SuppressionMatch } from '../suppressions.js';
import { copyOrNull, descending, page, textMatcher } from './query.js';
import { deleteOwned, ownedRow, type Tables } from './tables.js';

const newestFirst = descending<SuppressionRecord>((row) => row.createdAt);

function suppressionKey(row: Pick<SuppressionRecord, 'accountId' | 'owner' | 'contact'>): string {
  return JSON.stringify([row.accountId, row.owner, row.contact]);
}

function matching(t: Tables, match: SuppressionMatch): SuppressionRecord[] {
  const found: SuppressionRecord[] = [];
  for (const contact of new Set(match.contacts)) {
    for (const owner of new Set(match.owners)) {
      const id = t.suppressionKeys.get(
        suppressionKey({ accountId: match.accountId, owner, contact }),
      );
      const row = id === undefined ? undefined : t.suppressions.get(id);
      if (row) found.push(row);
    }
  }
  return found.sort(newestFirst);
}

export function addSuppression(t: Tables, record: SuppressionRecord): SuppressionRecord {
  const existing = t.suppressionKeys.get(suppressionKey(record));
  if (existing !== undefined)
    return structuredClone(t.suppressions.get(existing) as SuppressionRecord);
  t.insert(t.suppressions, record.id, record, 'suppression');
  t.put(t.suppressionKeys, suppressionKey(record), record.id);
  return structuredClone(record);
}

export function getSuppression(t: Tables, accountId: string, id: string): SuppressionRecord | null {
  return copyOrNull(ownedRow(t.suppressions, accountId, id));
}

export function findSuppressions(t: Tables, match: SuppressionMatch): SuppressionRecord[] {
  return matching(t, match).map((row) => structuredClone(row));
}

/** Newest first; `query` matches the contact or the owner. */
export function listSuppressions(t: Tables, query: SuppressionListQuery): SuppressionRecord[] {
  const matches = textMatcher(query.query);
  const rows = [...t.suppressions.values()].filter(
    (row) => row.accountId === query.accountId && matches(row.contact, row.owner),
  );
  return page(rows.sort(newestFirst), query);
}

export function deleteSuppression(
  t: Tables,
  accountId: string,
  id: string,
): SuppressionRecord | null {
  const deleted = deleteOwned(t, t.suppressions, accountId, id);
  if (deleted) t.remove(t.suppressionKeys, suppressionKey(deleted));
  return copyOrNull(deleted);
}

export function deleteSuppressions(t: Tables, match: SuppressionMatch): SuppressionRecord[] {
  return matching(t, match).map(
    (row) => deleteSuppression(t, row.accountId, row.id) as SuppressionRecord,
  );
}
