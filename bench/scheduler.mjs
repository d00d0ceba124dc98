// Scheduler lateness: how late after its `send_at` each scheduled message reaches the transport.
// Run after `npx tsc --build`: `npm run bench:scheduler`.
//
// Each round opens a fresh store and a running gateway with a no-op transport that records,
// for every message, when it was handed over. SCHEDULED messages are sent through
// `gateway.messages.send` with `sendAt` (the `send_at` of the API, as RFC 3339 text), spread
// evenly over a window of WINDOW_S seconds that opens after the last insert has returned; their
// phones have no pacing. Lateness = hand-off time − send_at (ms); a negative lateness is an
// early hand-off, which is a bug.
//
// Options: STORE (sqlite | postgres | memory; default sqlite, SQLite with the store's default
// synchronous=FULL), SCHEDULED (100000), WINDOW_S (30), ROUNDS (3), PHONES (50),
// SENDERS (concurrent send calls while inserting, 64), LEAD_S (seconds from the first insert to
// the window's opening; by default estimated, then the last round's insert time plus a margin).
// STORE=postgres needs TEXTPORT_BENCH_DATABASE_URL (or TEXTPORT_TEST_DATABASE_URL); without it the
// script says so and exits. Postgres rounds use a fresh schema, dropped afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory from 'knex';
import {
  createGateway,
  createMemoryStore,
  handedOffAll,
  silentLogger,
} from '../packages/core/dist/index.js';
import { createKnexStore } from '../packages/store-knex/dist/index.js';
import { figure, median, report } from './report.mjs';

const STORE = process.env.STORE ?? 'sqlite';
const SCHEDULED = Number(process.env.SCHEDULED ?? 100_000);
const WINDOW_S = Number(process.env.WINDOW_S ?? 30);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const PHONES = Number(process.env.PHONES ?? 50);
const SENDERS = Number(process.env.SENDERS ?? 64);
const LEAD_S = process.env.LEAD_S === undefined ? undefined : Number(process.env.LEAD_S);
const PG_URL = process.env.TEXTPORT_BENCH_DATABASE_URL ?? process.env.TEXTPORT_TEST_DATABASE_URL;

if (!['sqlite', 'postgres', 'memory'].includes(STORE)) {
  throw new Error(`STORE must be sqlite, postgres or memory, not ${STORE}`);
}
if (STORE === 'postgres' && !PG_URL) {
  console.log(
    'scheduler bench skipped: STORE=postgres needs TEXTPORT_BENCH_DATABASE_URL (or TEXTPORT_TEST_DATABASE_URL)',
  );
  process.exit(0);
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const fmt = (n) => Math.round(n).toLocaleString('en-US');

/** What a no-op transport reaches: every phone. */
const EVERY_PHONE = { phoneIds: 'any', has: () => true };

async function openStore() {
  if (STORE === 'memory') return { store: createMemoryStore(), async destroy() {} };
  if (STORE === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'textport-scheduler-'));
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: join(dir, 'bench.sqlite') },
      useNullAsDefault: true,
    });
    const store = createKnexStore(knex);
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
  const schema = `textport_sched_${globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = knexFactory({ client: 'pg', connection: PG_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE SCHEMA "${schema}"`);
  const knex = knexFactory({
    client: 'pg',
    connection: PG_URL,
    searchPath: [schema],
    pool: { min: 0, max: 10 },
  });
  const store = createKnexStore(knex);
  await store.migrate();
  return {
    store,
    async destroy() {
      await knex.destroy();
      await admin.raw(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.destroy();
    },
  };
}

/** The q-quantile of ascending `sorted` (nearest rank). */
function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * One round. Returns null when the inserts ran past the window's opening (then the lead was
 * too short and the round says nothing about the scheduler).
 */
