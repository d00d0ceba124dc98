/**
 * A receiver's `Retry-After` is capped at the retry policy's longest backoff before
 * it becomes the next attempt time: `1e16` seconds once overflowed Postgres' bigint,
 * the attempt went unrecorded and the event was re-posted every lease.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGateway, createMemoryStore, ManualClock, silentLogger } from '@textport/core';
import type { Store } from '@textport/core/store';
import { makeOutbox } from '@textport/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createKnexStore } from '../src/index.js';
import { PG_SKIP, pgDatabase, sqliteDatabase } from './helpers.js';

const MAX_DELAY_MS = 24 * 3_600_000;

async function receiver(retryAfter: string[]) {
  let posts = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const value = retryAfter[posts % retryAfter.length] ?? '1';
      posts += 1;
      res.writeHead(429, { 'retry-after': value }).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    posts: () => posts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function cappedOn(store: Store) {
  const values = ['1e16', '99999999999999999999', 'Fri, 31 Dec 9999 23:59:59 GMT'];
  const hook = await receiver(values);
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 12));
  const gateway = createGateway({ store, clock, logger: silentLogger });
  try {
    const { record: account } = await gateway.accounts.create();
    await gateway.phones.upsert(account.id, { phoneNumber: '+18005550199' });
    const webhook = await gateway.webhooks.create(account.id, {
      url: hook.url,
      events: ['message.phone.received'],
      phoneNumbers: ['+18005550199'],
    });
    const now = clock.now();
    const rows = values.map(() =>
      makeOutbox({
        accountId: account.id,
        webhookId: webhook.id,
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      }),
    );
    await store.insertOutbox(rows);
    expect(await gateway.webhookWorker.runOnce()).toBe(rows.length);
    expect(hook.posts()).toBe(rows.length);
    const after = await store.listOutbox({ accountId: account.id, skip: 0, limit: 10 });
    expect(after).toHaveLength(rows.length);
    for (const row of after) {
      expect(row).toMatchObject({ status: 'pending', attempts: 1, leaseOwner: null });
      expect(row.lastError).toContain('429');
      expect(row.nextAttemptAt).toBe(now + MAX_DELAY_MS);
    }
    // Nothing is due again before then: a second round posts nothing.
    expect(await gateway.webhookWorker.runOnce()).toBe(0);
    expect(hook.posts()).toBe(rows.length);
  } finally {
    await gateway.stop();
    await hook.close();
  }
}

describe('Retry-After beyond the longest backoff is capped', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanups) await step();
  });

  it('memory store', () => cappedOn(createMemoryStore()));

  it('SQLite', async () => {
    const db = sqliteDatabase();
    cleanups.push(() => db.destroy());
    const store = createKnexStore(db.knex);
    await store.migrate();
    await cappedOn(store);
  });

  it.skipIf(PG_SKIP !== false)(`PostgreSQL${PG_SKIP ? ` (skipped: ${PG_SKIP})` : ''}`, async () => {
    const db = await pgDatabase();
    cleanups.push(() => db.destroy());
    const store = createKnexStore(db.knex);
    await store.migrate();
    await cappedOn(store);
  });
});
