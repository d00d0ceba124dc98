/** Records to parameters and rows back to records, following the table specs. */
import type { Db, Rows } from '../sql/db.js';
import { type Fragment, join, quote, raw, sql } from '../sql/fragment.js';
import type { SqlKit } from '../sql/kit.js';
import type { Column, Kind, TableSpec } from './columns.js';
import { updateReturning } from './returning.js';

/** Fields a patch never changes. */
const IMMUTABLE: ReadonlySet<string> = new Set(['id', 'accountId', 'createdAt']);

function decodeValue(kind: Kind, value: unknown): unknown {
  return BY_KIND[kind](value);
}

type Decoder<R> = (values: readonly unknown[]) => R;

const decoders = new WeakMap<readonly string[], Map<TableSpec<unknown>, Decoder<unknown>>>();

const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
const int = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const bool = (v: unknown) => v === true || v === 1 || v === 't' || v === 'true';
const json = (v: unknown) =>
  v === null || v === undefined ? null : typeof v === 'string' ? JSON.parse(v) : v;
const BY_KIND = { text, int, bool, json } as const;

/**
 * A function building the record from one row of a result with these columns:
 * compiled once per (table, column list) into an object literal, which V8 builds
 * several times faster than a record filled field by field. Where generating code
 * is not allowed, the field-by-field loop is used.
 */
function compile<R>(spec: TableSpec<R>, columns: readonly string[]): Decoder<R> {
  const positions = spec.columns.map((c) => columns.indexOf(c.name));
  try {
    const fields = spec.columns.map((c, i) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(c.field)) throw new Error('unexpected field name');
      const at = positions[i] ?? -1;
      return `${c.field}: ${c.kind}(${at < 0 ? 'null' : `v[${at}]`})`;
    });
    const make = new Function(...Object.keys(BY_KIND), `return (v) => ({ ${fields.join(', ')} });`);
    return make(...Object.values(BY_KIND)) as Decoder<R>;
  } catch {
    return (values) => {
      const record: Record<string, unknown> = {};
      spec.columns.forEach((c, i) => {
        const at = positions[i] ?? -1;
        record[c.field] = decodeValue(c.kind, at < 0 ? null : values[at]);
      });
      return record as R;
    };
  }
}

/** Decoders by column-list text: results from Postgres carry a new column array each time. */
const decodersByText = new Map<string, Decoder<unknown>>();

function decoder<R>(spec: TableSpec<R>, columns: readonly string[]): Decoder<R> {
  let bySpec = decoders.get(columns);
  if (!bySpec) {
    bySpec = new Map();
    decoders.set(columns, bySpec);
  }
  let decode = bySpec.get(spec as TableSpec<unknown>) as Decoder<R> | undefined;
  if (!decode) {
    const key = `${spec.table}:${columns.join(',')}`;
    decode = decodersByText.get(key) as Decoder<R> | undefined;
    if (!decode) {
      if (decodersByText.size >= 1000) decodersByText.clear();
      decode = compile(spec, columns);
      decodersByText.set(key, decode as Decoder<unknown>);
    }
    bySpec.set(spec as TableSpec<unknown>, decode as Decoder<unknown>);
  }
  return decode;
}

/** The records of a result (columns the spec does not know are ignored). */
export function decodeRows<R>(spec: TableSpec<R>, rows: Rows): R[] {
  return rows.values.map(decoder(spec, rows.columns));
}

/** The record of the first row, or null. */
export function firstRecord<R>(spec: TableSpec<R>, rows: Rows): R | null {
  const values = rows.values[0];
  return values ? decoder(spec, rows.columns)(values) : null;
}

/** One column of every row. */
export function columnValues(rows: Rows, name: string): unknown[] {
  const at = rows.columns.indexOf(name);
  return rows.values.map((values) => (at < 0 ? undefined : values[at]));
}

/** A field value as a statement parameter. */
function encodeParam(column: Column, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  return column.kind === 'json' ? JSON.stringify(value) : value;
}

const insertTexts = new WeakMap<SqlKit, Map<string, string>>();

