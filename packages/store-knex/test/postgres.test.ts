/**
 * Postgres specifics: capabilities, host transactions, prepared statements.
 * Claims from separate pools run in the conformance suite (`crossProcess`).
 */

import type { MessageRecord } from '@textport/core';
import { makeMessage } from '@textport/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createKnexStore } from '../src/index.js';
import { STALE_REACH_MS } from '../src/ops/claim-reach.js';
import { PG_SKIP, type PgDatabase, pgDatabase, rawReader } from './helpers.js';
import { eventsAfterHostCommit, idempotentBoundSend } from './host-transaction.js';
import { handOffOnce, outboxWithStateChange, sendInHostTransaction } from './shared.js';

const open: PgDatabase[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.destroy();
});

async function setup() {
  const db = await pgDatabase();
  open.push(db);
  const store = createKnexStore(db.knex);
  await store.migrate();
  return { db, knex: db.knex, store, raw: rawReader(db.knex) };
}

describe.skipIf(PG_SKIP !== false)(
  `Postgres store${PG_SKIP ? ` (skipped: ${PG_SKIP})` : ''}`,
  () => {
    it('reports skip-locked claims, listen/notify and several processes', async () => {
      const { store } = await setup();
      expect(store.dialect).toBe('postgres');
      expect(store.capabilities).toEqual({
        skipLocked: true,
        listenNotify: true,
        multiProcess: true,
      });
    });

    it('migrates once, in the schema of the search path', async () => {
      const { db, knex, store } = await setup();
      await store.migrate();
      const tables = await knex.raw(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1`,
        [db.schema],
      );
      const names = tables.rows.map((r: { table_name: string }) => r.table_name);
      expect(names).toContain('textport_messages');
      expect(names).toContain('textport_migrations');
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

    it('works without prepared statements (behind a transaction-mode pooler)', async () => {
      const { knex, raw } = await setup();
      const store = createKnexStore(knex, { preparedStatements: false });
      await handOffOnce({ knex, store, raw });
    });

    it('keeps a long phone list per claimer: written as it changes, stale lists and rows deleted, a restart replacing its own', async () => {
      const { db, knex, store } = await setup();
      const phones = (n: number) => Array.from({ length: n }, () => globalThis.crypto.randomUUID());
      const claim = (s: typeof store, claimer: string, phoneIds: string[], now: number) =>
        s.claimDue({ now, phoneIds, limit: 10, leaseMs: 1_000, claimer });
      const kept = async (key: string) =>
        (
          (await knex('textport_claim_reach').where('reach_key', key).select('phone_id')) as {
            phone_id: string;
          }[]
        )
          .map((r) => r.phone_id)
          .sort();
      const lists = async () =>
        ((await knex('textport_claim_reach_lists').select('reach_key')) as { reach_key: string }[])
          .map((r) => r.reach_key)
          .sort();
      const start = Date.now() - 2 * STALE_REACH_MS;
      const gone = phones(100);
      await claim(store, 'gone', gone, start);
      await claim(store, 'short', phones(32), start);
      const live = phones(100);
      await claim(store, 'live', live, start + 60_000);
      expect(await kept('gone')).toEqual([...gone].sort());
      expect(await kept('short')).toEqual([]);
      expect(await lists()).toEqual(['gone', 'live']);
      // A row of another generation (another writer's, unseen by a whole write) is never read.
      await knex('textport_claim_reach').insert({
        reach_key: 'live',
        gen: 'another-generation',
        phone_id: globalThis.crypto.randomUUID(),
      });
      // An hour and more later: the list that changes is written, the one nobody uses is deleted,
      // and so is the row of another generation.
      const changed = [...live.slice(1), ...phones(1)];
      await claim(store, 'live', changed, start + STALE_REACH_MS + 120_000);
      expect(await kept('live')).toEqual([...changed].sort());
      expect(await kept('gone')).toEqual([]);
      expect(await lists()).toEqual(['live']);
      // A restarted process (another store) writes its list whole, replacing the old rows.
      const restarted = createKnexStore(db.knex);
      const anew = phones(60);
      await claim(restarted, 'live', anew, start + STALE_REACH_MS + 180_000);
      expect(await kept('live')).toEqual([...anew].sort());
      expect(await lists()).toEqual(['live']);
    });

    it('a long-list claim takes the listed rows after those another transaction holds', async () => {
      const { store } = await setup();
      const uuid = () => globalThis.crypto.randomUUID();
      const phone = uuid();
      const list = [phone, ...Array.from({ length: 100 }, uuid)];
      const now = Date.now();
      const rows = Array.from({ length: 6 }, (_, n) =>
        makeMessage({ phoneId: phone, status: 'pending', dueAt: now - 1_000 + n }),
      );
      await store.insertMessages(rows);
      const ids = (got: readonly MessageRecord[]) => got.map((m) => m.id);
      await store.transaction(async (tx) => {
        const held = await tx.pickDue({ now, phoneIds: list, limit: 2, claimer: 'a' });
        expect(ids(held)).toEqual(ids(rows.slice(0, 2)));
        // The first listed rows are held: the claim goes on past them, in due order.
        const claim = { now, phoneIds: list, limit: 3, leaseMs: 60_000, claimer: 'b' };
        expect(ids(await store.claimDue(claim))).toEqual(ids(rows.slice(2, 5)));
        // Rows of its own transaction are not taken twice (expired leases nor free rows).
        expect(ids(await tx.pickDue({ now, phoneIds: list, limit: 4, claimer: 'a' }))).toEqual(
          ids([...rows.slice(0, 2), rows[5]!]),
        );
      });
    });

    it('a claim waiting on a list change another transaction rolls back claims with its own list', async () => {
      const { store } = await setup();
      const uuid = () => globalThis.crypto.randomUUID();
      const [a, b, c] = [uuid(), uuid(), uuid()];
      const now = Date.now();
      const rows = [a, b, c].map((phoneId, n) =>
        makeMessage({ phoneId, status: 'pending', dueAt: now - 1_000 + n }),
      );
      await store.insertMessages(rows);
      const others = Array.from({ length: 100 }, uuid);
      const withPhone = (p: string) => [...others, p];
      const query = { limit: 10, leaseMs: 60_000, claimer: 'node' };
      expect(await store.claimDue({ ...query, now: now - 5_000, phoneIds: withPhone(a) })).toEqual(
        [],
      );
      let waiting: Promise<MessageRecord[]> | undefined;
      await expect(
        store.transaction(async (tx) => {
          const picked = await tx.pickDue({
            now,
            phoneIds: withPhone(b),
            limit: 10,
            claimer: 'node',
          });
          expect(picked.map((m) => m.id)).toEqual([rows[1]!.id]);
          // The same claimer with a third list, while this transaction holds its change.
          waiting = store.claimDue({ ...query, now, phoneIds: withPhone(c) });
          await new Promise((resolve) => setTimeout(resolve, 200));
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect((await waiting!).map((m) => m.id)).toEqual([rows[2]!.id]);
      const again = await store.claimDue({ ...query, now, phoneIds: withPhone(a) });
      expect(again.map((m) => m.id)).toEqual([rows[0]!.id]);
    });
  },
);
