// `npm run bench`: runs every benchmark script one after another (each prints its own lines),
// collects their results (bench/report.mjs) and writes the "Latest run" section of
// docs/benchmarks.md: machine, versions, the median of every figure with its runs, and each
// target met or short. Before each script the machine settles: Postgres writes its dirty pages
// out (CHECKPOINT) and the run waits, up to SETTLE_S seconds (60), for the 1-minute load average
// to fall below 1, so what one script left running (Postgres's checkpoints and autovacuum after
// a queue run) does not count against the next. Options (env): ONLY (comma list of bench names;
// the document is then left alone and the table only printed), SETTLE_S, and each script's own
// options, passed through.
// Postgres figures use TEXTPORT_BENCH_DATABASE_URL, else TEXTPORT_TEST_DATABASE_URL; without
// either they are skipped, and the section says so.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOC = join(ROOT, 'docs', 'benchmarks.md');
const START = '<!-- bench:latest:start -->';
const END = '<!-- bench:latest:end -->';
const PG_URL = process.env.TEXTPORT_BENCH_DATABASE_URL ?? process.env.TEXTPORT_TEST_DATABASE_URL;
const SETTLE_S = Number(process.env.SETTLE_S ?? 60);

/** Every script, in the order they run; `pg` marks the ones that need Postgres, `env` sets options. */
const BENCHES = [
  { name: 'dispatch', script: 'dispatch.mjs' },
  { name: 'webhooks', script: 'webhooks.mjs' },
  { name: 'store', script: 'store.mjs' },
  { name: 'http', script: 'http.mjs' },
  { name: 'websocket', script: 'websocket.mjs', node: ['--expose-gc'] },
  { name: 'smsgate', script: 'smsgate.mjs', node: ['--expose-gc'] },
  { name: 'queue', script: 'queue.mjs', pg: true },
  { name: 'scheduler', script: 'scheduler.mjs' },
  { name: 'scheduler-pg', script: 'scheduler.mjs', pg: true, env: { STORE: 'postgres' } },
  { name: 'dashboard', script: 'dashboard.mjs' },
  { name: 'scale', script: 'scale.mjs' },
];

/** Lets the machine settle before a script: a Postgres checkpoint, then a wait for a load below 1. */
async function settle() {
  if (PG_URL) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: PG_URL });
    try {
      await client.connect();
      await client.query('CHECKPOINT');
    } catch (error) {
      console.log(`(no checkpoint: ${error.message})`);
    } finally {
      await client.end().catch(() => {});
    }
  }
  const started = Date.now();
  while (loadavg()[0] >= 1 && Date.now() - started < SETTLE_S * 1000) {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  const waited = Math.round((Date.now() - started) / 1000);
  console.log(`(settled ${waited} s; load average ${loadavg()[0].toFixed(2)})`);
}

function run(bench, resultFile) {
  // ONLY picks the scripts here; several scripts read their own ONLY (variants), so it is not passed on.
  const { ONLY: _picked, ...inherited } = process.env;
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [...(bench.node ?? []), join(ROOT, 'bench', bench.script)],
      {
        cwd: ROOT,
        stdio: 'inherit',
        env: {
          ...inherited,
          BENCH_RESULT: resultFile,
          ...(PG_URL ? { TEXTPORT_BENCH_DATABASE_URL: PG_URL } : {}),
          ...bench.env,
        },
      },
    );
    child.on('exit', (code, signal) => resolve(signal ? `signal ${signal}` : code));
  });
}

async function versions() {
  const pkg = (name) => {
    try {
      return JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8'))
        .version;
    } catch {
      return 'not installed';
    }
  };
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(':memory:');
  const sqlite = db.prepare('select sqlite_version() as v').get().v;
  db.close();
  let postgres = 'not used (no database URL)';
  if (PG_URL) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: PG_URL });
    try {
      await client.connect();
      postgres = (await client.query('show server_version')).rows[0].server_version;
    } catch (error) {
      postgres = `unreachable (${error.message})`;
    } finally {
      await client.end().catch(() => {});
    }
  }
  return {
    node: process.version,
    sqlite,
    postgres,
    'better-sqlite3': pkg('better-sqlite3'),
    knex: pkg('knex'),
    pg: pkg('pg'),
    express: pkg('express'),
    ws: pkg('ws'),
    autocannon: pkg('autocannon'),
    'graphile-worker': pkg('graphile-worker'),
  };
}

