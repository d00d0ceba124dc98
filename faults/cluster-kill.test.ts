/**
 * A 3-node cluster on one database (PostgreSQL, and MariaDB/MySQL when
 * TEXTPORT_TEST_MYSQL_URL is set) with one node killed mid-run (SIGKILL, not
 * restarted): every message that got a 2xx is in the store and reaches a
 * terminal state — none lost; no attempt of a message is handed to a phone
 * twice (a hand-off is an ack the server answered with the message; repeated
 * pushes are logged, reported and bounded, see standalone-kill.test.ts); no row stays
 * claimed past its lease.
 *
 * Three built standalone servers share a fresh database (created for
 * the run, dropped after: the standalone takes no schema or table prefix).
 * Three WebSocket phones run in this process, each behind its own TCP relay (a
 * stand-in for a load balancer) that prefers a different node, so each node
 * holds one phone; the phone of the node that dies reconnects through its relay
 * to the next node. Sends go round-robin to every live node, from every phone.
 * The moment of the kill comes from a seeded PRNG (the seed is printed;
 * FAULT_SEED replays it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knex, { type Knex } from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import { StandaloneNode } from './crash/node.js';
import {
  expectPaced,
  gapsOf,
  PACED_MESSAGES,
  PACED_PER_MINUTE,
  PACED_PHONE,
} from './crash/pacing.js';
import { LoggingPhone } from './crash/phone.js';
import { Relay } from './crash/relay.js';
import { faultSeed, seededRandom } from './crash/seed.js';
import { registerPhone, Sender } from './crash/sender.js';
import { expectIntact, inspect, waitSettled } from './crash/verdict.js';
import {
  DATABASE_URL,
  freePort,
  MESSAGES,
  MYSQL_SKIP,
  MYSQL_URL,
  PG_SKIP,
  size,
  sleep,
  waitFor,
} from './support.js';

const PHONES = ['+18005550101', '+18005550102', '+18005550103'];
const IN_FLIGHT = 32;
const LEASE_MARGIN_MS = 5_000;

interface Engine {
  name: string;
  url: string | undefined;
  skip: string | false;
  client: 'pg' | 'mysql2';
  messages: number;
  create(name: string): string;
  drop(name: string): string;
}

/** MariaDB writes every commit to disk: a smaller run keeps CI within its time. */
const MYSQL_MESSAGES = Math.min(MESSAGES, size('FAULT_MYSQL_MESSAGES', 2_500));

