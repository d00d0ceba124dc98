/**
 * The SMSGate stores: the conformance suite on the memory store, on SQLite and on
 * Postgres (a database of this file's own, when TEXTPORT_TEST_DATABASE_URL is
 * set); then what only the SQL stores promise: the textport messages of a failed
 * accept are rolled back with it, their events come only after the commit, the
 * tables migrate once, and on Postgres two processes accepting one id at once
 * send once. MySQL/MariaDB runs the suite and the SQL cases when
 * TEXTPORT_TEST_MYSQL_URL is set.
 */

import {
  createMemoryStore,
  type GatewayEvent,
  type MessageRecord,
  type Store,
} from '@textport/core';
import { WAIT } from '@textport/core/testing';
import { createKnexStore } from '@textport/store-knex';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { knexStore } from '../src/store/knex.js';
import { memoryStore } from '../src/store/memory.js';
import { CONTACTS, gatewayOn, makeGroup, OWNER } from './conformance/context.js';
import {
  countMessages,
  MYSQL_SKIP,
  mysqlHarness,
  PG_SKIP,
  type PgTestDatabase,
  pgHarness,
  pgTestDatabase,
  rows,
  type SqlHarness,
  sqliteHarness,
} from './sql-databases.js';
import { runSmsGateStoreConformance } from './store-conformance.js';

runSmsGateStoreConformance('memory', async () => ({
  store: memoryStore(),
  coreStore: createMemoryStore(),
  transactional: false,
  close: async () => {},
}));

runSmsGateStoreConformance('sqlite', sqliteHarness);

let database: PgTestDatabase | undefined;
const pg = async (): Promise<SqlHarness> => {
  database ??= await pgTestDatabase();
  return pgHarness(database);
};
afterAll(async () => {
  await database?.drop();
});

runSmsGateStoreConformance('postgres', pg, { skip: PG_SKIP });

runSmsGateStoreConformance('mysql', mysqlHarness, { skip: MYSQL_SKIP });

/** An account with a phone, and a gateway on the harness's textport store. */
async function setup(h: SqlHarness) {
  const gateway = gatewayOn(h.coreStore);
  const { record } = await gateway.accounts.create();
  await gateway.phones.upsert(record.id, { phoneNumber: OWNER, messagesPerMinute: 0 });
  const send =
    (to: readonly string[] = CONTACTS.slice(0, 2)) =>
    (store: Store | undefined) =>
      gateway.messages.sendBulk(record.id, { from: OWNER, to, content: 'hello 👋' }, { store });
  return { gateway, accountId: record.id, send };
}

