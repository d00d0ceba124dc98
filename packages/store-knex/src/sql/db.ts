/**
 * Executors: run fragments on one driver connection. SQLite statements are
 * prepared once per connection and run synchronously (better-sqlite3); Postgres
 * statements go to the `pg` connection as they are. Database errors come out as
 * `GatewayError`s: a unique-key violation is `conflict`, a lost or refused connection
 * `unavailable` (503), anything else `store`.
 */
import { GatewayError } from '@textport/core';
import { type Fragment, numberPlaceholders } from './fragment.js';
import type { SqlKit } from './kit.js';

/** A result: column names and one array of values per row. */
export interface Rows {
  readonly columns: readonly string[];
  readonly values: readonly (readonly unknown[])[];
}

/** One connection (or one transaction on it), as the operations see it. */
export interface Db {
  readonly kit: SqlKit;
  /** Runs a statement that returns rows. */
  all(query: Fragment): Promise<Rows>;
  /** Runs a statement that returns none; resolves to the number of rows it changed. */
  run(query: Fragment): Promise<number>;
  /** Runs `fn` so that its writes are kept together or not at all. */
  atomic<T>(fn: () => Promise<T>): Promise<T>;
}

/** The part of a better-sqlite3 `Database` the store uses. */
export interface SqliteConnection {
  readonly inTransaction: boolean;
  prepare(source: string): SqliteStatement;
  exec(source: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  function(
    name: string,
    options: { deterministic?: boolean },
    fn: (value: unknown) => unknown,
  ): unknown;
}

export interface SqliteStatement {
  readonly reader: boolean;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number };
  safeIntegers(toggle?: boolean): unknown;
  raw(toggle?: boolean): unknown;
  columns(): { name: string }[];
}

/** The part of a `pg` client the store uses. */
export interface PgConnection {
  query(config: { name?: string; text: string; values?: unknown[]; rowMode?: 'array' }): Promise<{
    rows: unknown[][];
    rowCount: number | null;
    fields?: { name: string }[];
  }>;
}

const UNIQUE_CODES: ReadonlySet<unknown> = new Set([
  'SQLITE_CONSTRAINT_PRIMARYKEY',
  'SQLITE_CONSTRAINT_UNIQUE',
  '23505',
  'ER_DUP_ENTRY',
]);

/** Connection failures (Node's socket errors, Postgres class 08 and shutdowns, MySQL's lost connections, pool timeouts). */
const UNREACHABLE_CODES: ReadonlySet<unknown> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  'PROTOCOL_CONNECTION_LOST',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_CON_COUNT_ERROR',
]);
const UNREACHABLE_TEXT =
  /Connection terminated|Connection ended unexpectedly|Timeout acquiring a connection|the database system is (starting up|shutting down)/i;

function unreachable(error: unknown, message: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    UNREACHABLE_CODES.has(code) ||
    (typeof code === 'string' && code.startsWith('08')) ||
    UNREACHABLE_TEXT.test(message)
  );
}

export function translateError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (UNIQUE_CODES.has(code)) {
    return new GatewayError('conflict', `a row with the same key already exists (${message})`, {
      cause: error,
    });
  }
  if (unreachable(error, message)) {
    return new GatewayError('unavailable', `the database is unavailable: ${message}`, {
      cause: error,
      detail: 'the database cannot be reached; try again shortly',
    });
  }
  return new GatewayError('store', `database error: ${message}`, { cause: error });
}

const MAX_CACHED = 2000;

interface Prepared {
  statement: SqliteStatement;
  /** Column names of a statement that returns rows. */
  columns: readonly string[];
}

const statements = new WeakMap<SqliteConnection, Map<string, Prepared>>();

