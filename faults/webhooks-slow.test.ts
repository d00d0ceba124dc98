/**
 * One tenant's webhook receiver is slow on purpose: it answers with headers and then
 * trickles its body a byte every few seconds, never finishing. Another tenant's
 * receiver answers at once. Both get a steady stream of events. The other tenant's
 * events must keep flowing (p99 lag from event to arrival at most 2 s), and the slow
 * tenant's events are attempted, time out at the attempt deadline, are retried, and
 * all arrive once its receiver behaves.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway, type Principal, silentLogger } from '@textport/core';
import { createKnexStore } from '@textport/store-knex';
import knexFactory from 'knex';
import { afterAll, describe, expect, it } from 'vitest';
import { size, sleep, waitFor } from './support.js';

const EVENTS = size('FAULT_WEBHOOK_SLOW_EVENTS', 150);
const INTERVAL_MS = size('FAULT_WEBHOOK_SLOW_INTERVAL_MS', 20);
const TRICKLE_MS = 2_000;
const DEADLINE_MS = 3_000;

interface Arrival {
  messageId: string;
  at: number;
}

/** A receiver that either trickles (never finishing) or answers 200 at once. */
async function receiver(trickle: boolean) {
  let slow = trickle;
  const arrivals: Arrival[] = [];
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        data: { message_id: string };
      };
      arrivals.push({ messageId: body.data.message_id, at: Date.now() });
      if (!slow) {
        res.writeHead(200).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.flushHeaders();
      open.add(res);
      const timer = setInterval(() => res.write('.'), TRICKLE_MS);
      res.on('close', () => {
        clearInterval(timer);
        open.delete(res);
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    arrivals,
    behave() {
      slow = false;
      for (const res of open) res.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

describe('a webhook receiver that trickles its answer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'textport-faults-webhooks-slow-'));
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanups.reverse()) await step().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it(`delays only its own tenant (${EVENTS} events each)`, async () => {
    const slow = await receiver(true);
    const fast = await receiver(false);
    cleanups.push(slow.close, fast.close);
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: join(dir, 'textport.sqlite') },
      useNullAsDefault: true,
    });
    const store = createKnexStore(knex);
    await store.migrate();
    const gateway = createGateway({
      store,
      logger: silentLogger,
      webhooks: {
        timeoutMs: DEADLINE_MS,
        pollIntervalMs: 50,
        retry: { minDelayMs: 200, maxDelayMs: 1_000, multiplier: 2, jitter: 0.2 },
      },
    });
    await gateway.start();
    cleanups.push(async () => {
      await gateway.stop();
      await knex.destroy();
    });

    const tenants = await Promise.all(
      [
        { url: slow.url, owner: '+18005550101' },
        { url: fast.url, owner: '+18005550102' },
      ].map(async ({ url, owner }) => {
        const { record: account } = await gateway.accounts.create();
        await gateway.phones.upsert(account.id, { phoneNumber: owner });
        await gateway.webhooks.create(account.id, {
          url,
          events: ['message.phone.received'],
          phoneNumbers: [owner],
        });
        const phone: Principal = {
          accountId: account.id,
          kind: 'phone',
          keyId: null,
          phoneNumbers: [owner],
        };
        return { account, owner, phone, createdAt: new Map<string, number>() };
      }),
    );
    const [a, b] = tenants as [(typeof tenants)[0], (typeof tenants)[0]];

    // A steady stream for both tenants.
    for (let i = 0; i < EVENTS; i++) {
      for (const t of [a, b]) {
        const before = Date.now();
        const message = await gateway.phoneApi.receive(t.phone, {
          from: `+1201555${String(1000 + i).padStart(4, '0')}`,
          to: t.owner,
          content: `event ${i}`,
        });
        t.createdAt.set(message.id, before);
      }
      await sleep(INTERVAL_MS);
    }

    await waitFor(
      'every event of the prompt tenant delivered',
      async () => (fast.arrivals.length >= EVENTS ? true : undefined),
      30_000,
      50,
    );
    const lags = fast.arrivals.map((x) => x.at - (b.createdAt.get(x.messageId) ?? x.at));
    const p99 = percentile(lags, 99);
    const slowRows = await store.listOutbox({
      accountId: a.account.id,
      skip: 0,
      limit: EVENTS + 1,
    });
    const retried = slowRows.filter((row) => row.attempts >= 1).length;
    console.log(
      `webhooks-slow: ${EVENTS} events each; prompt tenant lag p50 ${percentile(lags, 50)} ms, ` +
        `p99 ${p99} ms, max ${Math.max(...lags)} ms; slow tenant: ${slow.arrivals.length} attempts ` +
        `reached its receiver, ${retried} rows attempted at least once`,
    );
    expect(new Set(fast.arrivals.map((x) => x.messageId))).toEqual(new Set(b.createdAt.keys()));
    expect(p99).toBeLessThanOrEqual(2_000);

    // The slow tenant's events were attempted, timed out and are retried, none lost.
    expect(slowRows).toHaveLength(EVENTS);
    expect(slowRows.every((row) => row.status === 'pending')).toBe(true);
    expect(slow.arrivals.length).toBeGreaterThan(0);
    expect(slowRows.some((row) => row.lastError?.includes('TIMEOUT'))).toBe(true);
    // Attempted rows are scheduled again after the backoff (they wait behind the older
    // first attempts, eight at a time, so a second attempt may not have come yet).
    for (const row of slowRows.filter((r) => r.attempts >= 1)) {
      expect(row.lastError).toContain('TIMEOUT');
      expect(row.nextAttemptAt).toBeGreaterThan(row.createdAt);
    }

    // Once its receiver behaves, every one of them arrives.
    slow.behave();
    await waitFor(
      'every event of the slow tenant delivered',
      async () => {
        const rows = await store.listOutbox({
          accountId: a.account.id,
          skip: 0,
          limit: EVENTS + 1,
        });
        return rows.every((row) => row.status === 'delivered') ? rows : undefined;
      },
      60_000,
      200,
    );
    expect(new Set(slow.arrivals.map((x) => x.messageId))).toEqual(new Set(a.createdAt.keys()));
  }, 110_000);
});