function sqlCases(name: string, open: () => Promise<SqlHarness>, skip: string | false) {
  describe.skipIf(skip !== false)(
    `${name} SMSGate store${skip ? ` (skipped: ${skip})` : ''}`,
    () => {
      let h: SqlHarness;
      beforeAll(async () => {
        h = await open();
      });
      afterAll(async () => {
        await h?.close();
      });

      it('rolls the textport messages back when writing the group fails after the send', async () => {
        const { accountId, send } = await setup(h);
        let queued: MessageRecord[] = [];
        const accepting = h.store.acceptGroup(makeGroup(accountId), async (store) => {
          queued = await send()(store);
          // A message id twice: the group's message rows collide after the send.
          return [...queued, ...queued.slice(0, 1)];
        });
        await expect(accepting).rejects.toThrow();
        expect(queued).toHaveLength(2);
        expect(await countMessages(h.knex, accountId)).toBe(0);
        expect(await h.store.listGroups({ accountId, skip: 0, limit: 10 })).toEqual({
          groups: [],
          total: 0,
        });
        const [left] = await rows(
          h.knex,
          'select count(*) as n from smsgate_group_messages where account_id = ?',
          [accountId],
        );
        expect(Number(left?.n)).toBe(0);
      });

      it('emits the events of the messages only for a committed group', async () => {
        const { gateway, accountId, send } = await setup(h);
        const sent: string[] = [];
        gateway.on('message.api.sent', (e: GatewayEvent<'message.api.sent'>) => {
          sent.push(e.data.message_id);
        });
        const failed: MessageRecord[] = [];
        await expect(
          h.store.acceptGroup(makeGroup(accountId), async (store) => {
            failed.push(...(await send()(store)));
            throw new Error('refused after the send');
          }),
        ).rejects.toThrow('refused after the send');
        const kept = await h.store.acceptGroup(makeGroup(accountId), send([CONTACTS[2]]));
        const keptId = kept.messages[0]?.id;
        await vi.waitFor(() => expect(sent).toContain(keptId), WAIT);
        expect(failed).toHaveLength(2);
        expect(sent).toEqual([keptId]);
      });

      it('reads back numbers as numbers and flags as booleans', async () => {
        const { accountId, send } = await setup(h);
        const group = makeGroup(accountId, {
          simNumber: 3,
          priority: -128,
          withDeliveryReport: false,
          validUntil: 8_640_000_000_000_000,
          scheduleAt: 0,
          createdAt: Number.MAX_SAFE_INTEGER,
        });
        await h.store.acceptGroup(group, send());
        const read = await h.store.getGroup(accountId, group.id);
        expect(read).toMatchObject({
          simNumber: 3,
          priority: -128,
          withDeliveryReport: false,
          validUntil: 8_640_000_000_000_000,
          scheduleAt: 0,
          createdAt: Number.MAX_SAFE_INTEGER,
        });
        const { total } = await h.store.listGroups({ accountId, skip: 0, limit: 1 });
        expect(total).toBe(1);
        expect(typeof total).toBe('number');
      });

      it('migrates once and keeps its own migrations table', async () => {
        await h.store.migrate();
        const done = await rows(h.knex, 'select name from textport_smsgate_migrations');
        expect(done.map((r) => r.name)).toEqual(['0001_initial', '0002_events']);
      });
    },
  );
}

/** A promise and the function that resolves it. */
function latch(): { done: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { done, open };
}

describe('knexStore configuration', () => {
  it('refuses a Knex of another client, a bad prefix and a store that cannot bind', async () => {
    // A Knex of the mssql client, as far as the store looks.
    const mssql = { client: { driverName: 'tedious', dialect: 'mssql' } } as unknown as Knex;
    const sqlite = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    try {
      const core = createKnexStore(sqlite);
      expect(() => knexStore(mssql, core)).toThrow(/"better-sqlite3", "pg" or "mysql2"/);
      expect(() => knexStore(sqlite, core, { tablePrefix: '1bad-prefix' })).toThrow(/tablePrefix/);
      expect(() => knexStore(sqlite, createMemoryStore() as never)).toThrow(/bind/);
    } finally {
      await sqlite.destroy();
    }
  });

  it('keeps stores of two prefixes apart on one database', async () => {
    const h = await sqliteHarness();
    try {
      const other = knexStore(h.knex, h.coreStore, { tablePrefix: 'gate2_' });
      await other.migrate();
      await h.store.putSettings('acct', { messages: { limit_value: 1 } });
      expect(await other.getSettings('acct')).toEqual({});
      await other.putSettings('acct', { messages: { limit_value: 2 } });
      expect(await h.store.getSettings('acct')).toEqual({ messages: { limit_value: 1 } });
      const done = await rows(h.knex, 'select name from textport_gate2_migrations');
      expect(done.map((r) => r.name)).toEqual(['0001_initial', '0002_events']);
    } finally {
      await h.close();
    }
  });
});

sqlCases('SQLite', sqliteHarness, false);
sqlCases('Postgres', pg, PG_SKIP);
sqlCases('MySQL/MariaDB', mysqlHarness, MYSQL_SKIP);

