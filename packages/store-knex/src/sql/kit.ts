/**
 * What the operations need to know about the database they talk to: the
 * dialect, the (prefixed) table names, and the few expressions that differ
 * between SQLite, Postgres and MySQL/MariaDB.
 */
import type { PageQuery } from '@textport/core/store';
import { type Fragment, quote, quoteMysql, raw, sql } from './fragment.js';

export type DialectName = 'sqlite' | 'postgres' | 'mysql';

export const TABLES = [
  'accounts',
  'api_keys',
  'phones',
  'heartbeats',
  'threads',
  'messages',
  'webhooks',
  'send_schedules',
  'idempotency',
  'outbox',
  'suppressions',
  'pools',
  'pool_contacts',
  'phone_recipients',
  'discord_integrations',
  'integration_3cx',
  'claim_reach',
  'claim_reach_lists',
] as const;

export type TableName = (typeof TABLES)[number];

/** SQLite function registered on each connection: Unicode-aware lower case. */
export const CASEFOLD_FUNCTION = 'textport_casefold';

/** Lists longer than this are passed to SQLite as one JSON parameter. */
const MAX_INLINE_LIST = 500;

export class SqlKit {
  readonly pg: boolean;
  readonly mysql: boolean;
  /** Quotes an identifier the dialect's way (double quotes; backticks on MySQL). */
  readonly quote: (identifier: string) => string;
  /** Quoted, prefixed table names. */
  readonly t: Readonly<Record<TableName, Fragment>>;

  constructor(
    readonly dialect: DialectName,
    readonly prefix: string,
  ) {
    this.pg = dialect === 'postgres';
    this.mysql = dialect === 'mysql';
    this.quote = this.mysql ? quoteMysql : quote;
    this.t = Object.fromEntries(
      TABLES.map((name) => [name, raw(this.quote(`${prefix}${name}`))]),
    ) as Record<TableName, Fragment>;
  }

  /** `column IN (values)`; an empty list matches nothing. */
  inList(column: string, values: readonly unknown[]): Fragment {
    if (values.length === 0) return raw('1 = 0');
    if (this.pg) return raw(`${column} = ANY(?)`, [[...values]]);
    if (this.mysql || values.length <= MAX_INLINE_LIST) {
      return raw(`${column} IN (${values.map(() => '?').join(', ')})`, values);
    }
    return raw(`${column} IN (SELECT value FROM json_each(?))`, [JSON.stringify(values)]);
  }

  /** `column IN (values)` when a list is given; null/undefined = no condition. */
  within(column: string, values: readonly unknown[] | null | undefined): Fragment | null {
    return values === null || values === undefined ? null : this.inList(column, values);
  }

  /** Case-insensitive substring match on any of `columns`; null when there is no needle. */
  contains(columns: readonly string[], query: string | null | undefined): Fragment | null {
    const needle = query?.toLowerCase() ?? '';
    if (needle === '') return null;
    // MySQL's binary collation keeps `instr` case-sensitive: both sides are lowered.
    const lower = this.pg || this.mysql ? 'lower' : CASEFOLD_FUNCTION;
    const strpos = this.pg ? 'strpos' : 'instr';
    const tests = columns.map((c) => `coalesce(${strpos}(${lower}(${c}), ?), 0) > 0`);
    return raw(
      `(${tests.join(' OR ')})`,
      columns.map(() => needle),
    );
  }

  /** The larger of a column and a number. */
  greatest(column: string, value: number): Fragment {
    if (this.pg) return sql`GREATEST(${raw(column)}, ${value}::bigint)`;
    return this.mysql
      ? sql`GREATEST(${raw(column)}, ${value})`
      : sql`max(${raw(column)}, ${value})`;
  }

  /** True when the JSON array in `column` holds the string `value`. */
  jsonArrayHas(column: string, value: string): Fragment {
    if (this.pg) return raw(`${column} @> ?::jsonb`, [JSON.stringify([value])]);
    if (this.mysql) return raw(`JSON_CONTAINS(${column}, ?)`, [JSON.stringify(value)]);
    return raw(`EXISTS (SELECT 1 FROM json_each(${column}) WHERE value = ?)`, [value]);
  }

  /** `LIMIT … OFFSET …` of a page query. */
  page(query: PageQuery): Fragment {
    const limit = Math.max(0, Math.trunc(query.limit));
    const skip = Math.max(0, Math.trunc(query.skip));
    return sql`LIMIT ${limit} OFFSET ${skip}`;
  }
}
