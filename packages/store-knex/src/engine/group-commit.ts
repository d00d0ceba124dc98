/**
 * SQLite group commit. Operations that arrive together run in one writer
 * transaction (`BEGIN IMMEDIATE`), each inside its own savepoint: a failing
 * operation is rolled back to its savepoint and rejected alone, the others
 * commit. Every writer's promise settles only after the shared `COMMIT`, so a
 * resolved write is as durable as the `synchronous` setting makes a commit.
 *
 * Reads that come before the first write of a group resolve at once; reads
 * after it may have seen that write, so they wait for the commit too.
 *
 * A group is started on the next turn of the event loop after the first
 * operation arrives (`setImmediate`), so everything the current I/O callbacks
 * submit joins it; while a group runs, new operations queue for the next one.
 */
import { GatewayError } from '@textport/core';
import { type SqliteConnection, SqliteDb, translateError } from '../sql/db.js';
import type { SqlKit } from '../sql/kit.js';

interface Job {
  op(db: SqliteDb): Promise<unknown>;
  write: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Done {
  job: Job;
  value: unknown;
}

export interface GroupCommitOptions {
  kit: SqlKit;
  acquire(): Promise<SqliteConnection>;
  release(connection: SqliteConnection): Promise<unknown>;
  /** Prepares a connection before its first group (pragmas, functions). */
  configure(connection: SqliteConnection): void;
  /** Most operations in one group. */
  maxGroupSize: number;
}

const JOB = 'textport_job';

export class GroupCommit {
  readonly #options: GroupCommitOptions;
  #queue: Job[] = [];
  #scheduled = false;
  #running: Promise<void> | undefined;
  /** Groups committed so far (observability and tests). */
  groups = 0;

  constructor(options: GroupCommitOptions) {
    this.#options = options;
  }

  submit<T>(op: (db: SqliteDb) => Promise<T>, write: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ op, write, resolve: resolve as (value: unknown) => void, reject });
      this.#kick();
    });
  }

  /** Resolves once every operation submitted so far has settled. */
  async drain(): Promise<void> {
    while (this.#running || this.#scheduled || this.#queue.length > 0) {
      this.#kick();
      await (this.#running ?? new Promise((resolve) => setImmediate(resolve)));
    }
  }

  #kick(): void {
    if (this.#running || this.#scheduled || this.#queue.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#running = this.#loop().finally(() => {
        this.#running = undefined;
        this.#kick();
      });
    });
  }

  async #loop(): Promise<void> {
    while (this.#queue.length > 0) {
      const group = this.#queue.splice(0, this.#options.maxGroupSize);
      await this.#runGroup(group);
    }
  }

  async #runGroup(group: Job[]): Promise<void> {
    let connection: SqliteConnection;
    try {
      connection = await this.#options.acquire();
    } catch (error) {
      for (const job of group) job.reject(translateError(error));
      return;
    }
    try {
      this.#options.configure(connection);
      const db = new SqliteDb(this.#options.kit, connection);
      if (group.some((job) => job.write)) await this.#writeGroup(db, group);
      else for (const job of group) await settle(job, db);
    } finally {
      await this.#options.release(connection);
    }
  }

  async #writeGroup(db: SqliteDb, group: Job[]): Promise<void> {
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      for (const job of group) job.reject(error);
      return;
    }
    const done: Done[] = [];
    let wrote = false;
    for (const [index, job] of group.entries()) {
      if (!job.write && !wrote) {
        await settle(job, db);
        continue;
      }
      wrote = true;
      try {
        db.exec(`SAVEPOINT ${JOB}`);
        const value = await job.op(db);
        db.exec(`RELEASE ${JOB}`);
        done.push({ job, value });
      } catch (error) {
        job.reject(error);
        if (!db.conn.inTransaction || !rollbackTo(db)) {
          // The database ended the whole transaction (I/O error, disk full…):
          // nothing of this group stays. Later operations go to the next group.
          rollback(db);
          failAll(done, error);
          this.#queue.unshift(...group.slice(index + 1));
          return;
        }
      }
    }
    try {
      db.exec('COMMIT');
    } catch (error) {
      rollback(db);
      failAll(done, error);
      return;
    }
    this.groups += 1;
    for (const { job, value } of done) job.resolve(value);
  }
}

/** Undoes the current job; false when even that failed. */
function rollbackTo(db: SqliteDb): boolean {
  try {
    db.exec(`ROLLBACK TO ${JOB}`);
    db.exec(`RELEASE ${JOB}`);
    return true;
  } catch {
    return false;
  }
}

function rollback(db: SqliteDb): void {
  try {
    if (db.conn.inTransaction) db.exec('ROLLBACK');
  } catch {
    // Nothing more to undo: the connection has no transaction left.
  }
}

async function settle(job: Job, db: SqliteDb): Promise<void> {
  try {
    job.resolve(await job.op(db));
  } catch (error) {
    job.reject(error);
  }
}

function failAll(done: readonly Done[], cause: unknown): void {
  const error = new GatewayError('store', 'the group commit was rolled back', { cause });
  for (const { job } of done) job.reject(error);
}
