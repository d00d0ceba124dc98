/**
 * Batched writes of the dispatcher's round: many message compare-and-sets
 * (`transitionMany`, MessageStore) and the threads they touch (`findThreads`,
 * `updateThreads`, ThreadStore), each in few statements.
 *
 * On Postgres a group of rows that change the same columns is one statement: the
 * rows travel as one JSON parameter, typed by the table's own row type
 * (`jsonb_populate_recordset`), and the `UPDATE … FROM` joins them by id. SQLite
 * runs one prepared statement per row (in-process, no round trip); MySQL and
 * MariaDB do the same in the operation's transaction.
 */
import type { MessageStatus } from '@textport/core';
import type {
  MessageRecord,
  ThreadKey,
  ThreadRecord,
  ThreadUpdate,
  TransitionStep,
} from '@textport/core/store';
import { assignments, columnValues, decodeRows, firstRecord } from '../rows/codec.js';
import { type Column, MESSAGE, type TableSpec, THREAD } from '../rows/columns.js';
import { updateReturning } from '../rows/returning.js';
import type { Db, Rows } from '../sql/db.js';

import { and, type Fragment, join, raw, sql } from '../sql/fragment.js';

const NO_ROWS: Rows = { columns: [], values: [] };

/** Fields a batched patch never changes (the row's identity). */
const IDENTITY: ReadonlySet<string> = new Set(['id', 'accountId', 'createdAt']);

const patchNames = new WeakMap<TableSpec<unknown>, Map<string, string[]>>();

/** The columns a patch sets, in the spec's order (remembered per set of fields). */
function patchColumns<R>(spec: TableSpec<R>, patch: object): string[] {
  const present = Object.keys(patch).filter(
    (field) => (patch as Record<string, unknown>)[field] !== undefined && !IDENTITY.has(field),
  );
  const key = present.join(',');
  let bySpec = patchNames.get(spec as TableSpec<unknown>);
  if (!bySpec) {
    bySpec = new Map();
    patchNames.set(spec as TableSpec<unknown>, bySpec);
  }
  let names = bySpec.get(key);
  if (!names) {
    const fields = new Set(present);
    names = spec.columns.filter((c) => fields.has(c.field)).map((c) => c.name);
    if (bySpec.size >= 200) bySpec.clear();
    bySpec.set(key, names);
  }
  return names;
}

/** Items grouped by a key, each group keeping the items' positions. */
function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const [i, item] of items.entries()) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  }
  return groups;
}

/** A record's value of a column as a statement parameter (JSON columns as text). */
function paramOf(column: Column, record: object): unknown {
  const value = (record as Record<string, unknown>)[column.field] ?? null;
  return column.kind === 'json' && value !== null ? JSON.stringify(value) : value;
}

/** The patch columns split: one value for every row (a parameter), or one per row. */
function splitColumns<R>(spec: TableSpec<R>, rows: readonly object[], names: readonly string[]) {
  const constant: [Column, unknown][] = [];
  const varying: Column[] = [];
  for (const name of names) {
    const column = spec.columns.find((c) => c.name === name) as Column;
    const first = paramOf(column, rows[0] as object);
    if (rows.every((row) => paramOf(column, row) === first)) constant.push([column, first]);
    else varying.push(column);
  }
  return { constant, varying };
}

/**
 * Postgres: `UPDATE … FROM` the rows of one JSON parameter, matched by id, under
 * `guard`; returns the changed rows. A column whose value is the same in every row
 * (a round's status, its clock, the released lease) is one parameter of its own,
 * so the JSON carries only the id and what differs per row: fewer bytes to send.
 */
function pgUpdateFrom<R>(
  db: Db,
  spec: TableSpec<R>,
  rows: readonly object[],
  names: readonly string[],
  guard: Fragment | null,
  returning = 'x.*',
) {
  const t = db.kit.t[spec.table];
  const q = db.kit.quote;
  const { constant, varying } = splitColumns(spec, rows, names);
  const sets = [
    ...constant.map(([c, value]) => sql`${raw(q(c.name))} = ${value}`),
    ...varying.map((c) => raw(`${q(c.name)} = r.${q(c.name)}`)),
  ];
  const json = JSON.stringify(
    rows.map((record) => {
      const values = record as Record<string, unknown>;
      const out: Record<string, unknown> = { id: values.id };
      for (const c of varying) out[c.name] = values[c.field] ?? null;
      return out;
    }),
  );
  const where = and([raw('x.id = r.id'), guard]);
  return sql`UPDATE ${t} AS x SET ${join(sets, ', ')}
    FROM jsonb_populate_recordset(NULL::${t}, ${json}::jsonb) AS r
    WHERE ${where} ${raw(returning ? `RETURNING ${returning}` : '')}`;
}

