// POST /v1/messages/send per second through the HTTP API, each stack beside a bare echo
// server of the same stack: Express + textport router vs Express + express.json() echo,
// and createNodeHandler vs a node:http JSON echo. Every server runs in its own process;
// autocannon runs here. A send is durable when answered (stored in SQLite before the 200).
// Run after `npx tsc --build`: `npm run bench:http`
// Options: DURATION (s, default 10), ROUNDS (default 3; medians are printed),
// CONNECTIONS (default 32), STORE (sqlite | memory),
// SYNCHRONOUS (sqlite: FULL | NORMAL, default FULL), ONLY (comma list of variants),
// PROFILE_DIR (write a CPU profile of each server process there).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, median, report } from './report.mjs';

const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 32);
const STORE = process.env.STORE ?? 'sqlite';
const SYNCHRONOUS = process.env.SYNCHRONOUS ?? 'FULL';
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const VARIANTS = ['express-echo', 'express-send', 'node-echo', 'node-send'];
const FROM = '+18005550199';
const BODY = JSON.stringify({
  from: FROM,
  to: '+18005550100',
  content: 'Hello from the benchmark',
});

if (process.argv[2] === 'serve') await serve(process.argv[3]);
else await main();

/** The store of a server process: SQLite through @textport/store-knex, or core's memory store. */
async function openStore() {
  if (STORE === 'memory') {
    const { createMemoryStore } = await import('@textport/core');
    const store = createMemoryStore();
    return { store, count: async () => null, groups: () => null, close: async () => {} };
  }
  const { default: knexFactory } = await import('knex');
  const { createKnexStore } = await import('@textport/store-knex');
  const dir = mkdtempSync(join(tmpdir(), 'textport-bench-http-'));
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: join(dir, 'bench.sqlite') },
    useNullAsDefault: true,
  });
  const store = createKnexStore(knex, { synchronous: SYNCHRONOUS });
  await store.migrate();
  return {
    store,
    count: async () => Number((await knex('textport_messages').count({ n: '*' }))[0].n),
    groups: () => store.groupCommits,
    close: async () => {
      await store.close();
      await knex.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function serve(variant) {
  let handler;
  let db = { count: async () => null, groups: () => null, close: async () => {} };
  let apiKey = '';
  if (variant.endsWith('-send')) {
    const { createGateway, silentLogger } = await import('@textport/core');
    db = await openStore();
    const gateway = createGateway({ store: db.store, logger: silentLogger });
    const account = await gateway.accounts.create({ email: 'bench@example.com' });
    apiKey = account.apiKey;
    await gateway.phones.upsert(account.record.id, { phoneNumber: FROM });
    if (variant === 'express-send') {
      const { default: express } = await import('express');
      const { createRouter } = await import('@textport/express');
      handler = express().use(createRouter(gateway));
    } else {
      const { createNodeHandler } = await import('@textport/http');
      handler = createNodeHandler(gateway);
    }
  } else if (variant === 'express-echo') {
    const { default: express } = await import('express');
    handler = express()
      .use(express.json())
      .post('/v1/messages/send', (req, res) => {
        res.json({ status: 'success', message: 'echo', data: req.body });
      });
  } else {
    handler = (req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const data = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const body = JSON.stringify({ status: 'success', message: 'echo', data });
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
      });
    };
  }
  const server = createServer(handler);
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port, apiKey }));
  process.on('message', async (message) => {
    if (message === 'count') {
      const cpu = process.cpuUsage();
      process.send({ stored: await db.count(), groups: db.groups(), cpu: cpu.user + cpu.system });
    }
    if (message !== 'stop') return;
    server.close();
    await db.close();
    process.exit(0);
  });
}