async function round(leadMs) {
  const db = await openStore();
  const lateness = new Float64Array(SCHEDULED);
  const seen = new Set();
  let duplicates = 0;
  let finish;
  const finished = new Promise((resolve) => {
    finish = resolve;
  });
  /** Reaches every phone; records when each message was handed over. */
  const transport = {
    name: 'noop',
    async start() {},
    async stop() {},
    reach: () => EVERY_PHONE,
    async notify(_phone, messages) {
      const at = Date.now();
      for (const m of messages) {
        if (seen.has(m.id)) {
          duplicates += 1;
          continue;
        }
        lateness[seen.size] = at - m.scheduledSendTime;
        seen.add(m.id);
      }
      if (seen.size === SCHEDULED) finish();
      return handedOffAll(messages);
    },
    async requestHeartbeat() {},
  };
  const gateway = createGateway({
    store: db.store,
    logger: silentLogger,
    transports: [transport],
  });
  try {
    const { record: account } = await gateway.accounts.create();
    const senders = [];
    for (let p = 0; p < PHONES; p++) {
      const phoneNumber = `+1202555${String(1000 + p).padStart(4, '0')}`;
      await gateway.phones.upsert(account.id, { phoneNumber, messagesPerMinute: 0 });
      senders.push(phoneNumber);
    }
    await gateway.start();

    const insertStart = Date.now();
    const opensAt = insertStart + leadMs;
    const windowMs = WINDOW_S * 1000;
    let next = 0;
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        for (let i = next++; i < SCHEDULED; i = next++) {
          await gateway.messages.send(account.id, {
            from: senders[i % PHONES],
            to: `+1312555${String(Math.floor(i / PHONES) % 1000).padStart(4, '0')}`,
            content: 'benchmark',
            sendAt: new Date(opensAt + Math.floor((i * windowMs) / SCHEDULED)).toISOString(),
          });
        }
      }),
    );
    const insertEnd = Date.now();
    const insertRate = SCHEDULED / ((insertEnd - insertStart) / 1000);
    const insertMs = insertEnd - insertStart;
    if (insertEnd >= opensAt) return { overrun: true, insertRate, insertMs };
    if (seen.size > 0) throw new Error(`${seen.size} messages were handed over before the window`);

    let timer;
    const timedOut = await Promise.race([
      finished.then(() => false),
      new Promise((resolve) => {
        timer = setTimeout(() => resolve(true), opensAt + windowMs + 60_000 - Date.now());
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      throw new Error(
        `only ${seen.size} of ${SCHEDULED} messages handed over by 60 s after the window`,
      );
    }
    if (duplicates > 0) throw new Error(`${duplicates} messages were handed over twice`);
    const sorted = lateness.sort();
    let early = 0;
    while (early < sorted.length && sorted[early] < 0) early += 1;
    return {
      overrun: false,
      insertRate,
      insertMs,
      idleMs: opensAt - insertEnd,
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      max: sorted[sorted.length - 1],
      early,
    };
  } finally {
    await gateway.stop();
    await db.destroy();
  }
}

/** A first guess at how long the inserts take (per-message sends through the gateway). */
const GUESSED_RATE = { sqlite: 3000, postgres: 1000, memory: 10_000 };

console.log(
  `scheduler bench: ${fmt(SCHEDULED)} messages scheduled over ${WINDOW_S} s, store ${STORE}, ` +
    `${PHONES} phones without pacing, ${SENDERS} concurrent senders, ${ROUNDS} rounds`,
);
const results = [];
let leadMs = (LEAD_S ?? SCHEDULED / GUESSED_RATE[STORE] + 5) * 1000;
for (let r = 0; r < ROUNDS; r++) {
  let result = await round(leadMs);
  for (let retry = 0; result.overrun && retry < 3; retry++) {
    console.log(
      `  round ${r + 1}: inserts took ${(result.insertMs / 1000).toFixed(1)} s, past the ` +
        `${(leadMs / 1000).toFixed(1)} s lead; running it again with a longer lead`,
    );
    leadMs = Math.max(leadMs * 2, result.insertMs * 1.3 + 5000);
    result = await round(leadMs);
  }
  if (result.overrun) throw new Error('the inserts keep running past the window; set LEAD_S');
  results.push({ ...result, load: load() });
  console.log(
    `  round ${r + 1}: lateness p50 ${result.p50} ms, p99 ${result.p99} ms, max ${result.max} ms, ` +
      `early ${result.early}; inserts ${fmt(result.insertRate)} msg/s ` +
      `(${(result.insertMs / 1000).toFixed(1)} s, then ${(result.idleMs / 1000).toFixed(1)} s idle); load ${load()}`,
  );
  // The next round's lead: this round's insert time with a margin.
  if (LEAD_S === undefined) leadMs = result.insertMs * 1.3 + 5000;
}

const pick = (key) => results.map((r) => r[key]);
const p99 = median(pick('p99'));
console.log(
  `lateness (median of ${results.length} rounds): p50 ${median(pick('p50'))} ms, p99 ${p99} ms ` +
    `(target <= 50: ${p99 <= 50 ? 'met' : 'short'}), max ${median(pick('max'))} ms, ` +
    `early ${pick('early').join('/')}; inserts ${fmt(median(pick('insertRate')))} msg/s; load average ${load()}`,
);

const note = `store ${STORE}, ${SCHEDULED} messages over ${WINDOW_S} s; load average after each round: ${pick('load').join(' | ')}`;
report(
  'scheduler',
  'node bench/scheduler.mjs',
  {
    store: STORE,
    scheduled: SCHEDULED,
    windowS: WINDOW_S,
    rounds: ROUNDS,
    phones: PHONES,
    senders: SENDERS,
  },
  [
    figure('scheduler lateness p99', 'ms', pick('p99'), { op: '<=', value: 50 }, note),
    figure('scheduler lateness p50', 'ms', pick('p50'), undefined, note),
    figure('scheduler lateness max', 'ms', pick('max'), undefined, note),
    figure('scheduler early hand-offs', 'messages', pick('early'), { op: '<=', value: 0 }, note),
    figure('scheduled-message inserts', 'messages/s', pick('insertRate'), undefined, note),
  ],
);
