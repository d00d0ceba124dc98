// Dispatch on Postgres against a job-queue baseline, in the same run on the same database:
// graphile-worker processing N no-op jobs, and textport handing N due messages to a no-op
// transport. Run after `npx tsc --build`: `npm run bench:queue`.
//
// Needs TEXTPORT_BENCH_DATABASE_URL (or TEXTPORT_TEST_DATABASE_URL); without it the script says
// so and exits. Every round of each side gets a fresh schema, dropped afterwards.
// Options: JOBS (20000), ROUNDS (3), PHONES (10), BATCH (textport batchSize, 200),
// POOL (textport's Knex pool, 10), ROUNDS_AHEAD (textport's dispatch.roundsAhead, its default), GW_CONCURRENCY (24), GW_POLL_MS (10),
// GW_MODES (which graphile-worker setups run each round, comma list, default `plain,batched`:
// `plain` is its defaults, `batched` its localQueue + completeJobBatchDelay batching; GW_BATCHED=1
// is short for `batched` alone), ONLY (graphile | textport: one side alone, e.g. to profile it;
// no ratio then), PROFILE_DIR (a CPU profile of textport's Node process while it dispatches,
// one file per round, written there).
// With TEXTPORT_BENCH_MYSQL_URL (or TEXTPORT_TEST_MYSQL_URL) set, textport's dispatch also runs
// ROUNDS rounds on MariaDB/MySQL (a fresh database each; CPU: Node + the whole server process).
//
// Both sides are timed from their start call (`gateway.start()`, graphile-worker's `run()`) to
// the moment the last item reaches the no-op handler; the rows are inserted, analyzed and the
// connection pools warmed before that. graphile-worker's completion of the last jobs is still
// in flight at that moment (textport's hand-off state is written before the transport sees a
// message), so the clock stops slightly in graphile-worker's favour.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import knexFactory from 'knex';
import pg from 'pg';
import { createGateway, handedOffAll, silentLogger } from '../packages/core/dist/index.js';
import { createKnexStore } from '../packages/store-knex/dist/index.js';
import { figure, median, mysqlServerPids, processCpuUs, report } from './report.mjs';

const PG_URL = process.env.TEXTPORT_BENCH_DATABASE_URL ?? process.env.TEXTPORT_TEST_DATABASE_URL;
if (!PG_URL) {
  console.log(
    'queue bench skipped: set TEXTPORT_BENCH_DATABASE_URL (or TEXTPORT_TEST_DATABASE_URL) to a Postgres database',
  );
  process.exit(0);
}

