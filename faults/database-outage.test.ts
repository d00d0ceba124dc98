/**
 * The database goes away under a running standalone server (Postgres behind a TCP
 * relay that drops every connection and refuses new ones), for FAULT_OUTAGE_SECONDS,
 * then comes back. What must hold:
 * - every `/health/ready` probe started after the cut answers 503 (the store check
 *   gives up after READINESS_STORE_TIMEOUT_MS, so no probe hangs), while
 *   `/health/live` stays 200;
 * - a send during the outage is refused with 503 and `Retry-After` in the error
 *   envelope (never a 2xx for a message that was not stored);
 * - the log stays under 20 lines per minute of outage (errors that repeat are
 *   written once, then rate-limited);
 * - after the database returns, `/health/ready` is 200 again without a restart, and
 *   a message is sent and delivered by the virtual phone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knex, { type Knex } from 'knex';
import { afterAll, describe, expect, it } from 'vitest';
import { StandaloneNode, USER_KEY } from './crash/node.js';
import { Relay } from './crash/relay.js';
import { api } from './crash/sender.js';
import { DATABASE_URL, freePort, PG_SKIP, size, sleep, waitFor } from './support.js';

const OUTAGE_MS = size('FAULT_OUTAGE_SECONDS', 60) * 1000;
const VIRTUAL_PHONE = '+18005550199';
const CONTACT = '+18005550100';

const dir = mkdtempSync(join(tmpdir(), 'textport-fault-outage-'));
const database = `textport_outage_${globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
let admin: Knex | undefined;
let relay: Relay | undefined;
let node: StandaloneNode | undefined;

afterAll(async () => {
  await node?.stop();
  await relay?.close();
  if (admin) {
    await admin.raw(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.destroy();
  }
  rmSync(dir, { recursive: true, force: true });
});

async function probe(url: string): Promise<number> {
  const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  await response.arrayBuffer();
  return response.status;
}

async function sendAndDeliver(baseUrl: string, content: string): Promise<void> {
  const sent = await api<{ data: { id: string } }>(baseUrl, '/v1/messages/send', {
    method: 'POST',
    body: { from: VIRTUAL_PHONE, to: CONTACT, content },
  });
  await waitFor(
    `message ${sent.data.id} delivered`,
    async () => {
      const got = await api<{ data: { status: string } }>(baseUrl, `/v1/messages/${sent.data.id}`);
      return got.data.status === 'delivered' ? true : undefined;
    },
    60_000,
    100,
  );
}

describe.skipIf(PG_SKIP !== false)(
  `database outage under a running server${PG_SKIP ? ` (skipped: ${PG_SKIP})` : ''}`,
  () => {
    it(`fails readiness at once, logs little, and recovers after ${OUTAGE_MS / 1000} s`, async () => {
      admin = knex({ client: 'pg', connection: DATABASE_URL, pool: { min: 0, max: 1 } });
      await admin.raw(`CREATE DATABASE "${database}"`);
      const target = new URL(DATABASE_URL ?? '');
      const pgPort = Number(target.port || 5432);
      let down = false;
      relay = new Relay(() => (down ? [] : [pgPort]));
      await relay.listen();
      const through = new URL(target);
      through.hostname = '127.0.0.1';
      through.port = String(relay.port);
      through.pathname = `/${database}`;

      node = new StandaloneNode({
        name: 'outage',
        port: await freePort(),
        databaseUrl: through.toString(),
        cwd: dir,
        env: { LOG_LEVEL: 'info', LOG_FORMAT: 'json', TEXTPORT_DEMO_PHONE: VIRTUAL_PHONE },
      });
      await node.startAndWait();
      const ready = `${node.url}/health/ready`;
      await waitFor('ready before the outage', async () =>
        (await probe(ready)) === 200 ? true : undefined,
      );
      await sendAndDeliver(node.url, 'before the outage');

      down = true;
      relay.dropAll();
      const cut = Date.now();
      const printedAtCut = node.printed;
      const statuses: number[] = [];
      let slowest = 0;
      let sendDuringOutage:
        | { status: number; retryAfter: string | null; body: unknown }
        | undefined;
      while (Date.now() - cut < OUTAGE_MS) {
        const started = Date.now();
        statuses.push(await probe(ready));
        slowest = Math.max(slowest, Date.now() - started);
        if (!sendDuringOutage && Date.now() - cut > OUTAGE_MS / 2) {
          const response = await fetch(`${node.url}/v1/messages/send`, {
            method: 'POST',
            headers: { 'x-api-key': USER_KEY, 'content-type': 'application/json' },
            body: JSON.stringify({ from: VIRTUAL_PHONE, to: CONTACT, content: 'during' }),
            signal: AbortSignal.timeout(60_000),
          });
          sendDuringOutage = {
            status: response.status,
            retryAfter: response.headers.get('retry-after'),
            body: await response.json(),
          };
        }
        expect(await probe(`${node.url}/health/live`)).toBe(200);
        await sleep(250);
      }
      const outageMs = Date.now() - cut;
      const lines = node.printed - printedAtCut;
      const perMinute = (lines * 60_000) / outageMs;
      console.log(
        `database-outage: ${statuses.length} readiness probes in ${outageMs} ms, slowest ${slowest} ms; ` +
          `${lines} log lines (${perMinute.toFixed(1)} per minute)\n${node.tail(lines)}`,
      );

      expect(statuses.length).toBeGreaterThan(10);
      expect(statuses.filter((s) => s !== 503)).toEqual([]);
      expect(sendDuringOutage).toMatchObject({
        status: 503,
        retryAfter: '5',
        body: { status: 'error' },
      });
      expect(perMinute).toBeLessThan(20);

      down = false;
      await waitFor(
        'ready after the outage',
        async () => ((await probe(ready)) === 200 ? true : undefined),
        60_000,
        250,
      );
      await sendAndDeliver(node.url, 'after the outage');
      expect(node.unexpectedExits).toEqual([]);
      // The send refused during the outage left nothing behind.
      const db = knex({ client: 'pg', connection: through.toString(), pool: { min: 0, max: 1 } });
      try {
        const rows = await db('textport_messages').where({ content: 'during' }).count({ n: '*' });
        expect(Number(rows[0]?.n)).toBe(0);
      } finally {
        await db.destroy();
      }
    });
  },
);