/** Postgres: several data-modifying statements as one (atomic without a transaction). */
function pgTogether(updates: readonly Fragment[], returning: boolean): Fragment {
  if (updates.length === 1) return updates[0] as Fragment;
  const ctes = join(
    updates.map((u, i) => sql`u${raw(String(i))} AS (${u})`),
    ', ',
  );
  if (!returning) return sql`WITH ${ctes} SELECT 1`;
  const all = updates.map((_, i) => `SELECT * FROM u${i}`).join(' UNION ALL ');
  return sql`WITH ${ctes} ${raw(all)}`;
}

/**
 * MySQL/MariaDB (no `UPDATE … RETURNING`): in the operation's transaction, locks the
 * rows of `rows` that pass `guard` (in id order), changes them in one `UPDATE` joined
 * to the per-row values (a derived table of `SELECT ? AS …` rows), and reads them back.
 */
async function mysqlUpdateFrom<R>(
  db: Db,
  spec: TableSpec<R>,
  rows: readonly object[],
  names: readonly string[],
  guard: Fragment | null,
  idsOnly = false,
): Promise<Rows> {
  const { kit } = db;
  const t = kit.t[spec.table];
  const q = kit.quote;
  const byId = new Map(rows.map((row) => [(row as { id: string }).id, row]));
  return db.atomic(async () => {
    const locked = await db.all(
      sql`SELECT id FROM ${t} WHERE ${and([kit.inList('id', [...byId.keys()]), guard])} ORDER BY id FOR UPDATE`,
    );
    const ids = columnValues(locked, 'id').map(String);
    if (ids.length === 0) return NO_ROWS;
    const matched = ids.map((id) => byId.get(id) as object);
    const { constant, varying } = splitColumns(spec, matched, names);
    const derived = join(
      matched.map((row, i) => {
        const cells = [
          sql`${(row as { id: string }).id}${raw(i === 0 ? ' AS id' : '')}`,
          ...varying.map((c) => sql`${paramOf(c, row)}${raw(i === 0 ? ` AS ${q(c.name)}` : '')}`),
        ];
        return sql`SELECT ${join(cells, ', ')}`;
      }),
      ' UNION ALL ',
    );
    const sets = [
      ...constant.map(([c, value]) => sql`x.${raw(q(c.name))} = ${value}`),
      ...varying.map((c) => raw(`x.${q(c.name)} = r.${q(c.name)}`)),
    ];
    await db.run(
      sql`UPDATE ${t} AS x JOIN (${derived}) AS r ON x.id = r.id SET ${join(sets, ', ')}`,
    );
    if (idsOnly) return { columns: ['id'], values: ids.map((id) => [id]) };
    return db.all(sql`SELECT * FROM ${t} WHERE ${kit.inList('id', ids)}`);
  });
}

/** A step's guard; `table` qualifies the columns where another row source has them too. */
function stepGuard(
  db: Db,
  expected: readonly MessageStatus[],
  leaseOwner: string | undefined,
  table = '',
) {
  return and([
    db.kit.inList(`${table}status`, expected),
    leaseOwner === undefined ? null : sql`${raw(table)}lease_owner = ${leaseOwner}`,
  ]);
}

/** A held row with its step's patch applied, as reading it back would give it. */
function patched(step: TransitionStep): MessageRecord {
  const row = { ...(step.current as MessageRecord) } as Record<string, unknown>;
  for (const [field, value] of Object.entries(step.patch)) {
    if (value !== undefined && !IDENTITY.has(field)) row[field] = value;
  }
  return row as unknown as MessageRecord;
}

