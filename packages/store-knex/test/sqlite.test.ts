/** SQLite specifics: setup, pragmas, group commit, host transactions, the gateway on top. */
import { GatewayError } from '@textport/core';
import { makeMessage } from '@textport/core/testing';
import Database from 'better-sqlite3';
import type { Knex } from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import { createKnexStore, createMigrationSource } from '../src/index.js';
import { rawReader, rows, type SqliteDatabase, sqliteDatabase } from './helpers.js';
import { eventsAfterHostCommit, idempotentBoundSend } from './host-transaction.js';
import { handOffOnce, outboxWithStateChange, sendInHostTransaction } from './shared.js';

const open: SqliteDatabase[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.destroy();
});

async function setup(options: Parameters<typeof createKnexStore>[1] = {}) {
  const db = sqliteDatabase();
  open.push(db);
  const store = createKnexStore(db.knex, options);
  await store.migrate();
  return { db, knex: db.knex, store, raw: rawReader(db.knex, store.tablePrefix) };
}

async function pragma(knex: Knex, name: string): Promise<unknown> {
  const [row] = await rows(knex, `PRAGMA ${name}`);
  return row ? Object.values(row)[0] : undefined;
}

describe('SQLite store setup', () => {
  it('reports no skip-locked, no listen/notify and a single process', async () => {
    const { store } = await setup();
    expect(store.dialect).toBe('sqlite');
    expect(store.capabilities).toEqual({
      skipLocked: false,
      listenNotify: false,
      multiProcess: false,
    });
  });

  it('sets WAL, the busy timeout, foreign keys and synchronous FULL by default', async () => {
    const { knex, store } = await setup({ busyTimeoutMs: 1234 });
    await store.getAccount('nobody');
    expect(await pragma(knex, 'journal_mode')).toBe('wal');
    expect(await pragma(knex, 'busy_timeout')).toBe(1234);
    expect(await pragma(knex, 'foreign_keys')).toBe(1);
    expect(await pragma(knex, 'synchronous')).toBe(2);
  });

  it('takes synchronous NORMAL as an option', async () => {
    const { knex, store } = await setup({ synchronous: 'NORMAL' });
    await store.getAccount('nobody');
    expect(await pragma(knex, 'synchronous')).toBe(1);
  });

  it('migrates once, with its own migrations table, under the table prefix', async () => {
    const { knex, store } = await setup({ tablePrefix: 'sms_' });
    await store.migrate();
    const names = (
      await rows(knex, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
    ).map((r) => r.name);
    expect(names).toContain('sms_messages');
    expect(names).toContain('sms_migrations');
    expect(names).not.toContain('knex_migrations');
    expect(names.filter((n) => String(n).startsWith('textport_'))).toEqual([]);
    const applied = await rows(knex, 'SELECT name FROM sms_migrations');
    expect(applied.map((r) => r.name)).toEqual([
      '0001_initial',
      '0002_phone_key_numbers',
      '0003_heartbeat_radio',
      '0004_message_handoff',
      '0005_retention_indexes',
      '0006_phone_handoff',
      '0007_outbox_http_status',
      '0008_suppressions',
      '0009_user_notifications',
      '0010_outbox_subject',
      '0011_integrations',
      '0012_phone_caps',
      '0013_pools',
      '0014_message_validity',
      '0015_phone_recipients',
      '0016_claim_reach',
    ]);
  });

  it('0004 marks the planned hand-offs of the old encoding (due_at = scheduled_at)', async () => {
    const { knex, store } = await setup();
    const planned = makeMessage({ status: 'scheduled', scheduledAt: 5_000, dueAt: 5_000 });
    const handedOff = makeMessage({ status: 'scheduled', scheduledAt: 5_000, dueAt: 605_000 });
    const pending = makeMessage({ status: 'pending', scheduledAt: null, dueAt: 1_000 });
    await store.insertMessages([planned, handedOff, pending]);
    const config = { migrationSource: createMigrationSource(), tableName: 'textport_migrations' };
    // Back to before 0004, however many migrations came after it.
    const applied = async () =>
      (await rows(knex, 'SELECT name FROM textport_migrations')).map((r) => r.name);
    while ((await applied()).includes('0004_message_handoff')) await knex.migrate.down(config);
    await knex.migrate.latest(config);
    const marked = await rows(
      knex,
      'SELECT id FROM textport_messages WHERE awaiting_handoff = 1 ORDER BY id',
    );
    expect(marked.map((r) => r.id)).toEqual([planned.id]);
    expect((await store.getMessage(planned.accountId, planned.id))?.transportAttempts).toBe(0);
  });

  it('keeps two prefixes apart in one database', async () => {
    const { knex, store } = await setup();
    const other = createKnexStore(knex, { tablePrefix: 'other_' });
    await other.migrate();
    const message = makeMessage();
    await other.insertMessages([message]);
    expect(await other.getMessage(message.accountId, message.id)).toEqual(message);
    expect(await store.getMessage(message.accountId, message.id)).toBeNull();
  });

  it('rejects a bad prefix, a bad synchronous level and an unsupported client', () => {
    const knex = sqliteDatabase();
    open.push(knex);
    expect(() => createKnexStore(knex.knex, { tablePrefix: 'bad-prefix' })).toThrow(/tablePrefix/);
    expect(() => createKnexStore(knex.knex, { synchronous: 'OFF' as 'FULL' })).toThrow(
      /synchronous/,
    );
    const mssql = { client: { driverName: 'tedious' } } as unknown as Knex;
    expect(() => createKnexStore(mssql)).toThrow(GatewayError);
    expect(() => createKnexStore(mssql)).toThrow(/"better-sqlite3", "pg" or "mysql2"/);
  });
});

describe('SQLite group commit', () => {
  it('commits concurrent inserts together; each resolves once its row is committed', async () => {
    const { db, store } = await setup();
    const reader = new Database(db.file, { readonly: true });
    try {
      const batch = Array.from({ length: 200 }, () => makeMessage());
      const visible = await Promise.all(
        batch.map((m) =>
          store.insertMessages([m]).then(() => {
            // Another connection sees the row as soon as the promise resolves: committed.
            const row = reader
              .prepare('SELECT count(*) AS n FROM textport_messages WHERE id = ?')
              .get(m.id) as { n: number };
            return row.n;
          }),
        ),
      );
      expect(visible).toEqual(batch.map(() => 1));
      expect(store.groupCommits).toBeLessThanOrEqual(3);
    } finally {
      reader.close();
    }
  });

  it('a failing operation is rolled back alone; the rest of its group commits', async () => {
    const { store, raw } = await setup();
    const existing = makeMessage();
    await store.insertMessages([existing]);
    const before = store.groupCommits;
    const good = Array.from({ length: 20 }, () => makeMessage());
    const doomed = makeMessage({ accountId: existing.accountId });
    const results = await Promise.allSettled([
      ...good.slice(0, 10).map((m) => store.insertMessages([m])),
      store.insertMessages([doomed, existing]),
      ...good.slice(10).map((m) => store.insertMessages([m])),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      ...Array(10).fill('fulfilled'),
      'rejected',
      ...Array(10).fill('fulfilled'),
    ]);
    expect((results[10] as PromiseRejectedResult).reason).toMatchObject({ code: 'conflict' });
    expect(store.groupCommits - before).toBe(1);
    for (const m of good) expect(await raw.message(m.id)).not.toBeNull();
    expect(await raw.message(doomed.id)).toBeNull();
  });

  it('an idempotency conflict fails its caller only', async () => {
    const { store, raw } = await setup();
    const accountId = globalThis.crypto.randomUUID();
    const record = (key: string, hash: string, ids: string[]) => ({
      accountId,
      key,
      requestHash: hash,
      messageIds: ids,
      createdAt: Date.now(),
    });
    const a = makeMessage({ accountId });
    const b = makeMessage({ accountId });
    const c = makeMessage({ accountId });
    const results = await Promise.allSettled([
      store.insertMessages([a], { idempotency: record('k1', 'h1', [a.id]) }),
      store.insertMessages([b], { idempotency: record('k1', 'h2', [b.id]) }),
      store.insertMessages([c], { idempotency: record('k2', 'h3', [c.id]) }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await raw.countMessages(accountId)).toBe(2);
    expect(await raw.idempotency(accountId, 'k1')).toEqual({
      requestHash: 'h1',
      messageIds: [a.id],
    });
  });

  it('runs transactions of one group one after another, each kept or undone alone', async () => {
    const { store, raw } = await setup();
    const kept = makeMessage();
    const undone = makeMessage();
    const results = await Promise.allSettled([
      store.transaction(async (tx) => {
        await tx.insertMessages([kept]);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return tx.transition(kept.id, ['pending'], { status: 'canceled' });
      }),
      store.transaction(async (tx) => {
        await tx.insertMessages([undone]);
        throw new Error('undo');
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((await raw.message(kept.id))?.status).toBe('canceled');
    expect(await raw.message(undone.id)).toBeNull();
  });

  it('a long phone list kept for claims follows a rolled-back transaction', async () => {
    const { store } = await setup();
    const now = Date.now();
    const phones = Array.from({ length: 100 }, () => globalThis.crypto.randomUUID());
    const joined = globalThis.crypto.randomUUID();
    const rows = [phones[3]!, joined].map((phoneId) =>
      makeMessage({ phoneId, status: 'pending', dueAt: now - 10 }),
    );
    await store.insertMessages(rows);
    const claim = (on: Pick<typeof store, 'claimDue'>, phoneIds: string[]) =>
      on.claimDue({ now: now - 100, phoneIds, limit: 10, leaseMs: 1000, claimer: 'n' });
    const wider = [...phones, joined];
    expect(await claim(store, phones)).toEqual([]);
    // The wider list is written in a transaction that is undone, then claimed with again.
    const undone = store.transaction(async (tx) => {
      expect(await claim(tx, wider)).toEqual([]);
      throw new Error('undo');
    });
    await expect(undone).rejects.toThrow('undo');
    const claimed = await store.claimDue({
      now,
      phoneIds: wider,
      limit: 10,
      leaseMs: 1000,
      claimer: 'n',
    });
    expect(claimed.map((m) => m.id).sort()).toEqual(rows.map((m) => m.id).sort());
  });

  it('close() waits for queued operations', async () => {
    const { store, raw } = await setup();
    const message = makeMessage();
    const pending = store.insertMessages([message]);
    await store.close();
    expect(await raw.message(message.id)).not.toBeNull();
    await pending;
  });
});

describe('SQLite store under the gateway', () => {
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
});