const MYSQL_URL = process.env.TEXTPORT_BENCH_MYSQL_URL ?? process.env.TEXTPORT_TEST_MYSQL_URL;
const JOBS = Number(process.env.JOBS ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const PHONES = Number(process.env.PHONES ?? 10);
const BATCH = Number(process.env.BATCH ?? 200);
const POOL = Number(process.env.POOL ?? 10);
const ROUNDS_AHEAD =
  process.env.ROUNDS_AHEAD === undefined ? undefined : Number(process.env.ROUNDS_AHEAD);
const GW_CONCURRENCY = Number(process.env.GW_CONCURRENCY ?? 24);
const GW_POLL_MS = Number(process.env.GW_POLL_MS ?? 10);
const GW_MODES = (
  process.env.GW_MODES ?? (process.env.GW_BATCHED === '1' ? 'batched' : 'plain,batched')
)
  .split(',')
  .map((m) => m.trim())
  .filter(Boolean);
for (const mode of GW_MODES) {
  if (mode !== 'plain' && mode !== 'batched') throw new Error(`GW_MODES: unknown mode ${mode}`);
}
const ONLY = process.env.ONLY;
const PROFILE_DIR = process.env.PROFILE_DIR;

/** Profiles this process from now until the returned function is called (PROFILE_DIR only). */
async function startProfile(name) {
  if (!PROFILE_DIR) return async () => {};
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(join(PROFILE_DIR, `${name}-${Date.now()}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  };
}

/** What a no-op transport reaches: every phone. */
const EVERY_PHONE = { phoneIds: 'any', has: () => true };
if (ONLY !== undefined && ONLY !== 'graphile' && ONLY !== 'textport') {
  throw new Error(`ONLY must be graphile or textport, not ${ONLY}`);
}

// graphile-worker formats a log line per finished job unless this is set when it loads.
process.env.NO_LOG_SUCCESS ??= '1';
const { Logger, makeWorkerUtils, run } = await import('graphile-worker');
const quietLogger = new Logger(() => () => {});

const now = () => performance.now();
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const rand = () => globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 12);
const fmt = (n) => Math.round(n).toLocaleString('en-US');

/** A pool of one connection to create and drop the per-round schemas. */
const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });

async function analyzeSchema(query, schema) {
  const { rows } = await query('SELECT tablename FROM pg_tables WHERE schemaname = $1', [schema]);
  for (const { tablename } of rows) await query(`ANALYZE "${schema}"."${tablename}"`);
}

/** Opens `count` connections at once so that neither side pays for connecting while timed. */
async function warm(query, count) {
  await Promise.all(Array.from({ length: count }, () => query('SELECT pg_sleep(0.02)')));
}

/** CPU µs so far of the Postgres backends serving `app`. */
async function backendCpuUs(app) {
  const { rows } = await admin.query(
    'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
    [app],
  );
  return processCpuUs(rows.map((row) => row.pid));
}

/**
 * CPU of one timed phase: this process and the backends of `app` (their backends
 * must stay connected until `end`). Varies less than throughput on a shared machine.
 */
async function cpuMeter(app) {
  const backends0 = await backendCpuUs(app);
  const own0 = process.cpuUsage();
  return {
    async end(items) {
      const own = process.cpuUsage(own0);
      const backendsUs = (await backendCpuUs(app)) - backends0;
      return { nodeUs: (own.user + own.system) / items, pgUs: backendsUs / items };
    },
  };
}

/** One deferred finish line: `finish(at)` once, `finished` resolves to `at`. */
function finishLine() {
  let finish;
  const finished = new Promise((resolve) => {
    finish = resolve;
  });
  return { finish, finished };
}

async function graphileRound(batched) {
  const schema = `gw_bench_${rand()}`;
  const pool = new pg.Pool({
    connectionString: PG_URL,
    max: GW_CONCURRENCY + 2,
    application_name: schema,
  });
  const onError = (error) => console.error('graphile-worker pool error:', error.message);
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  const query = (text, values) => pool.query(text, values);
  try {
    const utils = await makeWorkerUtils({ pgPool: pool, schema, logger: quietLogger });
    await utils.migrate();
    for (let i = 0; i < JOBS; i += 1000) {
      const n = Math.min(1000, JOBS - i);
      await utils.addJobs(
        Array.from({ length: n }, (_, k) => ({ identifier: 'noop', payload: { i: i + k } })),
      );
    }
    await utils.release();
    await analyzeSchema(query, schema);
    await warm(query, GW_CONCURRENCY + 2);

    let done = 0;
    const ran = new Uint8Array(JOBS);
    const { finish, finished } = finishLine();
    const cpu = await cpuMeter(schema);
    const started = now();
    const runner = await run({
      pgPool: pool,
      schema,
      concurrency: GW_CONCURRENCY,
      pollInterval: GW_POLL_MS,
      noHandleSignals: true,
      logger: quietLogger,
      taskList: {
        noop: async (payload) => {
          ran[payload.i] += 1;
          done += 1;
          if (done === JOBS) finish(now());
        },
      },
      ...(batched
        ? {
            preset: {
              worker: {
                localQueue: { size: Math.max(GW_CONCURRENCY + 1, 500) },
                completeJobBatchDelay: 0,
              },
            },
          }
        : {}),
    });
    const ended = await finished;
    const usage = await cpu.end(JOBS);
    await runner.stop();
    if (done !== JOBS || ran.some((n) => n !== 1)) {
      throw new Error(`graphile-worker ran ${done} jobs, expected each of ${JOBS} once`);
    }
    // The last completions may still be on their way when the runner has stopped.
    let left = -1;
    for (let wait = 0; wait < 50 && left !== 0; wait++) {
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      const { rows } = await query(`SELECT count(*)::int AS left FROM "${schema}"._private_jobs`);
      left = rows[0].left;
    }
    if (left !== 0) console.error(`  graphile-worker: ${left} jobs still not completed after stop`);
    return { rate: JOBS / ((ended - started) / 1000), ...usage };
  } finally {
    await pool.end();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  }
}

/** textport's database for one round on Postgres: a fresh schema. */
async function postgresSide() {
  const schema = `textport_bench_${rand()}`;
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const knex = knexFactory({
    client: 'pg',
    connection: { connectionString: PG_URL, application_name: schema },
    searchPath: [schema],
    pool: { min: 0, max: POOL },
  });
  const query = async (text, values) => knex.raw(text.replaceAll(/\$\d+/g, '?'), values ?? []);
  return {
    knex,
    async prepare() {
      await analyzeSchema(query, schema);
      await warm(query, POOL);
    },
    meter: () => cpuMeter(schema),
    async drop() {
      await knex.destroy();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  };
}

/** textport's database for one round on MariaDB/MySQL: a fresh database. */
async function mysqlSide() {
  const name = `textport_bench_${rand()}`;
  const root = knexFactory({ client: 'mysql2', connection: MYSQL_URL, pool: { min: 0, max: 1 } });
  await root.raw(`CREATE DATABASE \`${name}\``);
  const url = new URL(MYSQL_URL);
  url.pathname = `/${name}`;
  const knex = knexFactory({
    client: 'mysql2',
    connection: url.toString(),
    pool: { min: 0, max: POOL },
  });
  const serverUs = () => processCpuUs(mysqlServerPids());
  return {
    knex,
    async prepare() {
      await knex.raw('ANALYZE TABLE textport_messages, textport_phones, textport_threads');
      await Promise.all(Array.from({ length: POOL }, () => knex.raw('SELECT SLEEP(0.02)')));
    },
    async meter() {
      const server0 = serverUs();
      const own0 = process.cpuUsage();
      return {
        async end(items) {
          const own = process.cpuUsage(own0);
          return { nodeUs: (own.user + own.system) / items, pgUs: (serverUs() - server0) / items };
        },
      };
    },
    async drop() {
      await knex.destroy();
      await root.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      await root.destroy();
    },
  };
}

async function textportRound(side = postgresSide) {
  const db = await side();
  const { knex } = db;
  try {
    const store = createKnexStore(knex);
    await store.migrate();
    const perPhone = Math.ceil(JOBS / PHONES);
    const total = perPhone * PHONES;
    const seen = new Set();
    const { finish, finished } = finishLine();
    /** Reaches every phone and only counts: the figure is the gateway's own cost. */
    const transport = {
      name: 'noop',
      async start() {},
      async stop() {},
      reach: () => EVERY_PHONE,
      async notify(_phone, messages) {
        for (const m of messages) seen.add(m.id);
        if (seen.size === total) finish(now());
        return handedOffAll(messages);
      },
      async requestHeartbeat() {},
    };
    const gateway = createGateway({
      store,
      logger: silentLogger,
      transports: [transport],
      dispatch: {
        batchSize: BATCH,
        ...(ROUNDS_AHEAD === undefined ? {} : { roundsAhead: ROUNDS_AHEAD }),
      },
    });
    const { record: account } = await gateway.accounts.create();
    for (let p = 0; p < PHONES; p++) {
      const from = `+1202555${String(1000 + p).padStart(4, '0')}`;
      await gateway.phones.upsert(account.id, { phoneNumber: from, messagesPerMinute: 0 });
      for (let i = 0; i < perPhone; i += 1000) {
        const n = Math.min(1000, perPhone - i);
        const to = Array.from({ length: n }, (_, k) => `+1312555${String(k).padStart(4, '0')}`);
        await gateway.messages.sendBulk(account.id, { from, to, content: 'benchmark' });
      }
    }
    await db.prepare();

    const stopProfile = await startProfile('textport-dispatch');
    const cpu = await db.meter();
    const started = now();
    await gateway.start();
    const ended = await finished;
    const usage = await cpu.end(total);
    await stopProfile();
    await gateway.stop();
    if (seen.size !== total) throw new Error(`handed off ${seen.size}, expected ${total}`);
    return { rate: total / ((ended - started) / 1000), ...usage };
  } finally {
    await db.drop();
  }
}

/** The graphile-worker setups, their labels in the output and their targets for textport's ratio. */
const MODES = {
  plain: {
    label: 'graphile-worker',
    setup: `concurrency ${GW_CONCURRENCY}, pollInterval ${GW_POLL_MS} ms, no batching (defaults)`,
    target: 3,
  },
  batched: {
    label: 'graphile-worker batched',
    setup: `concurrency ${GW_CONCURRENCY}, pollInterval ${GW_POLL_MS} ms, localQueue + completeJobBatchDelay 0`,
    target: 1,
  },
};
const modes = ONLY === 'textport' ? [] : GW_MODES;
/** Per graphile-worker mode: its rounds and textport's same-round ratios against it. */
const graphile = Object.fromEntries(modes.map((m) => [m, { runs: [], ratios: [] }]));
const textport = [];
/** textport's dispatch on MariaDB/MySQL (when its URL is set). */
const textportMysql = [];
const loads = [];
const sides = [...modes, ...(ONLY === 'graphile' ? [] : ['textport'])];
const cpuText = (r) => `${Math.round(r.nodeUs)}+${Math.round(r.pgUs)} µs CPU`;
console.log(
  `queue bench: ${JOBS} items per round, ${ROUNDS} rounds, Postgres; ` +
    modes.map((m) => `${MODES[m].label} (${MODES[m].setup})`).join('; ') +
    `; textport ${PHONES} phones, batchSize ${BATCH}, pool ${POOL}. CPU per item: Node + Postgres backends`,
);
try {
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate the order so that no side always runs on a warmer database.
    const round = {};
    for (const side of r % 2 === 0 ? sides : [...sides].reverse()) {
      round[side] =
        side === 'textport' ? await textportRound() : await graphileRound(side === 'batched');
    }
    const parts = [];
    for (const mode of modes) {
      graphile[mode].runs.push(round[mode]);
      parts.push(`${MODES[mode].label} ${fmt(round[mode].rate)} jobs/s (${cpuText(round[mode])})`);
    }
    if (round.textport) {
      textport.push(round.textport);
      parts.push(`textport ${fmt(round.textport.rate)} hand-offs/s (${cpuText(round.textport)})`);
      for (const mode of modes) {
        const ratio = round.textport.rate / round[mode].rate;
        graphile[mode].ratios.push(ratio);
        parts.push(`ratio to ${MODES[mode].label} ${ratio.toFixed(2)}`);
      }
    }
    loads.push(load());
    console.log(`  round ${r + 1}: ${parts.join(', ')}; load ${load()}`);
  }
  if (MYSQL_URL && ONLY !== 'graphile') {
    for (let r = 0; r < ROUNDS; r++) {
      const round = await textportRound(mysqlSide);
      textportMysql.push(round);
      console.log(
        `  MariaDB round ${r + 1}: textport ${fmt(round.rate)} hand-offs/s (${Math.round(round.nodeUs)}+${Math.round(round.pgUs)} µs CPU, Node + server); load ${load()}`,
      );
    }
  }
} finally {
  await admin.end();
}

const rates = (runs) => runs.map((r) => r.rate);
const summary = (runs, unit) =>
  `median ${fmt(median(rates(runs)))} ${unit} [${rates(runs).map(fmt).join(', ')}], ` +
  `CPU per item ${Math.round(median(runs.map((r) => r.nodeUs)))} µs Node + ` +
  `${Math.round(median(runs.map((r) => r.pgUs)))} µs Postgres`;
const lines = [];
for (const mode of modes)
  lines.push(`${MODES[mode].label}: ${summary(graphile[mode].runs, 'jobs/s')}`);
if (textport.length > 0) lines.push(`textport dispatch: ${summary(textport, 'hand-offs/s')}`);
if (textportMysql.length > 0) {
  lines.push(
    `textport dispatch on MariaDB: ${summary(textportMysql, 'hand-offs/s').replace('µs Postgres', 'µs MariaDB server')}`,
  );
}
for (const mode of modes) {
  const { ratios } = graphile[mode];
  if (ratios.length === 0) continue;
  const ratio = median(ratios);
  const { label, target } = MODES[mode];
  lines.push(
    `textport dispatch / ${label}: median ${ratio.toFixed(2)} (target >= ${target}: ${ratio >= target ? 'met' : 'short'}) ` +
      `[${ratios.map((x) => x.toFixed(2)).join(', ')}]`,
  );
}
console.log(`${lines.join('\n')}\nload average ${load()}`);

const note = `load average after each round: ${loads.join(' | ')}`;
const results = [];
for (const mode of modes) {
  const { ratios } = graphile[mode];
  const { label, target } = MODES[mode];
  if (ratios.length > 0) {
    results.push(
      figure(`textport dispatch / ${label}`, 'ratio', ratios, { op: '>=', value: target }, note),
    );
  }
}
if (textport.length > 0) {
  results.push(
    figure('textport dispatch on Postgres', 'hand-offs/s', rates(textport), undefined, note),
  );
  results.push(
    figure(
      'textport dispatch: CPU per hand-off (Node + Postgres)',
      'µs',
      textport.map((r) => r.nodeUs + r.pgUs),
    ),
  );
}
if (textportMysql.length > 0) {
  results.push(figure('textport dispatch on MariaDB', 'hand-offs/s', rates(textportMysql)));
}
for (const mode of modes) {
  const { runs } = graphile[mode];
  const { label, setup } = MODES[mode];
  results.push(figure(`${label} on Postgres`, 'jobs/s', rates(runs), undefined, setup));
  results.push(
    figure(
      `${label}: CPU per job (Node + Postgres)`,
      'µs',
      runs.map((r) => r.nodeUs + r.pgUs),
    ),
  );
}
report(
  'queue',
  'node bench/queue.mjs',
  {
    jobs: JOBS,
    rounds: ROUNDS,
    phones: PHONES,
    batchSize: BATCH,
    pool: POOL,
    only: ONLY ?? null,
    graphileWorker: {
      concurrency: GW_CONCURRENCY,
      pollIntervalMs: GW_POLL_MS,
      modes,
    },
  },
  results,
);
