/** Shapes the Store parts share: a page of a list, and a patch of a record. */

export interface PageQuery {
  skip: number;
  limit: number;
}

/** The fields of a record a Store update may change (never its id, account or creation time). */
export type RecordPatch<T> = Partial<Omit<T, 'id' | 'accountId' | 'createdAt'>>;
