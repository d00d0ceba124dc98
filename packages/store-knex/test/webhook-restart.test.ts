/**
 * Webhook deliveries survive a killed process: a gateway queues deliveries to a
 * receiver that is down and is SIGKILLed; a new gateway on the same database
 * delivers every one of them once the receiver is up, with the original event ids.
 */
import { execFileSync, fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createGateway, silentLogger } from '@textport/core';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createKnexStore } from '../src/index.js';
import {
  MYSQL_SKIP,
  mysqlDatabase,
  PG_SKIP,
  pgDatabase,
  sqliteDatabase,
  type TestDatabase,
} from './helpers.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const CHILD = fileURLToPath(new URL('./fixtures/webhook-child.mjs', import.meta.url));
const COUNT = 20;

async function receiver() {
  let up = false;
  const attempts: { eventId: string; bodyId: string; status: number }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = up ? 200 : 503;
      const bodyId = String(JSON.parse(Buffer.concat(chunks).toString('utf8')).id);
      attempts.push({ eventId: String(req.headers['webhook-id']), bodyId, status });
      res.writeHead(status).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    attempts,
    bringUp: () => {
      up = true;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function killedThenRestarted(db: TestDatabase, config: Knex.Config) {
  const hook = await receiver();
  const child = fork(CHILD, [JSON.stringify({ db: config, hookUrl: hook.url, count: COUNT })], {
    stdio: 'ignore',
    // Plain node on the built package, without the test runner's loader flags.
    execArgv: [],
  });
  const [ready] = (await once(child, 'message')) as [{ accountId: string }];
  await vi.waitFor(() => expect(hook.attempts.length).toBeGreaterThan(0), { timeout: 10_000 });
  child.kill('SIGKILL');
  await once(child, 'exit');
  const failedBeforeKill = hook.attempts.length;

  hook.bringUp();
  const store = createKnexStore(db.knex);
  const gateway = createGateway({ store, logger: silentLogger });
  await gateway.start();
  try {
    const pending = await store.listOutbox({ accountId: ready.accountId, skip: 0, limit: 100 });
    expect(pending).toHaveLength(COUNT);
    const eventIds = new Set(pending.map((row) => row.eventId));
    await vi.waitFor(
      async () => {
        const rows = await store.listOutbox({ accountId: ready.accountId, skip: 0, limit: 100 });
        expect(rows.every((row) => row.status === 'delivered')).toBe(true);
      },
      { timeout: 20_000, interval: 100 },
    );
    const delivered = hook.attempts.filter((a) => a.status === 200);
    expect(new Set(delivered.map((a) => a.eventId))).toEqual(eventIds);
    expect(delivered).toHaveLength(COUNT);
    expect(hook.attempts.every((a) => a.eventId === a.bodyId)).toBe(true);
    expect(failedBeforeKill).toBeGreaterThan(0);
  } finally {
    await gateway.stop();
    await hook.close();
  }
}

beforeAll(() => {
  execFileSync('npx', ['tsc', '--build', PACKAGE_DIR], { stdio: 'pipe' });
}, 120_000);

describe('webhook deliveries after a killed process', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanups) await step();
  });

  it('SQLite: every pending delivery arrives after restart, with its event id', async () => {
    const db = sqliteDatabase();
    cleanups.push(() => db.destroy());
    await killedThenRestarted(db, {
      client: 'better-sqlite3',
      connection: { filename: db.file },
      useNullAsDefault: true,
    });
  }, 60_000);

  it.skipIf(PG_SKIP !== false)(
    `PostgreSQL${PG_SKIP ? ` (skipped: ${PG_SKIP})` : ''}: every pending delivery arrives after restart`,
    async () => {
      const db = await pgDatabase();
      cleanups.push(() => db.destroy());
      await killedThenRestarted(db, db.config);
    },
    60_000,
  );

  it.skipIf(MYSQL_SKIP !== false)(
    `MySQL/MariaDB${MYSQL_SKIP ? ` (skipped: ${MYSQL_SKIP})` : ''}: every pending delivery arrives after restart`,
    async () => {
      const db = await mysqlDatabase();
      cleanups.push(() => db.destroy());
      await killedThenRestarted(db, db.config);
    },
    60_000,
  );
});