async function measure(variant) {
  const { default: autocannon } = await import('autocannon');
  const profile = process.env.PROFILE_DIR;
  const child = fork(fileURLToPath(import.meta.url), ['serve', variant], {
    execArgv: profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [],
  });
  const [{ port, apiKey }] = await once(child, 'message');
  const options = {
    url: `http://127.0.0.1:${port}/v1/messages/send`,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: BODY,
    connections: CONNECTIONS,
  };
  const count = async () => {
    child.send('count');
    return (await once(child, 'message'))[0];
  };
  await autocannon({ ...options, duration: 2 }); // warm-up, not counted
  const before = await count();
  const result = await autocannon({ ...options, duration: DURATION });
  const after = await count();
  const stored = after.stored === null ? null : after.stored - before.stored;
  child.send('stop');
  await once(child, 'exit');
  return {
    variant,
    rps: result.requests.average,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    p50: result.latency.p50,
    p99: result.latency.p99,
    stored,
    /** SQLite commits (groups) in the measured run. */
    commits: after.groups === null ? null : after.groups - before.groups,
    /** Server CPU time (user + system) per answered request, in µs. */
    cpu: (after.cpu - before.cpu) / Math.max(1, result['2xx']),
  };
}

function line(r) {
  const stored = r.stored === null ? '' : `, ${r.stored} stored`;
  const commits =
    r.commits === null ? '' : `, ${(r.stored / Math.max(1, r.commits)).toFixed(1)} sends/commit`;
  return (
    `${r.variant.padEnd(13)} ${Math.round(r.rps).toString().padStart(6)} req/s  ` +
    `${r.cpu.toFixed(0).padStart(4)} µs server CPU/req  p50 ${r.p50} ms  p99 ${r.p99} ms  ` +
    `(${r.ok} 2xx, ${r.non2xx} non-2xx, ${r.errors} errors${stored}${commits})`
  );
}

async function main() {
  const only = process.env.ONLY?.split(',') ?? VARIANTS;
  const rounds = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const results = {};
    for (const variant of VARIANTS.filter((v) => only.includes(v))) {
      results[variant] = await measure(variant);
      console.log(`round ${round}  ${line(results[variant])}`);
    }
    rounds.push(results);
  }
  const store = STORE === 'sqlite' ? `SQLite (synchronous=${SYNCHRONOUS})` : 'memory store';
  console.log(
    `store: ${store}; ${CONNECTIONS} connections, ${DURATION} s per run; medians of ${ROUNDS} rounds:`,
  );
  const of = (variant, key) => median(rounds.map((r) => r[variant]?.[key] ?? 0));
  const figures = [];
  const runsOf = (variant, key) => rounds.map((r) => r[variant]?.[key] ?? 0);
  const label = {
    'express-echo': 'Express echo',
    'express-send': 'Express send',
    'node-echo': 'node:http echo',
    'node-send': 'node handler send',
  };
  for (const variant of VARIANTS.filter((v) => only.includes(v))) {
    console.log(
      `  ${variant.padEnd(13)} ${Math.round(of(variant, 'rps'))} req/s, ${Math.round(of(variant, 'cpu'))} µs server CPU/req`,
    );
    const target = variant === 'node-send' ? { op: '>=', value: 20_000 } : undefined;
    const where = variant.endsWith('-send') ? ` (${store})` : '';
    figures.push(figure(`${label[variant]}${where}`, 'req/s', runsOf(variant, 'rps'), target));
    figures.push(figure(`${label[variant]}: server CPU per request`, 'µs', runsOf(variant, 'cpu')));
  }
  if (only.includes('express-echo') && only.includes('express-send')) {
    const ratios = rounds.map((r) => r['express-send'].rps / r['express-echo'].rps);
    const ratio = median(ratios);
    figures.push(figure('Express send / Express echo', 'ratio', ratios, { op: '>=', value: 0.8 }));
    const byCpu = median(rounds.map((r) => r['express-echo'].cpu / r['express-send'].cpu));
    console.log(
      `express: send/echo throughput ${ratio.toFixed(2)}, by server CPU per request ${byCpu.toFixed(2)} ` +
        `(target >= 0.80: ${ratio >= 0.8 ? 'pass' : 'short'})`,
    );
  }
  if (only.includes('node-send')) {
    const rps = of('node-send', 'rps');
    const perCore = Math.round(1e6 / of('node-send', 'cpu'));
    console.log(
      `node handler: ${Math.round(rps)} sends/s, ${perCore}/s per busy core ` +
        `(target >= 20000: ${rps >= 20_000 ? 'pass' : 'short'}); node echo ${Math.round(of('node-echo', 'rps'))} req/s`,
    );
  }
  report(
    'http',
    'npm run bench:http',
    { DURATION, CONNECTIONS, STORE, SYNCHRONOUS, ROUNDS },
    figures,
  );
}