function prepared(conn: SqliteConnection, text: string): Prepared {
  let cache = statements.get(conn);
  if (!cache) {
    cache = new Map();
    statements.set(conn, cache);
  }
  let entry = cache.get(text);
  if (!entry) {
    if (cache.size >= MAX_CACHED) cache.clear();
    const statement = conn.prepare(text);
    let columns: string[] = [];
    if (statement.reader) {
      statement.safeIntegers(false);
      statement.raw(true);
      columns = statement.columns().map((c) => c.name);
    }
    entry = { statement, columns };
    cache.set(text, entry);
  }
  return entry;
}

function sqliteParams(params: readonly unknown[]): unknown[] {
  return params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? Number(p) : p));
}

const SAVEPOINT = 'textport_op';

export class SqliteDb implements Db {
  constructor(
    readonly kit: SqlKit,
    readonly conn: SqliteConnection,
  ) {}

  async all(query: Fragment): Promise<Rows> {
    try {
      const { statement, columns } = prepared(this.conn, query.text);
      return { columns, values: statement.all(sqliteParams(query.params)) as unknown[][] };
    } catch (error) {
      throw translateError(error);
    }
  }

  async run(query: Fragment): Promise<number> {
    try {
      return prepared(this.conn, query.text).statement.run(sqliteParams(query.params)).changes;
    } catch (error) {
      throw translateError(error);
    }
  }

  /** Runs one transaction-control statement (`BEGIN`, `SAVEPOINT x`, …), prepared once. */
  exec(source: string): void {
    try {
      prepared(this.conn, source).statement.run();
    } catch (error) {
      throw translateError(error);
    }
  }

  async atomic<T>(fn: () => Promise<T>): Promise<T> {
    this.exec(`SAVEPOINT ${SAVEPOINT}`);
    let result: T;
    try {
      result = await fn();
    } catch (error) {
      if (this.conn.inTransaction) {
        this.exec(`ROLLBACK TO ${SAVEPOINT}`);
        this.exec(`RELEASE ${SAVEPOINT}`);
      }
      throw error;
    }
    this.exec(`RELEASE ${SAVEPOINT}`);
    return result;
  }
}

const numbered = new Map<string, string>();

function pgText(text: string): string {
  let out = numbered.get(text);
  if (out === undefined) {
    if (numbered.size >= MAX_CACHED) numbered.clear();
    out = numberPlaceholders(text);
    numbered.set(text, out);
  }
  return out;
}

const names = new Map<string, string>();

/** A stable statement name for a text: `textport_` and a 64-bit FNV-1a hash. */
function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    let hash = 0xcbf29ce484222325n;
    for (let i = 0; i < text.length; i += 1) {
      hash = BigInt.asUintN(64, (hash ^ BigInt(text.charCodeAt(i))) * 0x100000001b3n);
    }
    if (names.size >= MAX_CACHED) names.clear();
    name = `textport_${hash.toString(36)}`;
    names.set(text, name);
  }
  return name;
}

function pgParams(params: readonly unknown[]): unknown[] {
  return params.map((p) => (p === undefined ? null : p));
}

export class PgDb implements Db {
  constructor(
    readonly kit: SqlKit,
    readonly conn: PgConnection,
    /** Use named (server-side prepared) statements, planned once per connection. */
    readonly prepare = true,
  ) {}

  async all(query: Fragment): Promise<Rows> {
    try {
      const text = pgText(query.text);
      const result = await this.conn.query({
        ...(this.prepare ? { name: statementName(text) } : {}),
        text,
        values: pgParams(query.params),
        rowMode: 'array',
      });
      return { columns: (result.fields ?? []).map((f) => f.name), values: result.rows };
    } catch (error) {
      throw translateError(error);
    }
  }

  async run(query: Fragment): Promise<number> {
    try {
      const text = pgText(query.text);
      const name = this.prepare ? { name: statementName(text) } : {};
      return (
        (await this.conn.query({ ...name, text, values: pgParams(query.params) })).rowCount ?? 0
      );
    } catch (error) {
      throw translateError(error);
    }
  }

  /** Every write of the Postgres operations is a single statement: atomic already. */
  atomic<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }
}
