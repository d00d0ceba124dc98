/** Filtering, ordering and paging helpers shared by the memory store's list queries. */
import type { PageQuery, Store } from '../../store.js';

/** The patch type a Store `update…` method takes. */
export type PatchOf<K extends keyof Store> = Store[K] extends (
  id: string,
  patch: infer P,
) => unknown
  ? P
  : never;

interface Keyed {
  id: string;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Ascending by the given numeric keys in turn, then by id. */
export function ascending<T extends Keyed>(...keys: ((row: T) => number)[]) {
  return (a: T, b: T): number => {
    for (const key of keys) {
      const diff = key(a) - key(b);
      if (diff !== 0) return diff;
    }
    return compareIds(a.id, b.id);
  };
}

/** Descending by the given numeric key, then by id descending. */
export function descending<T extends Keyed>(key: (row: T) => number) {
  return (a: T, b: T): number => key(b) - key(a) || compareIds(b.id, a.id);
}

/** The page `skip`/`limit` selects, as fresh copies. */
export function page<T>(rows: readonly T[], query: PageQuery): T[] {
  const skip = Math.max(0, Math.trunc(query.skip));
  const limit = Math.max(0, Math.trunc(query.limit));
  return rows.slice(skip, skip + limit).map((row) => structuredClone(row));
}

/**
 * A case-insensitive substring matcher for a text query; an empty or missing
 * query matches everything.
 */
export function textMatcher(query: string | null | undefined) {
  const needle = query?.toLowerCase() ?? '';
  return (...fields: (string | null | undefined)[]): boolean =>
    needle === '' || fields.some((field) => field?.toLowerCase().includes(needle) ?? false);
}

/** Membership in an optional filter list: null or undefined accepts everything. */
export function within<T>(list: readonly T[] | null | undefined, value: T): boolean {
  return list === null || list === undefined || list.includes(value);
}

/** A fresh copy of `row`, or null. */
export function copyOrNull<T>(row: T | undefined): T | null {
  return row === undefined ? null : structuredClone(row);
}
