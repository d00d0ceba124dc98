/**
 * A webhook receiver that is down for a while. Events pile up while it refuses
 * connections, then answers 503 (half of them with Retry-After), then accepts
 * requests and never answers (the attempts time out), and the gateway is
 * restarted in the middle of it. Once the receiver is up, every event arrives,
 * and every attempt of an event carried the same id and the same body.
 *
 * The retry schedule is the product's, compressed from days to seconds through
 * the `webhooks.retry` options.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway, type Gateway, type Principal, silentLogger } from '@textport/core';
import { createKnexStore, type KnexStore } from '@textport/store-knex';
import knexFactory, { type Knex } from 'knex';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from './support.js';

const EVENTS = Number(process.env.FAULT_WEBHOOK_EVENTS ?? 1_000);
const OWNER = '+18005550199';

type Mode = 'refuse' | 'fail' | 'hang' | 'up';

interface Attempt {
  headerId: string;
  bodyId: string;
  body: string;
  status: number | 'hung';
}

/** A receiver on a fixed port whose behaviour the test switches. */
function receiver(port: number) {
  let mode: Mode = 'refuse';
  let server: Server | undefined;
  const attempts: Attempt[] = [];
  const hung = new Set<import('node:http').ServerResponse>();
  const listen = async () => {
    const next = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const attempt: Attempt = {
          headerId: String(req.headers['webhook-id']),
          bodyId: String((JSON.parse(body) as { id: unknown }).id),
          body,
          status: 'hung',
        };
        attempts.push(attempt);
        if (mode === 'hang') {
          hung.add(res);
          return;
        }
        attempt.status = mode === 'up' ? 200 : attempts.length % 2 === 0 ? 503 : 500;
        const headers = attempt.status === 503 ? { 'retry-after': '1' } : {};
        res.writeHead(attempt.status, headers).end();
      });
    });
    next.keepAliveTimeout = 60_000;
    next.listen(port, '127.0.0.1');
    await once(next, 'listening');
    server = next;
  };
  const unlisten = async () => {
    if (!server) return;
    const closing = server;
    server = undefined;
    closing.closeAllConnections();
    await new Promise<void>((resolve) => closing.close(() => resolve()));
  };
  return {
    attempts,
    async set(next: Mode) {
      mode = next;
      if (next === 'refuse') await unlisten();
      else if (!server) await listen();
      if (next !== 'hang') {
        for (const res of hung) res.destroy();
        hung.clear();
      }
    },
    close: unlisten,
  };
}

/** A free port for the receiver: bound once, then released. */
async function reservePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('a webhook receiver that is down for a while', () => {
  const dir = mkdtempSync(join(tmpdir(), 'textport-faults-webhooks-'));
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanups.reverse()) await step().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async (): Promise<{ knex: Knex; store: KnexStore; gateway: Gateway }> => {
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
        timeoutMs: 1_000,
        pollIntervalMs: 50,
        retry: { minDelayMs: 100, maxDelayMs: 1_000, multiplier: 2, jitter: 0.2 },
      },
    });
    await gateway.start();
    let closed = false;
    cleanups.push(async () => {
      if (closed) return;
      closed = true;
      await gateway.stop();
      await knex.destroy();
    });
    return { knex, store, gateway };
  };

  it(`delivers all ${EVENTS} events afterwards, each attempt with the event's id and body`, async () => {
    const port = await reservePort();
    const hook = receiver(port);
    cleanups.push(() => hook.close());

    let node = await open();
    const { record: account } = await node.gateway.accounts.create({ email: 'ops@example.com' });
    await node.gateway.phones.upsert(account.id, { phoneNumber: OWNER });
    await node.gateway.webhooks.create(account.id, {
      url: `http://127.0.0.1:${port}/hook`,
      signingKey: 'faults-signing-key',
      events: ['message.phone.received'],
      phoneNumbers: [OWNER],
    });
    const phone: Principal = {
      accountId: account.id,
      kind: 'phone',
      keyId: null,
      phoneNumbers: [OWNER],
    };

    // Down: connections refused while the events are produced.
    const received = new Set<string>();
    for (let i = 0; i < EVENTS; i++) {
      const message = await node.gateway.phoneApi.receive(phone, {
        from: `+1201555${String(1000 + (i % 9000)).padStart(4, '0')}`,
        to: OWNER,
        content: `inbound ${i} ✓ ünïcode`,
      });
      received.add(message.id);
    }
    // Each phase lasts until the gateway has been seen living through it (no fixed sleeps).
    const outbox = () =>
      node.store.listOutbox({ accountId: account.id, skip: 0, limit: EVENTS + 1 });
    await waitFor('attempts refused while the receiver is down', async () =>
      (await outbox()).some((row) => row.attempts > 0 && row.status === 'pending')
        ? true
        : undefined,
    );
    // Failing: 500 and 503 with Retry-After.
    await hook.set('fail');
    await waitFor('attempts answered 500 and 503', () =>
      hook.attempts.some((a) => a.status === 500) && hook.attempts.some((a) => a.status === 503)
        ? true
        : undefined,
    );
    // Hanging: requests arrive and are never answered; the gateway restarts meanwhile.
    await hook.set('hang');
    await waitFor('an attempt hanging', () =>
      hook.attempts.some((a) => a.status === 'hung') ? true : undefined,
    );
    await cleanups.pop()?.();
    const beforeRestart = hook.attempts.length;
    node = await open();
    await waitFor('the restarted gateway attempting', () =>
      hook.attempts.length > beforeRestart ? true : undefined,
    );
    await hook.set('up');

    const rows = await waitFor(
      'every outbox row delivered',
      async () => {
        const all = await node.store.listOutbox({
          accountId: account.id,
          skip: 0,
          limit: EVENTS + 1,
        });
        return all.length === EVENTS && all.every((row) => row.status === 'delivered')
          ? all
          : undefined;
      },
      180_000,
      200,
    );

    const eventIds = new Set(rows.map((row) => row.eventId));
    expect(eventIds.size).toBe(EVENTS);
    const failedBeforeUp = hook.attempts.filter((a) => a.status !== 200);
    const delivered = hook.attempts.filter((a) => a.status === 200);
    // Every event arrived with a 2xx, and nothing else arrived.
    expect(new Set(delivered.map((a) => a.bodyId))).toEqual(eventIds);
    expect(new Set(hook.attempts.map((a) => a.bodyId))).toEqual(eventIds);
    // One event per received message, naming it.
    const messageIds = new Set(
      delivered.map((a) =>
        String((JSON.parse(a.body) as { data: { message_id: string } }).data.message_id),
      ),
    );
    expect(messageIds).toEqual(received);
    // Stable ids: the header and the body agree, and every attempt of an event sent the same body.
    expect(hook.attempts.every((a) => a.headerId === a.bodyId)).toBe(true);
    const bodies = new Map<string, string>();
    for (const attempt of hook.attempts) {
      const first = bodies.get(attempt.bodyId) ?? attempt.body;
      bodies.set(attempt.bodyId, first);
      expect(attempt.body).toBe(first);
    }
    // The outage was real: attempts failed and timed out before the receiver came up.
    expect(failedBeforeUp.some((a) => a.status === 503)).toBe(true);
    expect(failedBeforeUp.some((a) => a.status === 'hung')).toBe(true);
    const twice = delivered.length - eventIds.size;
    console.log(
      `webhooks: ${EVENTS} events, ${hook.attempts.length} attempts reached the receiver ` +
        `(${failedBeforeUp.length} failed or hung), ${twice} delivered more than once`,
    );
  });
});
