/**
 * Two sends (and two incoming messages) for a contact with no thread yet, at the
 * same moment on Postgres or MySQL/MariaDB: both transactions look for the thread, find none and
 * insert it; the unique (owner, contact) index refuses one. The loser runs again
 * and joins the winner's thread, so both are accepted. SQLite and the memory
 * store run one writer at a time and never race here.
 */
import { createGateway, type Gateway, silentLogger } from '@textport/core';
import knexFactory from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import { createKnexStore } from '../src/index.js';
import { type MysqlDatabase, type PgDatabase, SERVERS } from './helpers.js';

const open: (PgDatabase | MysqlDatabase)[] = [];
const pools: { destroy(): Promise<void> }[] = [];
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.destroy();
  for (const db of open.splice(0)) await db.destroy();
});

async function twoNodes(server: (typeof SERVERS)[number]): Promise<Gateway[]> {
  const db = await server.open();
  open.push(db);
  const other = knexFactory(db.config);
  pools.push(other);
  const store = createKnexStore(db.knex);
  await store.migrate();
  return [store, createKnexStore(other)].map((s) =>
    createGateway({ store: s, logger: silentLogger }),
  );
}

describe.each(SERVERS)('$name', (server) => {
  describe.skipIf(server.skip !== false)(
    `new threads under concurrency${server.skip ? ` (skipped: ${server.skip})` : ''}`,
    () => {
      it('accepts every send to a new contact made at once, in one thread per contact', async () => {
        const [a, b] = await twoNodes(server);
        if (!a || !b) throw new Error('two nodes expected');
        const { record: account } = await a.accounts.create();
        const from = '+18005550199';
        await a.phones.upsert(account.id, { phoneNumber: from });
        for (let round = 0; round < 5; round += 1) {
          const to = `+1800555${String(1000 + round)}`;
          const sent = await Promise.all(
            Array.from({ length: 6 }, (_, i) =>
              (i % 2 ? a : b).messages.send(account.id, { from, to, content: `m${i}` }),
            ),
          );
          expect(new Set(sent.map((m) => m.id)).size).toBe(6);
          const threads = await a.threads.list(account.id, { owner: from });
          expect(threads.filter((t) => t.contact === to)).toHaveLength(1);
        }
      });

      it('stores every incoming message from a new contact received at once', async () => {
        const [a, b] = await twoNodes(server);
        if (!a || !b) throw new Error('two nodes expected');
        const { record: account } = await a.accounts.create();
        const to = '+18005550199';
        await a.phones.upsert(account.id, { phoneNumber: to });
        const principal = {
          accountId: account.id,
          kind: 'host' as const,
          keyId: null,
          phoneNumbers: null,
        };
        const received = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            (i % 2 ? a : b).phoneApi.receive(principal, {
              from: '+18005552000',
              to,
              content: `in ${i}`,
            }),
          ),
        );
        expect(received).toHaveLength(6);
        const threads = await a.threads.list(account.id, { owner: to });
        expect(threads.filter((t) => t.contact === '+18005552000')).toHaveLength(1);
      });
    },
  );
});
