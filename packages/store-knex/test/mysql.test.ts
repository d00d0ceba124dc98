/**
 * MySQL/MariaDB specifics: capabilities, the schema's character set and
 * collation, host transactions, errors. Claims from separate pools run in the
 * conformance suite (`crossProcess`), processes in `cluster.test.ts`.
 */

import { GatewayError } from '@textport/core';
import { makeAccount, makeMessage } from '@textport/core/testing';
import knexFactory from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import { MysqlEngine } from '../src/engine/mysql.js';
import { createKnexStore } from '../src/index.js';
import { SqlKit } from '../src/sql/kit.js';
import { MYSQL_SKIP, type MysqlDatabase, mysqlDatabase, rawReader, rows } from './helpers.js';
import { eventsAfterHostCommit, idempotentBoundSend } from './host-transaction.js';
import { handOffOnce, outboxWithStateChange, sendInHostTransaction } from './shared.js';

const open: MysqlDatabase[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.destroy();
});

async function setup() {
  const db = await mysqlDatabase();
  open.push(db);
  const store = createKnexStore(db.knex);
  await store.migrate();
  return { db, knex: db.knex, store, raw: rawReader(db.knex) };
}

describe.skipIf(MYSQL_SKIP !== false)(
  `MySQL/MariaDB store${MYSQL_SKIP ? ` (skipped: ${MYSQL_SKIP})` : ''}`,
  () => {
    it('reports skip-locked claims and several processes, without listen/notify', async () => {
      const { store } = await setup();
      expect(store.dialect).toBe('mysql');
      expect(store.capabilities).toEqual({
        skipLocked: true,
        listenNotify: false,
        multiProcess: true,
      });
      expect(await store.ping()).toEqual({ pendingMigrations: [] });
    });

    it('lists every shipped migration as pending until migrate() ran', async () => {
      const db = await mysqlDatabase();
      open.push(db);
      const store = createKnexStore(db.knex);
      expect((await store.ping()).pendingMigrations).toHaveLength(8);
      await store.migrate();
      expect(await store.ping()).toEqual({ pendingMigrations: [] });
    });

    it('migrates once, every table utf8mb4 with a binary collation that does not pad', async () => {
      const { db, knex, store } = await setup();
      await store.migrate();
      const tables = await rows(
        knex,
        'SELECT table_name AS name, table_collation AS collation FROM information_schema.tables WHERE table_schema = ? ORDER BY 1',
        [db.database],
      );
      const storeTables = tables.filter((t) => String(t.name) !== 'textport_migrations_lock');
      expect(storeTables.map((t) => t.name)).toContain('textport_messages');
      expect(storeTables.map((t) => t.name)).toContain('textport_migrations');
      for (const t of storeTables.filter((t) => String(t.name) !== 'textport_migrations')) {
        expect(String(t.collation), String(t.name)).toMatch(/^utf8mb4_(nopad_bin|0900_bin)$/);
      }
    });

    it('keeps ids that differ in case or trailing spaces apart, ordered by their bytes', async () => {
      const { store } = await setup();
      const ids = ['a', 'a ', 'B', 'b'];
      for (const id of ids) await store.insertAccount(makeAccount({ id, createdAt: 1 }));
      expect((await store.getAccount('a'))?.id).toBe('a');
      expect((await store.getAccount('a '))?.id).toBe('a ');
      expect(await store.getAccount('A')).toBeNull();
      const listed = await store.listAccounts({ skip: 0, limit: 10 });
      expect(listed.map((a) => a.id)).toEqual(['B', 'a', 'a ', 'b']);
      await expect(store.insertAccount(makeAccount({ id: 'b' }))).rejects.toMatchObject({
        code: 'conflict',
      });
    });

    it("sends inside the host's transaction: a rollback leaves nothing, a commit keeps all", async () => {
      await sendInHostTransaction(await setup());
    });

    it('emits the events of a bound send only after the host commits, never after a rollback', async () => {
      await eventsAfterHostCommit(await setup());
    });

    it('completes an idempotent send inside the host transaction', async () => {
      await idempotentBoundSend(await setup());
    });

    it('writes webhook outbox rows with the state change', async () => {
      await outboxWithStateChange(await setup());
    });

    it('hands a sent message to the transport through the dispatcher', async () => {
      await handOffOnce(await setup());
    });

    it("undoes a bound operation that fails half-way, and the host's transaction goes on", async () => {
      const { knex, store, raw } = await setup();
      const account = makeAccount();
      await store.insertAccount(account);
      const key = {
        accountId: account.id,
        key: 'k',
        requestHash: 'h',
        messageIds: [],
        createdAt: 1,
      };
      await store.insertMessages([], { idempotency: key });
      const message = makeMessage({ accountId: account.id });
      await knex.transaction(async (trx) => {
        const bound = store.bind(trx);
        await bound.insertAccount(makeAccount({ id: 'host-write' }));
        // The messages go in first; the idempotency record then collides.
        await expect(bound.insertMessages([message], { idempotency: key })).rejects.toMatchObject({
          code: 'conflict',
        });
      });
      expect(await raw.message(message.id)).toBeNull();
      expect((await store.getAccount('host-write'))?.id).toBe('host-write');
    });

    it('runs a write again when the server picked it as a deadlock victim, and nothing else', async () => {
      const { knex, store } = await setup();
      const engine = new MysqlEngine(knex, new SqlKit('mysql', 'textport_'), () => store);
      const deadlock = () =>
        new GatewayError('store', 'database error: Deadlock found', {
          cause: Object.assign(new Error('Deadlock found'), { errno: 1213 }),
        });
      let runs = 0;
      const written = await engine.write(async (db) => {
        runs += 1;
        await db.run({ text: 'SELECT 1', params: [] });
        if (runs < 3) throw deadlock();
        return 'written';
      });
      expect({ written, runs }).toEqual({ written: 'written', runs: 3 });

      runs = 0;
      await expect(
        engine.write(async () => {
          runs += 1;
          throw new GatewayError('store', 'something else');
        }),
      ).rejects.toThrow('something else');
      expect(runs).toBe(1);

      runs = 0;
      await expect(
        engine.write(async () => {
          runs += 1;
          throw deadlock();
        }),
      ).rejects.toThrow('Deadlock found');
      expect(runs).toBe(5);
    });

    it('answers unavailable when the server cannot be reached', async () => {
      const knex = knexFactory({
        client: 'mysql2',
        connection: 'mysql://root@127.0.0.1:1/textport',
        pool: { min: 0, max: 1 },
        acquireConnectionTimeout: 5000,
        log: { warn() {}, error() {}, debug() {}, deprecate() {} },
      });
      try {
        await expect(createKnexStore(knex).getAccount('x')).rejects.toMatchObject({
          code: 'unavailable',
        });
      } finally {
        await knex.destroy();
      }
    });
  },
);