export async function transitionMany(
  db: Db,
  steps: readonly TransitionStep[],
): Promise<(MessageRecord | null)[]> {
  const out: (MessageRecord | null)[] = steps.map(() => null);
  if (steps.length === 0) return out;
  const { kit } = db;
  const t = kit.t.messages;
  if (kit.pg || kit.mysql) {
    const groups = groupBy(steps, (s) =>
      JSON.stringify([
        patchColumns(MESSAGE, s.patch),
        [...s.expected].sort(),
        s.leaseOwner ?? null,
      ]),
    );
    const work = [...groups.values()].map((positions) => {
      const first = steps[positions[0] as number] as TransitionStep;
      const rows = positions.map((i) => {
        const step = steps[i] as TransitionStep;
        return { ...step.patch, id: step.id };
      });
      return { first, rows, names: patchColumns(MESSAGE, first.patch) };
    });
    // Rows the caller holds locked come back patched in memory: only their ids are read.
    const held = steps.every((s) => s.current !== undefined);
    let changed: Rows[];
    if (kit.pg) {
      const updates = work.map(({ first, rows, names }) => {
        const guard = stepGuard(db, first.expected, first.leaseOwner, 'x.');
        if (names.length > 0) {
          return pgUpdateFrom(db, MESSAGE, rows, names, guard, held ? 'x.id' : 'x.*');
        }
        const ids = kit.inList(
          'x.id',
          rows.map((r) => r.id),
        );
        return sql`UPDATE ${t} AS x SET updated_at = x.updated_at WHERE ${and([ids, guard])} RETURNING ${raw(held ? 'x.id' : 'x.*')}`;
      });
      changed = [await db.all(pgTogether(updates, true))];
    } else {
      changed = await db.atomic(async () => {
        const results: Rows[] = [];
        for (const { first, rows, names } of work) {
          const guard = stepGuard(db, first.expected, first.leaseOwner);
          results.push(await mysqlUpdateFrom(db, MESSAGE, rows, names, guard, held));
        }
        return results;
      });
    }
    const at = new Map(steps.map((s, i) => [s.id, i]));
    for (const rows of changed) {
      if (held) {
        for (const id of columnValues(rows, 'id')) {
          const i = at.get(String(id));
          if (i !== undefined) out[i] = patched(steps[i] as TransitionStep);
        }
        continue;
      }
      for (const message of decodeRows(MESSAGE, rows)) {
        const i = at.get(message.id);
        if (i !== undefined) out[i] = message;
      }
    }
    return out;
  }
  return db.atomic(async () => {
    for (const [i, step] of steps.entries()) {
      const set = assignments(kit, MESSAGE, step.patch) ?? raw('updated_at = updated_at');
      const where = and([sql`id = ${step.id}`, stepGuard(db, step.expected, step.leaseOwner)]);
      out[i] = firstRecord(MESSAGE, await updateReturning(db, 'messages', set, where));
    }
    return out;
  });
}

/** The threads of these pairs, in id order; locked in that order inside a transaction. */
export async function findThreads(db: Db, keys: readonly ThreadKey[]): Promise<ThreadRecord[]> {
  if (keys.length === 0) return [];
  const { kit } = db;
  const t = kit.t.threads;
  const json = JSON.stringify(
    keys.map((k) => ({ account_id: k.accountId, owner: k.owner, contact: k.contact })),
  );
  let rows: Awaited<ReturnType<Db['all']>>;
  if (kit.pg) {
    // The keys typed as the table's own columns, so the pair index serves the join.
    rows = await db.all(sql`SELECT x.* FROM ${t} AS x
      JOIN (SELECT DISTINCT account_id, owner, contact
            FROM jsonb_populate_recordset(NULL::${t}, ${json}::jsonb)) AS k
        ON x.account_id = k.account_id AND x.owner = k.owner AND x.contact = k.contact
      ORDER BY x.id FOR UPDATE OF x`);
  } else if (kit.mysql) {
    const pairs = raw(
      keys.map(() => '(?, ?, ?)').join(', '),
      keys.flatMap((k) => [k.accountId, k.owner, k.contact]),
    );
    rows = await db.all(
      sql`SELECT * FROM ${t} WHERE (account_id, owner, contact) IN (${pairs}) ORDER BY id FOR UPDATE`,
    );
  } else {
    rows = await db.all(sql`SELECT x.* FROM ${t} AS x
      WHERE (x.account_id, x.owner, x.contact) IN (
        SELECT value ->> '$.account_id', value ->> '$.owner', value ->> '$.contact' FROM json_each(${json}))
      ORDER BY x.id`);
  }
  return decodeRows(THREAD, rows);
}

export async function updateThreads(db: Db, updates: readonly ThreadUpdate[]): Promise<void> {
  const { kit } = db;
  const one = async ({ id, patch }: ThreadUpdate) => {
    const set = assignments(kit, THREAD, patch);
    if (set) await db.run(sql`UPDATE ${kit.t.threads} SET ${set} WHERE id = ${id}`);
  };
  if (updates.length === 0) return;
  if (updates.length === 1) return one(updates[0] as ThreadUpdate);
  const groups = [...groupBy(updates, (u) => patchColumns(THREAD, u.patch).join(',')).values()]
    .map((positions) => positions.map((i) => updates[i] as ThreadUpdate))
    .map((group) => ({
      names: patchColumns(THREAD, group[0]?.patch ?? {}),
      rows: group.map((u) => ({ ...u.patch, id: u.id })),
    }))
    .filter((group) => group.names.length > 0);
  if (groups.length === 0) return;
  if (kit.pg) {
    const statements = groups.map(({ rows, names }) =>
      pgUpdateFrom(db, THREAD, rows, names, null, ''),
    );
    await db.run(pgTogether(statements, false));
    return;
  }
  await db.atomic(async () => {
    if (kit.mysql) {
      for (const { rows, names } of groups) await mysqlUpdateFrom(db, THREAD, rows, names, null);
    } else for (const update of updates) await one(update);
  });
}