function insertText(kit: SqlKit, spec: TableSpec<unknown>): string {
  let cache = insertTexts.get(kit);
  if (!cache) {
    cache = new Map();
    insertTexts.set(kit, cache);
  }
  let text = cache.get(spec.table);
  if (text === undefined) {
    const names = spec.columns.map((c) => kit.quote(c.name)).join(', ');
    const marks = spec.columns.map(() => '?').join(', ');
    text = `INSERT INTO ${kit.t[spec.table].text} (${names}) VALUES (${marks})`;
    cache.set(spec.table, text);
  }
  return text;
}

/** `INSERT` of one record. */
export function insertOne<R>(kit: SqlKit, spec: TableSpec<R>, record: R): Fragment {
  const values = record as Record<string, unknown>;
  return raw(
    insertText(kit, spec as TableSpec<unknown>),
    spec.columns.map((c) => encodeParam(c, values[c.field])),
  );
}

/** MySQL: one multi-row `INSERT` of every record, in the order given. */
export function insertValues<R>(kit: SqlKit, spec: TableSpec<R>, records: readonly R[]): Fragment {
  const s = spec as TableSpec<unknown>;
  const names = s.columns.map((c) => kit.quote(c.name)).join(', ');
  const row = `(${s.columns.map(() => '?').join(', ')})`;
  return raw(
    `INSERT INTO ${kit.t[spec.table].text} (${names}) VALUES ${records.map(() => row).join(', ')}`,
    records.flatMap((record) => {
      const values = record as Record<string, unknown>;
      return s.columns.map((c) => encodeParam(c, values[c.field]));
    }),
  );
}

/** A record as a JSON object keyed by column name (Postgres `jsonb_populate_record`). */
function jsonRow(spec: TableSpec<unknown>, record: unknown): Record<string, unknown> {
  const values = record as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const c of spec.columns) out[c.name] = values[c.field] ?? null;
  return out;
}

/**
 * Postgres: one `INSERT … SELECT` of every record, passed as a single JSON
 * parameter; rows are inserted in the order given.
 */
export function pgInsertSelect<R>(
  kit: SqlKit,
  spec: TableSpec<R>,
  records: readonly R[],
): Fragment {
  const s = spec as TableSpec<unknown>;
  const table = kit.t[spec.table].text;
  const names = s.columns.map((c) => quote(c.name));
  const json = JSON.stringify(records.map((r) => jsonRow(s, r)));
  return raw(
    `INSERT INTO ${table} (${names.join(', ')}) SELECT ${names.map((n) => `r.${n}`).join(', ')}` +
      ` FROM jsonb_array_elements(?::jsonb) WITH ORDINALITY AS e(v, n),` +
      ` LATERAL jsonb_populate_record(NULL::${table}, e.v) AS r ORDER BY e.n`,
    [json],
  );
}

/** Inserts every record, all or none. */
export async function insertMany<R>(
  db: Db,
  spec: TableSpec<R>,
  records: readonly R[],
): Promise<void> {
  if (records.length === 0) return;
  if (db.kit.pg) {
    await db.run(pgInsertSelect(db.kit, spec, records));
    return;
  }
  if (db.kit.mysql) {
    await db.run(insertValues(db.kit, spec, records));
    return;
  }
  if (records.length === 1) {
    await db.run(insertOne(db.kit, spec, records[0] as R));
    return;
  }
  await db.atomic(async () => {
    for (const record of records) await db.run(insertOne(db.kit, spec, record));
  });
}

/**
 * `col = ?, …` for the defined fields of `patch` the table knows; identity
 * fields are left out. Null when nothing is to change.
 */
export function assignments<R>(kit: SqlKit, spec: TableSpec<R>, patch: object): Fragment | null {
  const parts: Fragment[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined || IMMUTABLE.has(field)) continue;
    const column = spec.byField.get(field);
    if (!column) continue;
    parts.push(raw(`${kit.quote(column.name)} = ?`, [encodeParam(column, value)]));
  }
  return parts.length === 0 ? null : join(parts, ', ');
}

/**
 * Applies `patch` to the row matching `where` and returns the new record, or
 * null when no row matches. An empty patch just reads the row.
 */
export async function updateWhere<R>(
  db: Db,
  spec: TableSpec<R>,
  patch: object,
  where: Fragment,
): Promise<R | null> {
  const set = assignments(db.kit, spec, patch);
  const rows = set
    ? await updateReturning(db, spec.table, set, where)
    : await db.all(sql`SELECT * FROM ${db.kit.t[spec.table]} WHERE ${where}`);
  return firstRecord(spec, rows);
}
