/**
 * Retention purges on Postgres never wait on a row another transaction holds: a
 * node in the middle of changing a message (its row locked `FOR UPDATE`) is
 * skipped, the other old rows go, and the held row is judged again by the next
 * purge, after the change committed.
 */
import { makeMessage, makeOutbox } from '@textport/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKnexStore, type KnexStore } from '../src/index.js';
import { PG_SKIP, type PgDatabase, pgDatabase, rows } from './helpers.js';

const CUTOFF = Date.UTC(2000, 0, 1);
const OLD = CUTOFF - 1;
/** Far longer than a purge of a few rows takes: reaching it means the purge waited on the lock. */
const BLOCKED_AFTER_MS = 10_000;

const blocked = () =>
  new Promise<'blocked'>((resolve) => {
    setTimeout(() => resolve('blocked'), BLOCKED_AFTER_MS).unref();
  });

describe.skipIf(PG_SKIP !== false)(
  `retention purges on Postgres${PG_SKIP ? ` (skipped: ${PG_SKIP})` : ''}`,
  () => {
    let db: PgDatabase;
    let store: KnexStore;

    beforeAll(async () => {
      db = await pgDatabase();
      store = createKnexStore(db.knex);
      await store.migrate();
    });
    afterAll(() => db?.destroy());

    it('skips a message another transaction holds, and judges it again once released', {
      timeout: 30_000,
    }, async () => {
      const accountId = 'acc-held';
      const [held, ...free] = Array.from({ length: 3 }, () =>
        makeMessage({ accountId, status: 'sent', updatedAt: OLD }),
      );
      await store.insertMessages([held!, ...free]);

      const trx = await db.knex.transaction();
      try {
        await trx.raw('SELECT id FROM textport_messages WHERE id = ? FOR UPDATE', [held!.id]);
        const removed = await Promise.race([store.purgeMessages(CUTOFF, 10), blocked()]);
        expect(removed).toBe(2);
        // The holder records a delivery report: the message is new again.
        await trx.raw(
          "UPDATE textport_messages SET status = 'delivered', updated_at = ? WHERE id = ?",
          [CUTOFF + 1, held!.id],
        );
        await trx.commit();
      } catch (error) {
        await trx.rollback();
        throw error;
      }
      expect(await store.purgeMessages(CUTOFF, 10)).toBe(0);
      const left = await rows(db.knex, 'SELECT id, status FROM textport_messages');
      expect(left).toEqual([{ id: held!.id, status: 'delivered' }]);
    });

    it('skips an outbox row a delivery holds', { timeout: 30_000 }, async () => {
      const accountId = 'acc-outbox';
      const [held, free] = [0, 1].map(() =>
        makeOutbox({ accountId, status: 'delivered', updatedAt: OLD }),
      );
      await store.insertOutbox([held!, free!]);
      const trx = await db.knex.transaction();
      try {
        await trx.raw('SELECT id FROM textport_outbox WHERE id = ? FOR UPDATE', [held!.id]);
        expect(await Promise.race([store.purgeOutbox(CUTOFF, 10), blocked()])).toBe(1);
        await trx.commit();
      } catch (error) {
        await trx.rollback();
        throw error;
      }
      expect(await store.purgeOutbox(CUTOFF, 10)).toBe(1);
      expect(await rows(db.knex, 'SELECT id FROM textport_outbox')).toEqual([]);
    });
  },
);
