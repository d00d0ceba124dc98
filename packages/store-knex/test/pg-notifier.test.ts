/** The Postgres LISTEN/NOTIFY notifier: delivery between instances, and reconnection. */
import { NOTIFIER_TOPICS, silentLogger } from '@textport/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createPgNotifier, type PgNotifier } from '../src/index.js';
import { PG_SKIP, type PgDatabase, pgDatabase, rows } from './helpers.js';

const open: { db: PgDatabase; notifiers: PgNotifier[] }[] = [];
afterEach(async () => {
  for (const { db, notifiers } of open.splice(0)) {
    for (const n of notifiers) await n.close();
    await db.destroy();
  }
});

async function setup(count: number) {
  const db = await pgDatabase();
  const channelPrefix = `${db.schema}_`;
  const notifiers = Array.from({ length: count }, () =>
    createPgNotifier(db.knex, { channelPrefix, logger: silentLogger, pingIntervalMs: 0 }),
  );
  open.push({ db, notifiers });
  return { db, channelPrefix, notifiers };
}

/** Resolves when `check()` is true; fails after `ms`. */
async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.skipIf(PG_SKIP !== false)(
  `Postgres notifier${PG_SKIP ? ` (skipped: ${PG_SKIP})` : ''}`,
  () => {
    it('delivers a publish to the subscribers of its topic only', async () => {
      const { notifiers } = await setup(2);
      const [a, b] = notifiers as [PgNotifier, PgNotifier];
      const heard: string[] = [];
      const stop = b.subscribe('due', () => heard.push('due'));
      b.subscribe('outbox', () => heard.push('outbox'));
      await b.ready();
      await a.publish('due');
      await eventually(() => heard.includes('due'));
      expect(heard).not.toContain('outbox');
      stop();
      await new Promise((resolve) => setTimeout(resolve, 50));
      heard.length = 0;
      await a.publish('due');
      await a.publish('outbox');
      await eventually(() => heard.includes('outbox'));
      expect(heard).toEqual(['outbox']);
    });

    it('carries every topic of the contract between instances (keys and transport too)', async () => {
      const { notifiers } = await setup(2);
      const [a, b] = notifiers as [PgNotifier, PgNotifier];
      const heard = new Set<string>();
      for (const topic of NOTIFIER_TOPICS) b.subscribe(topic, () => heard.add(topic));
      await b.ready();
      for (const topic of NOTIFIER_TOPICS) await a.publish(topic);
      await eventually(() => heard.size === NOTIFIER_TOPICS.length);
      expect([...heard].sort()).toEqual([...NOTIFIER_TOPICS].sort());
      expect(NOTIFIER_TOPICS).toContain('keys');
      expect(NOTIFIER_TOPICS).toContain('transport');
    });

    it('listens again after its connection is terminated', async () => {
      const { db, channelPrefix, notifiers } = await setup(2);
      const [publisher, listener] = notifiers as [PgNotifier, PgNotifier];
      let heard = 0;
      listener.subscribe('due', () => {
        heard += 1;
      });
      await listener.ready();
      const backends = await rows(
        db.knex,
        `SELECT pid FROM pg_stat_activity WHERE query = ? AND pid <> pg_backend_pid()`,
        [`LISTEN "${channelPrefix}due"`],
      );
      expect(backends).toHaveLength(1);
      const pid = Number(backends[0]?.pid);
      await db.knex.raw('SELECT pg_terminate_backend(?)', [pid]);
      // Wait until a fresh backend listens on the channel, then publish once.
      await eventually(async () => {
        const now = await rows(
          db.knex,
          `SELECT pid FROM pg_stat_activity WHERE query = ? AND pid <> ?`,
          [`LISTEN "${channelPrefix}due"`, pid],
        );
        return now.length === 1;
      });
      await listener.ready();
      heard = 0;
      await publisher.publish('due');
      await eventually(() => heard > 0);
      expect(heard).toBe(1);
    });
  },
);