describe.skipIf(PG_SKIP !== false)(
  `two Postgres processes accepting one id${PG_SKIP ? ` (skipped: ${PG_SKIP})` : ''}`,
  () => {
    let h: SqlHarness;
    const others: Knex[] = [];
    beforeAll(async () => {
      h = await pg();
    });
    afterAll(async () => {
      for (const knex of others) await knex.destroy();
      await h?.close();
    });

    /** The SMSGate store of a second process: its own Knex pool on the same schema. */
    async function secondProcess() {
      const knex = knexFactory(h.config);
      others.push(knex);
      return knexStore(knex, createKnexStore(knex));
    }

    async function waitingOnLock(): Promise<void> {
      await vi.waitFor(async () => {
        const [row] = await rows(
          h.knex,
          "select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
        );
        expect(Number(row?.n)).toBeGreaterThan(0);
      }, WAIT);
    }

    it('the second waits for the first: one sends, the other gets GroupExistsError', async () => {
      const { accountId, send } = await setup(h);
      const other = await secondProcess();
      const { done: gate, open: release } = latch();
      const { done: inside, open: entered } = latch();
      const group = makeGroup(accountId, { id: 'raced' });
      const first = h.store.acceptGroup(group, async (store) => {
        entered();
        await gate;
        return send([CONTACTS[0]])(store);
      });
      await inside;
      let secondSent = false;
      const second = other.acceptGroup(group, async (store) => {
        secondSent = true;
        return send([CONTACTS[1], CONTACTS[2]])(store);
      });
      await waitingOnLock();
      release();
      const won = await first;
      await expect(second).rejects.toMatchObject({ name: 'GroupExistsError', id: 'raced' });
      expect(secondSent).toBe(false);
      expect(await countMessages(h.knex, accountId)).toBe(1);
      expect((await h.store.getGroup(accountId, 'raced'))?.messageIds).toEqual(
        won.group.messageIds,
      );
    });

    it('when the first fails, the waiting second goes on and sends', async () => {
      const { accountId, send } = await setup(h);
      const other = await secondProcess();
      const { done: gate, open: release } = latch();
      const { done: inside, open: entered } = latch();
      const group = makeGroup(accountId, { id: 'retried' });
      const first = h.store.acceptGroup(group, async (store) => {
        await send([CONTACTS[0]])(store);
        entered();
        await gate;
        throw new Error('the first one fails');
      });
      await inside;
      const second = other.acceptGroup(group, send([CONTACTS[1], CONTACTS[2]]));
      await waitingOnLock();
      release();
      await expect(first).rejects.toThrow('the first one fails');
      const won = await second;
      expect(won.messages.map((m) => m.contact)).toEqual([CONTACTS[1], CONTACTS[2]]);
      expect(await countMessages(h.knex, accountId)).toBe(2);
    });

    it('many ids accepted twice at once: each sends once, with the messages of the winner only', async () => {
      const { accountId, send } = await setup(h);
      const other = await secondProcess();
      // The threads exist first: textport's store does not serialise two transactions
      // that create one new thread (a unique violation, whatever the group).
      await send([...CONTACTS])(undefined);
      const before = await countMessages(h.knex, accountId);
      const ids = Array.from({ length: 12 }, (_, i) => `burst-${i}`);
      const outcomes = await Promise.all(
        ids.map(async (id) => {
          const [a, b] = await Promise.allSettled([
            h.store.acceptGroup(makeGroup(accountId, { id }), send([CONTACTS[0]])),
            other.acceptGroup(makeGroup(accountId, { id }), send([CONTACTS[1], CONTACTS[2]])),
          ]);
          return [a, b] as const;
        }),
      );
      let expected = before;
      for (const [a, b] of outcomes) {
        const winners = [a, b].filter((o) => o.status === 'fulfilled');
        expect(winners).toHaveLength(1);
        const loser = [a, b].find((o) => o.status === 'rejected') as PromiseRejectedResult;
        expect(loser.reason).toMatchObject({ name: 'GroupExistsError' });
        expected += (winners[0] as PromiseFulfilledResult<{ messages: unknown[] }>).value.messages
          .length;
      }
      expect(await countMessages(h.knex, accountId)).toBe(expected);
      const { total } = await h.store.listGroups({ accountId, skip: 0, limit: 100 });
      expect(total).toBe(ids.length);
    });
  },
);
