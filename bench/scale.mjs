// How cost grows with what is already stored and with how many phones are connected: dispatch
// hand-offs/s and sends/s with SMALL (10,000) and LARGE (1,000,000) messages already in the
// store (95 % finished, 5 % due on phones this node does not reach, which every claim must step
// over), and the claim cost per message with 10 and with 20,000 reachable phone ids (every claim
// carries the reachable ids; medians of CLAIM_RUNS (3) alternated runs, each after a first claim
// with the same list; once more with one id replaced before every claim). SQLite (synchronous=FULL, a file) always;
// Postgres when TEXTPORT_BENCH_DATABASE_URL (or TEXTPORT_TEST_DATABASE_URL) is set.
// Run after `npx tsc --build`: `npm run bench:scale`. Options: SMALL, LARGE, MESSAGES (5000),
// SENDS (2000), CONCURRENCY (16), CLAIM_RUNS (3), ONLY (sqlite | postgres).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory from 'knex';
import { createGateway, handedOffAll, silentLogger } from '../packages/core/dist/index.js';
import { makeMessage } from '../packages/core/dist/testing/fixtures.js';
import { createKnexStore } from '../packages/store-knex/dist/index.js';
import { figure, median, report } from './report.mjs';

const SMALL = Number(process.env.SMALL ?? 10_000);
const LARGE = Number(process.env.LARGE ?? 1_000_000);
const MESSAGES = Number(process.env.MESSAGES ?? 5_000);
const SENDS = Number(process.env.SENDS ?? 2_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const PHONES = 10;
const MANY_PHONES = 20_000;
const CLAIM_RUNS = Number(process.env.CLAIM_RUNS ?? 3);
const PG_URL = process.env.TEXTPORT_BENCH_DATABASE_URL ?? process.env.TEXTPORT_TEST_DATABASE_URL;
const ONLY = process.env.ONLY;
const uuid = () => globalThis.crypto.randomUUID();

async function sqlite() {
  const dir = mkdtempSync(join(tmpdir(), 'textport-scale-'));
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: join(dir, 'scale.sqlite') },
    useNullAsDefault: true,
  });
  const store = createKnexStore(knex, { synchronous: 'FULL' });
  await store.migrate();
  return {
    store,
    analyze: () => knex.raw('ANALYZE'),
    async destroy() {
      await store.close();
      await knex.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgres() {
  const schema = `textport_scale_${uuid().replaceAll('-', '').slice(0, 12)}`;
  const admin = knexFactory({ client: 'pg', connection: PG_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE SCHEMA "${schema}"`);
  const knex = knexFactory({
    client: 'pg',
    connection: PG_URL,
    searchPath: [schema],
    pool: { min: 0, max: CONCURRENCY },
  });
  const store = createKnexStore(knex);
  await store.migrate();
  return {
    store,
    analyze: () => knex.raw('ANALYZE'),
    async destroy() {
      await knex.destroy();
      await admin.raw(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.destroy();
    },
  };
}

/** `count` rows of another account: 95 % delivered, 5 % due on 1,000 phones nobody reaches. */
async function seed(store, count) {
  const accountId = uuid();
  const others = Array.from({ length: 1000 }, uuid);
  const now = Date.now();
  for (let done = 0; done < count; done += 5000) {
    const rows = Array.from({ length: Math.min(5000, count - done) }, (_, j) => {
      const i = done + j;
      const due = i % 20 === 0;
      return makeMessage({
        accountId,
        phoneId: others[i % others.length],
        owner: `+1800556${String(i % 1000).padStart(4, '0')}`,
        contact: `+1202${String(i).padStart(7, '0')}`,
        status: due ? 'pending' : 'delivered',
        dueAt: due ? now - 60_000 : null,
        createdAt: now - 86_400_000,
        updatedAt: now - 86_400_000,
        orderTimestamp: now - 86_400_000,
        requestReceivedAt: now - 86_400_000,
      });
    });
    await store.insertMessages(rows);
  }
}

/** Reaches `ids` and does nothing: the figures are the gateway's and the store's cost. */
function noopTransport(ids) {
  const set = new Set(ids);
  const reach = { phoneIds: ids, has: (phone) => set.has(phone.id) };
  return {
    name: 'noop',
    handed: 0,
    async start() {},
    async stop() {},
    reach: () => reach,
    async notify(_phone, messages) {
      this.handed += messages.length;
      return handedOffAll(messages);
    },
    async requestHeartbeat() {},
  };
}

const seconds = (started) => Number(process.hrtime.bigint() - started) / 1e9;

/** Sends/s (single sends, CONCURRENCY at once), then dispatch hand-offs/s of what was queued. */
async function sendAndDispatch(store) {
  const transport = noopTransport([]);
  const gateway = createGateway({ store, logger: silentLogger, transports: [transport] });
  const { record: account } = await gateway.accounts.create();
  const numbers = [];
  const ids = [];
  for (let p = 0; p < PHONES; p++) {
    const phoneNumber = `+1202555${String(1000 + p).padStart(4, '0')}`;
    const phone = await gateway.phones.upsert(account.id, { phoneNumber, messagesPerMinute: 0 });
    numbers.push(phoneNumber);
    ids.push(phone.id);
  }
  Object.assign(transport, noopTransport(ids), { handed: 0 });
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < SENDS; i = next++) {
        const to = `+1312${String(i).padStart(7, '0')}`;
        await gateway.messages.send(account.id, { from: numbers[i % PHONES], to, content: 'hi' });
      }
    }),
  );
  const sends = SENDS / seconds(started);
  for (let done = SENDS; done < MESSAGES; done += 1000) {
    const to = Array.from(
      { length: Math.min(1000, MESSAGES - done) },
      (_, i) => `+1313${String(done + i).padStart(7, '0')}`,
    );
    await gateway.messages.sendBulk(account.id, {
      from: numbers[done % PHONES],
      to,
      content: 'hi',
    });
  }
  const dispatchStarted = process.hrtime.bigint();
  while ((await gateway.dispatcher.runOnce()) > 0) {
    // drain
  }
  const handoffs = transport.handed / seconds(dispatchStarted);
  if (transport.handed !== Math.max(SENDS, MESSAGES)) {
    throw new Error(`handed off ${transport.handed}, expected ${Math.max(SENDS, MESSAGES)}`);
  }
  return { sends, handoffs };
}

/** µs per claimed message, claiming MESSAGES due rows of 10 phones 500 at a time with `reach` ids. */
async function claimCost(store, reachCount, churn = false) {
  const phoneIds = Array.from({ length: PHONES }, uuid);
  let reach = [...phoneIds, ...Array.from({ length: reachCount - PHONES }, uuid)];
  const accountId = uuid();
  const now = Date.now();
  const rows = Array.from({ length: MESSAGES }, (_, i) =>
    makeMessage({ accountId, phoneId: phoneIds[i % PHONES], status: 'pending', dueAt: now - 1 }),
  );
  for (let i = 0; i < rows.length; i += 1000) await store.insertMessages(rows.slice(i, i + 1000));
  // A node claims with the same list round after round: a first claim (nothing due yet at
  // `now - 60_001`) hands it over, as the node's earlier rounds did.
  await store.claimDue({
    now: now - 60_001,
    phoneIds: reach,
    limit: 500,
    leaseMs: 1,
    claimer: 'scale',
  });
  const started = process.hrtime.bigint();
  let claimed = 0;
  for (;;) {
    // With churn, one link closes and another opens before every claim.
    if (churn) reach = [...reach.slice(0, -1), uuid()];
    const got = await store.claimDue({
      now,
      phoneIds: reach,
      limit: 500,
      leaseMs: 600_000,
      claimer: 'scale',
    });
    if (got.length === 0) break;
    claimed += got.length;
  }
  if (claimed !== MESSAGES) throw new Error(`claimed ${claimed}, expected ${MESSAGES}`);
  return (seconds(started) * 1e6) / claimed;
}

async function measure(name, open) {
  const out = {};
  for (const size of [SMALL, LARGE]) {
    const db = await open();
    try {
      const seeded = process.hrtime.bigint();
      await seed(db.store, size);
      await db.analyze();
      console.log(`${name}: ${size} rows stored in ${seconds(seeded).toFixed(1)} s`);
      out[size] = await sendAndDispatch(db.store);
      if (size === SMALL) {
        // Alternated and repeated: the machine's load drifts; the medians are compared.
        const few = [];
        const many = [];
        for (let run = 0; run < CLAIM_RUNS; run++) {
          few.push(await claimCost(db.store, PHONES));
          many.push(await claimCost(db.store, MANY_PHONES));
        }
        out.claim10 = median(few);
        out.claimMany = median(many);
        out.claimChurn = await claimCost(db.store, MANY_PHONES, true);
      }
    } finally {
      await db.destroy();
    }
  }
  const small = out[SMALL];
  const large = out[LARGE];
  const line = (what, a, b, unit) =>
    `  ${what}: ${Math.round(a)} ${unit} with ${SMALL} rows, ${Math.round(b)} with ${LARGE} (${(b / a).toFixed(2)}×)`;
  console.log(`${name}:`);
  console.log(line('dispatch', small.handoffs, large.handoffs, 'hand-offs/s'));
  console.log(line('send', small.sends, large.sends, 'sends/s'));
  console.log(
    `  claim: ${out.claim10.toFixed(1)} µs per message with ${PHONES} reachable phones, ` +
      `${out.claimMany.toFixed(1)} with ${MANY_PHONES} (${(out.claimMany / out.claim10).toFixed(2)}×), ` +
      `${out.claimChurn.toFixed(1)} with ${MANY_PHONES} and one link changing before every claim`,
  );
  return [
    figure(
      `${name}: dispatch, ${LARGE} rows / ${SMALL} rows`,
      'ratio',
      [large.handoffs / small.handoffs],
      {
        op: '>=',
        value: 0.85,
      },
    ),
    figure(`${name}: send, ${LARGE} rows / ${SMALL} rows`, 'ratio', [large.sends / small.sends], {
      op: '>=',
      value: 0.85,
    }),
    figure(
      `${name}: claim cost, ${MANY_PHONES} phones / ${PHONES}`,
      'ratio',
      [out.claimMany / out.claim10],
      {
        op: '<=',
        value: 1.15,
      },
    ),
    figure(`${name}: dispatch with ${LARGE} rows stored`, 'hand-offs/s', [large.handoffs]),
    figure(`${name}: sends with ${LARGE} rows stored`, 'sends/s', [large.sends]),
  ];
}

const results = [];
if (ONLY === undefined || ONLY === 'sqlite') results.push(...(await measure('SQLite', sqlite)));
if ((ONLY === undefined || ONLY === 'postgres') && PG_URL) {
  results.push(...(await measure('Postgres', postgres)));
} else if (ONLY === 'postgres') {
  console.log('Postgres skipped: set TEXTPORT_BENCH_DATABASE_URL or TEXTPORT_TEST_DATABASE_URL');
}
report('scale', 'npm run bench:scale', { SMALL, LARGE, MESSAGES, SENDS, CONCURRENCY }, results);
