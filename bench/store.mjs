// Inserts and claims per second through @textport/store-knex: SQLite (synchronous NORMAL and
// FULL), Postgres and MariaDB/MySQL. Run `npm run bench:store` (builds the package, then
// `node bench/store.mjs`). Postgres runs when TEXTPORT_BENCH_DATABASE_URL (or
// TEXTPORT_TEST_DATABASE_URL) is set, MariaDB when TEXTPORT_BENCH_MYSQL_URL (or
// TEXTPORT_TEST_MYSQL_URL) is; each run uses a fresh schema or database, dropped afterwards.
// Options: ROWS (20000), RUNS (3), SQLITE_CONCURRENCY (64), PG_CONCURRENCY (16),
// MYSQL_CONCURRENCY (16), ONLY (sqlite | postgres | mysql).
// Each cell is rows/s and, in brackets, CPU µs per row: this process, plus on Postgres the
// backends serving it (on MariaDB, the whole server process; read from /proc on Linux), which
// varies less than throughput when other
// work shares the cores.

import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory from 'knex';
import { makeMessage } from '../packages/core/dist/testing/fixtures.js';
import { createKnexStore } from '../packages/store-knex/dist/index.js';
import { figure, median, mysqlServerPids, processCpuUs, report } from './report.mjs';

const ROWS = Number(process.env.ROWS ?? 20_000);
const RUNS = Number(process.env.RUNS ?? 3);
const SQLITE_CONCURRENCY = Number(process.env.SQLITE_CONCURRENCY ?? 64);
const PG_CONCURRENCY = Number(process.env.PG_CONCURRENCY ?? 16);
const PG_URL = process.env.TEXTPORT_BENCH_DATABASE_URL ?? process.env.TEXTPORT_TEST_DATABASE_URL;
const MYSQL_CONCURRENCY = Number(process.env.MYSQL_CONCURRENCY ?? 16);
const MYSQL_URL = process.env.TEXTPORT_BENCH_MYSQL_URL ?? process.env.TEXTPORT_TEST_MYSQL_URL;
const ONLY = process.env.ONLY;
const PHONES = Array.from({ length: 10 }, () => globalThis.crypto.randomUUID());

function message(i, accountId, now, due) {
  return makeMessage({
    accountId,
    phoneId: PHONES[i % PHONES.length],
    owner: `+1800555${String(1000 + (i % PHONES.length)).padStart(4, '0')}`,
    contact: `+1202555${String(i % 10_000).padStart(4, '0')}`,
    content: 'Your verification code is 123456',
    status: due ? 'scheduled' : 'pending',
    requestReceivedAt: now,
    createdAt: now,
    updatedAt: now,
    orderTimestamp: now,
    scheduledAt: due ? now - 1000 : null,
    dueAt: due ? now - 1000 : now,
    bulkIndex: i,
  });
}

function messages(count, due) {
  const accountId = globalThis.crypto.randomUUID();
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => message(i, accountId, now, due));
}

/** Runs `concurrency` callers that take work items until `next()` returns nothing. */
async function callers(concurrency, work) {
  await Promise.all(Array.from({ length: concurrency }, (_, c) => work(c)));
}

/** A clock for one scenario: elapsed seconds and CPU µs (this process and its backends). */
function meter(db) {
  const started = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let backends0;
  return {
    async begin() {
      backends0 = await db.backendCpuUs?.();
    },
    async end(rows) {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const own = process.cpuUsage(cpu0);
      const backends = backends0 === undefined ? 0 : (await db.backendCpuUs()) - backends0;
      return { rate: rows / seconds, cpuUs: (own.user + own.system + backends) / rows };
    },
  };
}

async function insertRate(db, concurrency, perCall) {
  const { store } = db;
  const rows = messages(ROWS, false);
  let next = 0;
  const clock = meter(db);
  await clock.begin();
  await callers(concurrency, async () => {
    for (;;) {
      const start = next;
      next += perCall;
      if (start >= rows.length) return;
      await store.insertMessages(rows.slice(start, start + perCall));
    }
  });
  return clock.end(rows.length);
}

async function claimRate(db, concurrency, limit) {
  const { store } = db;
  const rows = messages(ROWS, true);
  for (let i = 0; i < rows.length; i += 1000) await store.insertMessages(rows.slice(i, i + 1000));
  await db.analyze?.();
  const now = Date.now();
  const seen = new Set();
  let claimed = 0;
  const clock = meter(db);
  await clock.begin();
  await callers(concurrency, async (c) => {
    const claimer = `bench-${c}`;
    for (;;) {
      const got = await store.claimDue({ now, phoneIds: 'all', limit, leaseMs: 600_000, claimer });
      if (got.length === 0) return;
      claimed += got.length;
      for (const row of got) seen.add(row.id);
    }
  });
  const result = await clock.end(claimed);
  if (claimed !== rows.length || seen.size !== rows.length) {
    throw new Error(`claimed ${claimed} rows (${seen.size} distinct), expected ${rows.length}`);
  }
  return result;
}