const fmt = (value, unit) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) return String(value);
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })}${unit === 'ratio' ? '×' : ''}`;
};

/** A table cell: a `|` inside it would end the cell. */
const cell = (text) => String(text).replaceAll('|', '\\|');

function table(outcomes) {
  const lines = [
    '| bench | figure | median | unit | runs | target | verdict |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const { bench, result, status } of outcomes) {
    if (!result) {
      lines.push(`| ${bench.name} | (${status}) | | | | | |`);
      continue;
    }
    for (const r of result.results) {
      const verdict = r.met === null ? '' : r.met ? 'met' : '**short**';
      const runs = r.runs.map((v) => fmt(v, r.unit)).join(', ');
      const target = r.target ? r.target.replace('>=', '≥').replace('<=', '≤') : '';
      lines.push(
        `| ${bench.name} | ${cell(r.name)}${r.note ? ` (${cell(r.note)})` : ''} | ${fmt(r.value, r.unit)} | ${r.unit} | ${runs} | ${target} | ${verdict} |`,
      );
    }
  }
  return lines;
}

async function main() {
  const only = process.env.ONLY?.split(',').map((s) => s.trim());
  const selected = BENCHES.filter((b) => !only || only.includes(b.name));
  const dir = mkdtempSync(join(tmpdir(), 'textport-bench-run-'));
  const loadBefore = loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
  const started = new Date();
  const outcomes = [];
  try {
    for (const bench of selected) {
      if (bench.pg && !PG_URL) {
        console.log(
          `\n== ${bench.name}: skipped (no TEXTPORT_BENCH_DATABASE_URL / TEXTPORT_TEST_DATABASE_URL)`,
        );
        outcomes.push({ bench, result: null, status: 'skipped: no Postgres URL' });
        continue;
      }
      console.log(`\n== ${bench.name} (bench/${bench.script})`);
      await settle();
      const file = join(dir, `${bench.name}.json`);
      const code = await run(bench, file);
      let result = null;
      try {
        result = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        // The script reported nothing (it failed, or skipped itself).
      }
      outcomes.push({ bench, result, status: code === 0 ? 'no figures reported' : `exit ${code}` });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const loadAfter = loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
  const v = await versions();
  const all = outcomes.flatMap((o) => o.result?.results ?? []);
  const targets = all.filter((r) => r.met !== null);
  const short = targets.filter((r) => !r.met);
  const cpu = cpus();
  const section = [
    START,
    '## Latest run',
    '',
    `Written by \`npm run bench\` on ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC. ` +
      `Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB RAM; load average ${loadBefore} before, ${loadAfter} after. ` +
      `Versions: ${Object.entries(v)
        .map(([name, version]) => `${name} ${version}`)
        .join(', ')}.`,
    '',
    'Each figure is the median of the runs listed (the scripts run each measurement at least three',
    'times), and ratios compare two servers or queues measured in the same run. The load',
    'generator shares the machine with the servers.',
    '',
    `**Targets: ${targets.length - short.length} of ${targets.length} met.**` +
      (short.length > 0 ? ` Short: ${short.map((r) => r.name).join('; ')}.` : ''),
    '',
    ...table(outcomes),
    '',
    'Commands: `npm run bench` for all of them; `ONLY=http npm run bench` (comma list) prints a',
    'subset without touching this page; each script alone with `npm run bench:<name>`.',
    END,
  ].join('\n');
  console.log(`\n${section}`);
  if (only) return;
  const doc = readFileSync(DOC, 'utf8');
  const next = doc.includes(START)
    ? doc.slice(0, doc.indexOf(START)) + section + doc.slice(doc.indexOf(END) + END.length)
    : doc.replace(/\n## /, `\n${section}\n\n## `);
  writeFileSync(DOC, next);
  console.log(`\nwrote ${DOC.slice(ROOT.length)}`);
}

await main();
