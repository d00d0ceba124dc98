/**
 * Several OS processes dispatching from one Postgres schema, or one MySQL/MariaDB
 * database: every message is handed off exactly once, also when a process is
 * killed while it holds leases. The workers (`fixtures/dispatch-worker.mjs`) run
 * the built package, so the package is built first.
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGateway, type PhoneRecord, silentLogger } from '@textport/core';
import { makeMessage } from '@textport/core/testing';
import type { Knex } from 'knex';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKnexStore } from '../src/index.js';
import {
  DATABASE_URL,
  MYSQL_SKIP,
  type MysqlDatabase,
  mysqlDatabase,
  PG_SKIP,
  type PgDatabase,
  pgDatabase,
  rows,
  type TestDatabase,
} from './helpers.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const WORKER = fileURLToPath(new URL('./fixtures/dispatch-worker.mjs', import.meta.url));
const LEASE_MS = 2000;
const BATCH = 50;
/** The test counts hand-offs; it does not need each commit flushed to disk. */
const ASYNC_COMMIT: Knex.PoolConfig = {
  afterCreate: (
    connection: { query(sql: string, done: (error: unknown) => void): void },
    done: (error: unknown, connection: unknown) => void,
  ) => connection.query('SET synchronous_commit = off', (error) => done(error, connection)),
};

interface Engine {
  name: string;
  skip: string | false;
  /** Messages of the first test (the second has two fifths): MySQL syncs every commit. */
  messages: number;
  open(): Promise<TestDatabase>;
  /** Where a worker process connects. */
  target(db: TestDatabase): { client: string; databaseUrl: string | undefined; schema?: string };
}

const ENGINES: Engine[] = [
  {
    name: 'Postgres',
    skip: PG_SKIP,
    messages: 10_000,
    open: () => pgDatabase(ASYNC_COMMIT),
    target: (db) => ({
      client: 'pg',
      databaseUrl: DATABASE_URL,
      schema: (db as PgDatabase).schema,
    }),
  },
  {
    name: 'MySQL/MariaDB',
    skip: MYSQL_SKIP,
    messages: 2500,
    open: () => mysqlDatabase(),
    target: (db) => ({
      client: 'mysql2',
      databaseUrl: String((db as MysqlDatabase).config.connection),
    }),
  },
];

interface Worker {
  child: ChildProcess;
  log: string;
  exited: Promise<unknown>;
}

