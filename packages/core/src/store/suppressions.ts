/**
 * SuppressionStore: an account's opt-outs, the contacts no message may be sent to
 * (per sending number, or account-wide with owner `''`). Implemented by
 * `memory/suppressions.ts` and store-knex's `ops/suppressions.ts`; checked by the
 * conformance group `suppressions`.
 */
import type { SuppressionRecord } from '../domain/records.js';
import type { PageQuery } from './page.js';

export interface SuppressionListQuery extends PageQuery {
  accountId: string;
  /** Substring of the contact or the owner. */
  query?: string | null;
}

/** The suppressions that stop messages to `contacts` sent from one of `owners`. */
export interface SuppressionMatch {
  accountId: string;
  contacts: readonly string[];
  /** Sending numbers; include `''` to match account-wide suppressions. */
  owners: readonly string[];
}

export interface SuppressionStore {
  /**
   * Adds the suppression unless one exists for its (account, owner, contact), in one
   * statement (never read-modify-write): returns the stored row, which is `record`
   * when it was added and the existing row otherwise (compare the ids).
   */
  addSuppression(record: SuppressionRecord): Promise<SuppressionRecord>;
  getSuppression(accountId: string, id: string): Promise<SuppressionRecord | null>;
  /** Every suppression matching one of the contacts and one of the owners. */
  findSuppressions(match: SuppressionMatch): Promise<SuppressionRecord[]>;
  /** Newest first. */
  listSuppressions(query: SuppressionListQuery): Promise<SuppressionRecord[]>;
  /** Removes the account's suppression with this id and returns it. */
  deleteSuppression(accountId: string, id: string): Promise<SuppressionRecord | null>;
  /** Removes the suppressions of `match` and returns them (an opt-in). */
  deleteSuppressions(match: SuppressionMatch): Promise<SuppressionRecord[]>;
}
