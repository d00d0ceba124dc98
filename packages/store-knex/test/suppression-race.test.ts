/**
 * Opt-outs at the same moment on Postgres or MySQL/MariaDB: several STOPs from one
 * contact received by two nodes at once, and direct adds from two connections, leave
 * one suppression row and tell `contact.opted_out` once; every receive is stored.
 * SQLite and the memory store run one writer at a time and never race here.
 */
import { createGateway, type Gateway, silentLogger } from '@textport/core';
import type { SuppressionRecord } from '@textport/core/store';
import knexFactory from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import { createKnexStore, type KnexStore } from '../src/index.js';
import { type MysqlDatabase, type PgDatabase, rawReader, SERVERS } from './helpers.js';

const open: (PgDatabase | MysqlDatabase)[] = [];
const pools: { destroy(): Promise<void> }[] = [];
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.destroy();
  for (const db of open.splice(0)) await db.destroy();
});

async function twoStores(server: (typeof SERVERS)[number]) {
  const db = await server.open();
  open.push(db);
  const other = knexFactory(db.config);
  pools.push(other);
  const store = createKnexStore(db.knex);
  await store.migrate();
  return { db, stores: [store, createKnexStore(other)] as [KnexStore, KnexStore] };
}

describe.each(SERVERS)('$name', (server) => {
  describe.skipIf(server.skip !== false)(
    `suppressions under concurrency${server.skip ? ` (skipped: ${server.skip})` : ''}`,
    () => {
      it('keeps one row when two connections add the same contact at once, in transactions', async () => {
        const { db, stores } = await twoStores(server);
        const accountId = crypto.randomUUID();
        const row = (i: number): SuppressionRecord => ({
          id: crypto.randomUUID(),
          accountId,
          owner: '',
          contact: '+18005550100',
          source: 'keyword',
          keyword: `STOP${i}`,
          createdAt: 1_000 + i,
        });
        const stored = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            (stores[i % 2] as KnexStore).transaction((tx) => tx.addSuppression(row(i))),
          ),
        );
        expect(new Set(stored.map((s) => s.id)).size).toBe(1);
        expect(await rawReader(db.knex).suppressions(accountId)).toEqual([
          { id: stored[0]?.id, owner: '', contact: '+18005550100' },
        ]);
      });

      it('stores every STOP received by two nodes at once and tells opted_out once', async () => {
        const { db, stores } = await twoStores(server);
        const gateways: Gateway[] = stores.map((store) =>
          createGateway({ store, logger: silentLogger }),
        );
        const [a, b] = gateways as [Gateway, Gateway];
        const { record: account } = await a.accounts.create();
        const to = '+18005550199';
        await a.phones.upsert(account.id, { phoneNumber: to });
        let optedOut = 0;
        for (const g of gateways) {
          g.on('contact.opted_out', () => {
            optedOut += 1;
          });
        }
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
              content: 'STOP',
            }),
          ),
        );
        expect(received).toHaveLength(6);
        expect(await rawReader(db.knex).suppressions(account.id)).toHaveLength(1);
        expect(optedOut).toBe(1);
        const sent = await b.messages.send(account.id, {
          from: to,
          to: '+18005552000',
          content: 'x',
        });
        expect(sent).toMatchObject({ status: 'failed', failureReason: 'OPTED_OUT' });
      });
    },
  );
});
