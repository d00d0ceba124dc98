/**
 * Phone-key bindings under concurrency on Postgres and MySQL/MariaDB: numbers registered at the
 * same moment on one phone key (a dual-SIM app logging both SIMs in, several
 * phones sharing a key, each on another gateway node) all end up bound to it.
 * SQLite and the memory store run one writer at a time; the database servers run
 * these transactions side by side.
 */
import { createGateway, silentLogger } from '@textport/core';
import knexFactory from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import { createKnexStore } from '../src/index.js';
import { type MysqlDatabase, type PgDatabase, SERVERS } from './helpers.js';

const open: (PgDatabase | MysqlDatabase)[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.destroy();
});

describe.each(SERVERS)('$name', (server) => {
  describe.skipIf(server.skip !== false)(
    `phone-key bindings${server.skip ? ` (skipped: ${server.skip})` : ''}`,
    () => {
      it('binds every number registered at once on one key, from two nodes', async () => {
        const db = await server.open();
        open.push(db);
        const other = knexFactory(db.config);
        try {
          const store = createKnexStore(db.knex);
          await store.migrate();
          const nodes = [store, createKnexStore(other)].map((s) =>
            createGateway({ store: s, logger: silentLogger }),
          );
          const [first] = nodes;
          if (!first) throw new Error('two nodes expected');
          const { record: account } = await first.accounts.create();
          const { apiKey } = await first.accounts.createPhoneKey(account.id, { name: 'shared' });
          // Three rounds of eight numbers registered at once, spread over the two nodes.
          for (let round = 0; round < 3; round += 1) {
            const principal = await first.accounts.authenticate(apiKey);
            if (!principal) throw new Error('the phone key is unknown');
            await Promise.all(
              Array.from({ length: 8 }, (_, i) =>
                nodes[i % 2]?.phoneApi.updateFcmToken(principal, {
                  phoneNumber: `+18005551${round}${i}0`,
                  fcmToken: null,
                }),
              ),
            );
          }
          const bound = (await first.accounts.authenticate(apiKey))?.phoneNumbers ?? [];
          expect(bound).toHaveLength(24);
          const phones = await first.phones.list(account.id, { limit: 100 });
          expect(phones).toHaveLength(24);
          expect([...bound].sort()).toEqual(phones.map((p) => p.phoneNumber).sort());
        } finally {
          await other.destroy();
        }
      });
    },
  );
});
