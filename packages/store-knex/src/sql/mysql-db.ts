/**
 * The MySQL/MariaDB executor: fragments go to a `mysql2` connection (its `?`
 * placeholders are the store's own), rows come back as arrays. MySQL has no
 * `UPDATE … RETURNING`, so its operations may take several statements; the
 * engine runs each write in a transaction of its own, and on a transaction it
 * does not own (`bind`) `atomic` keeps them together with a savepoint.
 */

import { type Db, type Rows, translateError } from './db.js';
import type { Fragment } from './fragment.js';
import type { SqlKit } from './kit.js';

/** A field of a `mysql2` result. */
interface MysqlField {
  readonly name: string;
}

/** The part of a `mysql2` (callback API) connection the store uses. */
export interface MysqlConnection {
  query(
    options: { sql: string; values?: unknown[]; rowsAsArray?: boolean },
    callback: (error: Error | null, results: unknown, fields?: MysqlField[]) => void,
  ): unknown;
}

/** MySQL's "deadlock found when trying to get lock": the transaction was rolled back; run it again. */
export const ER_LOCK_DEADLOCK = 1213;

function query(
  conn: MysqlConnection,
  text: string,
  params: readonly unknown[],
): Promise<{ results: unknown; fields: MysqlField[] | undefined }> {
  return new Promise((resolve, reject) => {
    conn.query(
      {
        sql: text,
        values: params.map((p) => (p === undefined ? null : p)),
        rowsAsArray: true,
      },
      (error, results, fields) => (error ? reject(error) : resolve({ results, fields })),
    );
  });
}

let savepoints = 0;

export class MysqlDb implements Db {
  constructor(
    readonly kit: SqlKit,
    readonly conn: MysqlConnection,
    /** The connection is in a transaction the store does not own: `atomic` uses a savepoint. */
    readonly nested = false,
  ) {}

  async all(q: Fragment): Promise<Rows> {
    try {
      const { results, fields } = await query(this.conn, q.text, q.params);
      return {
        columns: (fields ?? []).map((f) => f.name),
        values: Array.isArray(results) ? (results as unknown[][]) : [],
      };
    } catch (error) {
      throw translateError(error);
    }
  }

  async run(q: Fragment): Promise<number> {
    try {
      const { results } = await query(this.conn, q.text, q.params);
      return Number((results as { affectedRows?: number } | null)?.affectedRows ?? 0);
    } catch (error) {
      throw translateError(error);
    }
  }

  /** Runs one statement without parameters (`START TRANSACTION`, `COMMIT`, …). */
  async exec(text: string): Promise<void> {
    await this.run({ text, params: [] });
  }

  async atomic<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.nested) return fn();
    savepoints += 1;
    const name = `textport_op_${savepoints}`;
    await this.exec(`SAVEPOINT ${name}`);
    let result: T;
    try {
      result = await fn();
    } catch (error) {
      await this.exec(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => undefined);
      throw error;
    }
    await this.exec(`RELEASE SAVEPOINT ${name}`);
    return result;
  }
}
