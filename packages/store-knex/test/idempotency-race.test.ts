/**
 * Idempotent sends racing on Postgres and on MySQL/MariaDB: two gateways, each on
 * a Knex pool of its own, on one fresh schema (or database). Every round, eight `POST /v1/messages/bulk-send`
 * calls with one `Idempotency-Key` and one body, and one with the same key and
 * another body, are released at once over both pools. The losers of the insert
 * take the unique-key conflict, re-read the winner's record and replay it (or
 * answer 409 for the other body). The memory store and SQLite run one writer at
 * a time and never take this path.
 */
import { createGateway, type Gateway, silentLogger } from '@textport/core';
import { createHttpApi, type HttpApi } from '@textport/http';
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKnexStore } from '../src/index.js';
import { type MysqlDatabase, type PgDatabase, quoted, rows, SERVERS } from './helpers.js';

const OWNER = '+18005550199';
const SAME = { from: OWNER, to: ['+18005550100', '+18005550101'], content: 'pay 10 USD' };
const OTHER = { ...SAME, content: 'pay 99 USD' };
const ROUNDS = 6;

interface Node {
  gateway: Gateway;
  api: HttpApi;
}

/** A gate every caller waits on, opened once all of them are queued behind it. */
function latch(): { gate: Promise<void>; open: () => void } {
  let open = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { gate, open };
}

describe.each(SERVERS)('$name', (server) => {
  describe.skipIf(server.skip !== false)(
    `Idempotency-Key under concurrency${server.skip ? ` (skipped: ${server.skip})` : ''}`,
    () => {
      let db: PgDatabase | MysqlDatabase;
      let second: { destroy(): Promise<void> };
      let nodes: Node[];
      let accountId: string;
      let userKey: string;

      beforeAll(async () => {
        db = await server.open();
        const other = knexFactory(db.config);
        second = other;
        const store = createKnexStore(db.knex);
        await store.migrate();
        nodes = [store, createKnexStore(other)].map((s) => {
          const gateway = createGateway({ store: s, logger: silentLogger });
          return { gateway, api: createHttpApi(gateway) };
        });
        const first = nodes[0] as Node;
        const created = await first.gateway.accounts.create({ email: 'race@example.com' });
        accountId = created.record.id;
        userKey = created.apiKey;
        await first.gateway.phones.upsert(accountId, { phoneNumber: OWNER });
      });

      afterAll(async () => {
        for (const node of nodes ?? []) await node.gateway.stop();
        await second?.destroy();
        await db?.destroy();
      });

      async function post(node: Node, key: string, body: unknown) {
        const response = await node.api.handle({
          method: 'POST',
          path: '/v1/messages/bulk-send',
          headers: {
            'content-type': 'application/json',
            'x-api-key': userKey,
            'idempotency-key': key,
          },
          body: Buffer.from(JSON.stringify(body)),
        });
        const text =
          response?.body === undefined ? '' : Buffer.from(response.body).toString('utf8');
        return {
          status: response?.status ?? 0,
          // biome-ignore lint/suspicious/noExplicitAny: test access to arbitrary JSON
          json: (text ? JSON.parse(text) : null) as any,
        };
      }

      const count = async (table: string, key?: string) => {
        const where = key === undefined ? 'account_id = ?' : 'account_id = ? AND idem_key = ?';
        const bindings = key === undefined ? [accountId] : [accountId, key];
        const [row] = await rows(
          db.knex,
          `SELECT count(*) AS n FROM ${quoted(db.knex, `textport_${table}`)} WHERE ${where}`,
          bindings,
        );
        return Number(row?.n);
      };

      it('creates one set of rows, replays it to every same-body caller and refuses the other body with 409', async () => {
        for (let round = 0; round < ROUNDS; round += 1) {
          const key = `race-${round}`;
          const before = await count('messages');
          const { gate, open } = latch();
          const bodies = [...Array.from({ length: 8 }, () => SAME), OTHER];
          const calls = bodies.map(async (body, i) => {
            await gate;
            return { body, ...(await post(nodes[i % 2] as Node, key, body)) };
          });
          open();
          const answers = await Promise.all(calls);

          const accepted = answers.filter((a) => a.status === 200);
          const refused = answers.filter((a) => a.status !== 200);
          expect(accepted.length).toBeGreaterThan(0);
          // Whichever body won the insert, every caller with it gets the same messages…
          const winner = accepted[0]?.body ?? SAME;
          expect(accepted.every((a) => a.body === winner)).toBe(true);
          const ids = accepted.map((a) => (a.json.data as { id: string }[]).map((m) => m.id));
          for (const list of ids) expect(list).toEqual(ids[0]);
          expect(new Set(ids[0]).size).toBe(2);
          // …and every caller with the other body is refused as a conflict.
          expect(refused.length).toBe(winner === SAME ? 1 : 8);
          for (const a of refused) {
            expect(a.body).not.toBe(winner);
            expect(a.status).toBe(409);
            expect(a.json.status).toBe('error');
            expect(a.json.message).toContain('Idempotency-Key');
          }

          // Ground truth: one batch of rows and one record for the key.
          expect((await count('messages')) - before).toBe(2);
          expect(await count('idempotency', key)).toBe(1);
          const stored = await rows(
            db.knex,
            `SELECT id, content FROM ${quoted(db.knex, 'textport_messages')} WHERE id IN (?, ?)`,
            ids[0] ?? [],
          );
          expect(stored.map((m) => m.content)).toEqual([winner.content, winner.content]);
        }
      });
    },
  );
});