interface Log {
  claimed: string[];
  handedOff: string[];
  paused: boolean;
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function readLog(file: string): Log {
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
  const log: Log = { claimed: [], handedOff: [], paused: false };
  for (const line of lines) {
    if (line.startsWith('C ')) log.claimed.push(line.slice(2));
    else if (line.startsWith('H ')) log.handedOff.push(line.slice(2));
    else if (line === 'PAUSED') log.paused = true;
  }
  return log;
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A fresh schema with `count` pending messages, due now, spread over eight
 * unpaced phones. Each message has its own contact, so the workers never race to
 * create the same thread.
 */
async function seeded(engine: Engine, count: number): Promise<{ db: TestDatabase; ids: string[] }> {
  const db = await engine.open();
  cleanup.push(() => db.destroy());
  const store = createKnexStore(db.knex);
  await store.migrate();
  const gateway = createGateway({ store, logger: silentLogger });
  const { record: account } = await gateway.accounts.create();
  const phones: PhoneRecord[] = [];
  for (let i = 0; i < 8; i += 1) {
    const phoneNumber = `+1800555010${i}`;
    phones.push(await gateway.phones.upsert(account.id, { phoneNumber, messagesPerMinute: 0 }));
  }
  const now = Date.now();
  const messages = Array.from({ length: count }, (_, i) => {
    const phone = phones[i % phones.length] as PhoneRecord;
    return makeMessage({
      accountId: account.id,
      phoneId: phone.id,
      owner: phone.phoneNumber,
      contact: `+1202555${String(i).padStart(4, '0')}`,
      status: 'pending',
      dueAt: now,
      createdAt: now,
      updatedAt: now,
      orderTimestamp: now,
      requestReceivedAt: now,
      bulkIndex: i,
    });
  });
  for (let i = 0; i < messages.length; i += 1000) {
    await store.insertMessages(messages.slice(i, i + 1000));
  }
  return { db, ids: messages.map((m) => m.id) };
}

function startWorkers(
  engine: Engine,
  db: TestDatabase,
  count: number,
  pauseAfterClaims?: number,
): Worker[] {
  const dir = mkdtempSync(join(tmpdir(), 'textport-cluster-'));
  const workers = Array.from({ length: count }, (_, i) => {
    const log = join(dir, `node-${i}.log`);
    const config = {
      ...engine.target(db),
      log,
      nodeId: `node-${i}`,
      leaseMs: LEASE_MS,
      batchSize: BATCH,
      pauseAfterClaims: i === 0 ? pauseAfterClaims : undefined,
      // With a victim, every process works one round at a time: what the victim holds when
      // killed is its open round (a round taken ahead commits its hand-offs before its turn
      // comes; killed before the transport had them, a phone would get them by resuming,
      // which this counting transport does not do), and it wins its share of the claims.
      roundsAhead: pauseAfterClaims !== undefined ? 0 : undefined,
    };
    const child = fork(WORKER, [JSON.stringify(config)], {
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    return { child, log, exited };
  });
  cleanup.push(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    rmSync(dir, { recursive: true, force: true });
  });
  return workers;
}

async function stop(workers: readonly Worker[]): Promise<void> {
  for (const w of workers) if (w.child.exitCode === null && w.child.connected) w.child.send('stop');
  await Promise.all(workers.map((w) => w.exited));
}

/** How often each id was handed off, over every log. */
function handOffCounts(logs: readonly Log[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const log of logs) for (const id of log.handedOff) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

async function handedOffInDb(db: TestDatabase): Promise<number> {
  const [row] = await rows(
    db.knex,
    `SELECT count(*) AS n FROM textport_messages
     WHERE status = 'scheduled' AND send_attempt_count = 1 AND lease_owner IS NULL`,
  );
  return Number(row?.n);
}

describe.each(ENGINES)('$name', (engine) => {
  describe.skipIf(engine.skip !== false)(
    `three processes on one database${engine.skip ? ` (skipped: ${engine.skip})` : ''}`,
    () => {
      beforeAll(() => {
        execFileSync('npx', ['tsc', '--build', PACKAGE_DIR], { stdio: 'pipe' });
      }, 120_000);

      it(`hand off ${engine.messages} messages, each exactly once`, async () => {
        const { db, ids } = await seeded(engine, engine.messages);
        const workers = startWorkers(engine, db, 3);
        const total = () => workers.reduce((n, w) => n + readLog(w.log).handedOff.length, 0);
        await until(() => total() >= ids.length, 100_000, 'every hand-off');
        await stop(workers);

        const logs = workers.map((w) => readLog(w.log));
        const counts = handOffCounts(logs);
        expect([...counts.values()].filter((n) => n > 1)).toEqual([]);
        expect([...counts.keys()].sort()).toEqual([...ids].sort());
        expect(logs.map((log) => log.handedOff.length > 0)).toEqual([true, true, true]);
        expect(await handedOffInDb(db)).toBe(ids.length);
      }, 120_000);

      it('a killed process: its claimed messages go out through the others, none twice', async () => {
        const { db, ids } = await seeded(engine, (engine.messages * 2) / 5);
        // The victim pauses holding its claims (picked in its round's open transaction, or
        // leased) once it has claimed a share the three processes
        // reach surely (an eighth of the rows, at most six batches): it must not need luck to
        // win a third of a small run.
        const pauseAt = Math.min(6 * BATCH, Math.floor(ids.length / 8));
        const workers = startWorkers(engine, db, 3, pauseAt);
        const [victim, ...survivors] = workers as [Worker, ...Worker[]];
        await until(() => readLog(victim.log).paused, 30_000, 'the victim to hold its claims');
        victim.child.kill('SIGKILL');
        await victim.exited;

        const total = () => workers.reduce((n, w) => n + readLog(w.log).handedOff.length, 0);
        await until(() => total() >= ids.length, 100_000, 'every hand-off');
        await stop(survivors);

        const logs = workers.map((w) => readLog(w.log));
        const [killed] = logs as [Log];
        const counts = handOffCounts(logs);
        expect([...counts.values()].filter((n) => n > 1)).toEqual([]);
        expect([...counts.keys()].sort()).toEqual([...ids].sort());
        // What the killed process handed off before it died is not handed off again…
        expect(killed.handedOff.length).toBeGreaterThan(0);
        // …and what it held went out through the others once its claim ended (its
        // transaction with its connection, or a lease when it ran out).
        const stranded = killed.claimed.filter((id) => !killed.handedOff.includes(id));
        expect(stranded.length).toBeGreaterThan(0);
        const bySurvivors = new Set(logs.slice(1).flatMap((log) => log.handedOff));
        expect(stranded.filter((id) => !bySurvivors.has(id))).toEqual([]);
        expect(await handedOffInDb(db)).toBe(ids.length);
      }, 120_000);
    },
  );
});