const ENGINES: Engine[] = [
  {
    name: 'Postgres',
    url: DATABASE_URL,
    skip: PG_SKIP,
    client: 'pg',
    messages: MESSAGES,
    create: (name) => `CREATE DATABASE "${name}"`,
    drop: (name) => `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`,
  },
  {
    name: 'MariaDB',
    url: MYSQL_URL,
    skip: MYSQL_SKIP,
    client: 'mysql2',
    messages: MYSQL_MESSAGES,
    create: (name) => `CREATE DATABASE \`${name}\``,
    drop: (name) => `DROP DATABASE IF EXISTS \`${name}\``,
  },
];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The test database URL with another database name. */
function databaseUrl(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

for (const engine of ENGINES) {
  describe.skipIf(engine.skip !== false)(
    `3-node ${engine.name} cluster with a node killed${engine.skip ? ` (skipped: ${engine.skip})` : ''}`,
    () => {
      it(`loses no accepted message and hands no attempt off twice over ${engine.messages} messages`, async () => {
        const MESSAGES = engine.messages;
        const started = Date.now();
        const dir = mkdtempSync(join(tmpdir(), 'textport-fault-cluster-'));
        const database = `textport_fault_${globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
        const nodes: StandaloneNode[] = [];
        const phones: LoggingPhone[] = [];
        const relays: Relay[] = [];
        const admin = knex({
          client: engine.client,
          connection: engine.url,
          pool: { min: 0, max: 1 },
        });
        let db: Knex | undefined;
        cleanups.push(async () => {
          await Promise.all(phones.map((p) => p.close()));
          await Promise.all(relays.map((r) => r.close()));
          await Promise.all(nodes.map((n) => n.kill()));
          await db?.destroy();
          await admin.raw(engine.drop(database));
          await admin.destroy();
          rmSync(dir, { recursive: true, force: true });
        });
        const seed = faultSeed();
        const random = seededRandom(seed);
        // The kill lands somewhere between 20 % and 80 % of the run's progress
        // (0–0.5: sends posted; 0.5–1: accepted messages handed off).
        const killAt = 0.2 + 0.6 * random();
        console.log(
          `cluster-kill (${engine.name}): seed ${seed} (FAULT_SEED=${seed} replays it); kill at progress ${killAt.toFixed(3)}; ${MESSAGES} messages; database ${database}`,
        );

        await admin.raw(engine.create(database));
        const url = databaseUrl(engine.url ?? '', database);
        for (const name of ['a', 'b', 'c']) {
          nodes.push(
            new StandaloneNode({ name, port: await freePort(), databaseUrl: url, cwd: dir }),
          );
        }
        const [a, b, c] = nodes as [StandaloneNode, StandaloneNode, StandaloneNode];
        // The first start migrates the empty database; the others find it ready.
        await a.startAndWait();
        await Promise.all([b.startAndWait(), c.startAndWait()]);

        // Pacing off: the API takes 1–60 messages per minute only (httpSMS's range);
        // 0, "no pacing", is a store value the standalone has no setting for.
        for (const number of PHONES) await registerPhone(a.url, number);
        await registerPhone(a.url, PACED_PHONE, PACED_PER_MINUTE);
        db = knex({ client: engine.client, connection: url, pool: { min: 0, max: 2 } });
        await db('textport_phones')
          .whereIn('phone_number', PHONES)
          .update({ messages_per_minute: 0 });

        // Phone i prefers node i, then the next ones.
        for (const [i, number] of PHONES.entries()) {
          const order = [0, 1, 2].map((k) => nodes[(i + k) % 3]?.port ?? 0);
          const relay = new Relay(() => order);
          relays.push(relay);
          await relay.listen();
          phones.push(new LoggingPhone(number, `ws://127.0.0.1:${relay.port}/v1/phones/ws`));
        }
        // A paced phone among the unpaced ones, on the node that dies (then the next ones).
        const pacedRelay = new Relay(() => nodes.map((n) => n.port));
        relays.push(pacedRelay);
        await pacedRelay.listen();
        const paced = new LoggingPhone(
          PACED_PHONE,
          `ws://127.0.0.1:${pacedRelay.port}/v1/phones/ws`,
        );
        await Promise.all([...phones, paced].map((p) => p.connect()));
        phones.push(paced);

        const sender = new Sender({ total: MESSAGES, concurrency: IN_FLIGHT, nodes, from: PHONES });
        const sending = sender.run();
        const taken = new Set<string>();
        const pacedSender = new Sender({
          total: PACED_MESSAGES,
          concurrency: 1,
          nodes,
          from: [PACED_PHONE],
        });
        let pacedSending: Promise<void> = Promise.resolve();
        const progress = () => {
          for (const p of phones) if (p !== paced) for (const h of p.handoffs) taken.add(h.id);
          if (!sender.done) return 0.5 * (sender.posted / MESSAGES);
          return 0.5 + 0.5 * Math.min(1, taken.size / Math.max(1, sender.accepted.size));
        };

        try {
          let killedAt = Number.NaN;
          while (progress() < killAt) await sleep(20);
          killedAt = progress();
          // The paced phone's messages are queued now, and the kill lands between its hand-offs.
          pacedSending = pacedSender.run();
          await waitFor('the paced phone handed 3 messages', () =>
            paced.handoffs.length >= 3 ? true : undefined,
          );
          // Node a holds the first phone's socket: it must move to node b.
          await a.killForGood();
          const killedMs = Date.now();
          await sending;
          await pacedSending;
          await waitSettled(db, 600_000);
          const verdict = await inspect(db, [sender, pacedSender], phones, LEASE_MARGIN_MS);
          const relayed = relays.map((r) =>
            Object.fromEntries(
              [...r.links].map(([port, n]) => [nodes.find((x) => x.port === port)?.name, n]),
            ),
          );
          console.log(
            `cluster-kill (${engine.name}):`,
            JSON.stringify(
              {
                seed,
                killedAtProgress: Number(killedAt.toFixed(3)),
                phoneConnections: phones.map((p) => p.sessions),
                phoneLinksByNode: relayed,
                ...verdict.report,
                pacedHandoffGapsMs: gapsOf(paced.handoffs),
                secondsToKill: Math.round((killedMs - started) / 1000),
                secondsAfterKill: Math.round((Date.now() - killedMs) / 1000),
              },
              null,
              2,
            ),
          );
          for (const node of nodes) expect(node.unexpectedExits).toEqual([]);
          // The first phone was served by node a, then by another node.
          expect(relayed[0]?.a).toBeGreaterThan(0);
          expect((relayed[0]?.b ?? 0) + (relayed[0]?.c ?? 0)).toBeGreaterThan(0);
          expectIntact(verdict);
          expectPaced(paced.handoffs, pacedSender.accepted.size);
        } catch (error) {
          console.log(
            `cluster-kill failed with seed ${seed}; server output:\n${nodes.map((n) => n.tail(40)).join('\n')}`,
          );
          throw error;
        }
      });
    },
  );
}