const SCENARIOS = [
  ['insert ×1', (store, c) => insertRate(store, c, 1)],
  ['insert ×50', (store, c) => insertRate(store, c, 50)],
  ['claim ×1', (store, c) => claimRate(store, c, 1)],
  ['claim ×50', (store, c) => claimRate(store, c, 50)],
];

async function sqliteDatabase(synchronous) {
  const dir = mkdtempSync(join(tmpdir(), 'textport-bench-'));
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: join(dir, 'bench.sqlite') },
    useNullAsDefault: true,
  });
  const store = createKnexStore(knex, { synchronous });
  await store.migrate();
  return {
    store,
    async destroy() {
      await store.close();
      await knex.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function pgDatabase() {
  const schema = `textport_bench_${globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = knexFactory({ client: 'pg', connection: PG_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE SCHEMA "${schema}"`);
  const knex = knexFactory({
    client: 'pg',
    connection: { connectionString: PG_URL, application_name: schema },
    searchPath: [schema],
    pool: { min: 0, max: PG_CONCURRENCY },
  });
  const store = createKnexStore(knex);
  await store.migrate();
  return {
    store,
    // What autovacuum does to a live table: without statistics the planner sorts every due row.
    analyze: () => knex.raw('ANALYZE textport_messages'),
    async backendCpuUs() {
      const { rows } = await knex.raw(
        'SELECT pid FROM pg_stat_activity WHERE application_name = ?',
        [schema],
      );
      return processCpuUs(rows.map((row) => row.pid));
    },
    async destroy() {
      await knex.destroy();
      await admin.raw(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.destroy();
    },
  };
}

async function mysqlDatabase() {
  const name = `textport_bench_${globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = knexFactory({ client: 'mysql2', connection: MYSQL_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE \`${name}\``);
  const url = new URL(MYSQL_URL);
  url.pathname = `/${name}`;
  const knex = knexFactory({
    client: 'mysql2',
    connection: url.toString(),
    pool: { min: 0, max: MYSQL_CONCURRENCY },
  });
  const store = createKnexStore(knex);
  await store.migrate();
  return {
    store,
    analyze: () => knex.raw('ANALYZE TABLE textport_messages'),
    backendCpuUs: async () => processCpuUs(mysqlServerPids()),
    async destroy() {
      await knex.destroy();
      await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.destroy();
    },
  };
}

const figures = [];
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const us = (n) => (n < 10 ? n.toFixed(1) : Math.round(n).toString());

async function measure(label, open, concurrency) {
  const cells = [];
  for (const [name, scenario] of SCENARIOS) {
    const runs = [];
    for (let run = 0; run < RUNS; run++) {
      const db = await open();
      try {
        runs.push(await scenario(db, concurrency));
      } finally {
        await db.destroy();
      }
    }
    const result = figure(
      `${label}, ${name}`,
      'rows/s',
      runs.map((r) => r.rate),
    );
    figures.push(result);
    const rate = result.value;
    const cpu = median(runs.map((r) => r.cpuUs));
    cells.push(`${fmt(rate)} (${us(cpu)})`);
    console.error(
      `  ${label} ${name}: ${runs.map((r) => `${fmt(r.rate)}/s ${us(r.cpuUs)} µs`).join(' | ')}`,
    );
  }
  return `| ${label} | ${concurrency} | ${cells.join(' | ')} |`;
}

const lines = [];
if (ONLY === undefined || ONLY === 'sqlite') {
  for (const synchronous of ['NORMAL', 'FULL']) {
    lines.push(
      await measure(
        `SQLite, synchronous=${synchronous}`,
        () => sqliteDatabase(synchronous),
        SQLITE_CONCURRENCY,
      ),
    );
  }
}
if (ONLY === undefined || ONLY === 'postgres') {
  if (PG_URL) lines.push(await measure('Postgres', pgDatabase, PG_CONCURRENCY));
  else console.error('Postgres skipped: TEXTPORT_BENCH_DATABASE_URL is not set');
}
if (ONLY === undefined || ONLY === 'mysql') {
  if (MYSQL_URL) lines.push(await measure('MariaDB', mysqlDatabase, MYSQL_CONCURRENCY));
  else console.error('MariaDB skipped: TEXTPORT_BENCH_MYSQL_URL is not set');
}

console.log(
  `\nstore bench: ${ROWS} rows per scenario, median of ${RUNS} runs, ${cpus().length} CPU, Node ${process.version}`,
);
console.log('| store | callers | insert ×1 | insert ×50 | claim ×1 | claim ×50 |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const line of lines) console.log(line);
report(
  'store',
  'npm run bench:store',
  { ROWS, RUNS, SQLITE_CONCURRENCY, PG_CONCURRENCY, MYSQL_CONCURRENCY },
  figures,
);
