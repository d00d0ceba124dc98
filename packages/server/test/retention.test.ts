/**
 * Retention in the server: its settings from the environment, and `textport retention run`
 * against a SQLite file (what it prints and which rows it leaves).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeHeartbeat, makeMessage, makeOutbox } from '@textport/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { runAdmin, UsageError } from '../src/admin.js';
import { ConfigError, readConfig, retentionPolicyOf } from '../src/config.js';
import { openDatabase } from '../src/database.js';

const dir = mkdtempSync(join(tmpdir(), 'textport-retention-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;

async function retentionRun(env: NodeJS.ProcessEnv): Promise<string[]> {
  const lines: string[] = [];
  await runAdmin('retention run', [], { env, out: (line) => lines.push(line), terminal: false });
  return lines;
}

describe('retention settings', () => {
  it('is on by default with the documented days', () => {
    expect(retentionPolicyOf(readConfig({}))).toEqual({
      messagesDays: 90,
      heartbeatsDays: 7,
      webhookOutboxDays: 14,
    });
  });

  it('takes days from the environment, 0 keeping rows, and turns off', () => {
    const config = readConfig({
      TEXTPORT_RETENTION_MESSAGES_DAYS: '365',
      TEXTPORT_RETENTION_HEARTBEATS_DAYS: '0',
      TEXTPORT_RETENTION_WEBHOOKS_DAYS: ' 30 ',
    });
    expect(retentionPolicyOf(config)).toEqual({
      messagesDays: 365,
      heartbeatsDays: 0,
      webhookOutboxDays: 30,
    });
    expect(retentionPolicyOf(readConfig({ TEXTPORT_RETENTION: 'off' }))).toBeUndefined();
  });

  it('names every bad retention variable', () => {
    const error = (() => {
      try {
        readConfig({
          TEXTPORT_RETENTION: 'maybe',
          TEXTPORT_RETENTION_MESSAGES_DAYS: '-1',
          TEXTPORT_RETENTION_WEBHOOKS_DAYS: '1.5',
        });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.split(':')[0])).toEqual([
      'TEXTPORT_RETENTION',
      'TEXTPORT_RETENTION_MESSAGES_DAYS',
      'TEXTPORT_RETENTION_WEBHOOKS_DAYS',
    ]);
  });
});

describe('textport retention run', () => {
  it('removes the old rows the settings name, prints counts, and keeps the rest', async () => {
    const env = { DATABASE_URL: `sqlite:${join(dir, 'run.sqlite')}` };
    const accountId = 'acc-retention';
    const now = Date.now();
    const old = now - 100 * DAY;
    const oldDelivered = makeMessage({ accountId, status: 'delivered', updatedAt: old });
    const oldPending = makeMessage({ accountId, status: 'pending', updatedAt: old, dueAt: old });
    const recent = makeMessage({ accountId, status: 'delivered', updatedAt: now });
    const oldOutbox = makeOutbox({ accountId, status: 'delivered', updatedAt: old });
    const pendingOutbox = makeOutbox({ accountId, status: 'pending', updatedAt: old });
    const db = await openDatabase(env.DATABASE_URL);
    try {
      await db.store.insertMessages([oldDelivered, oldPending, recent], {
        outbox: [oldOutbox, pendingOutbox],
      });
      await db.store.insertHeartbeats([
        makeHeartbeat({ accountId, timestamp: old }),
        makeHeartbeat({ accountId, timestamp: now - 8 * DAY }),
        makeHeartbeat({ accountId, timestamp: now }),
      ]);
    } finally {
      await db.close();
    }

    expect(await retentionRun({ ...env, TEXTPORT_RETENTION_HEARTBEATS_DAYS: '0' })).toEqual([
      'messages: 1 removed (older than 90 days)',
      'heartbeats: kept (TEXTPORT_RETENTION_HEARTBEATS_DAYS=0)',
      'webhook outbox: 1 removed (older than 14 days)',
      'idempotency records: 0 removed (expired)',
    ]);
    expect(await retentionRun(env)).toEqual([
      'messages: 0 removed (older than 90 days)',
      'heartbeats: 2 removed (older than 7 days)',
      'webhook outbox: 0 removed (older than 14 days)',
      'idempotency records: 0 removed (expired)',
    ]);

    const after = await openDatabase(env.DATABASE_URL);
    try {
      const ids = await after.knex('textport_messages').pluck('id');
      expect(ids.sort()).toEqual([oldPending.id, recent.id].sort());
      expect(await after.knex('textport_outbox').pluck('id')).toEqual([pendingOutbox.id]);
      expect(await after.knex('textport_heartbeats').count({ n: '*' })).toEqual([{ n: 1 }]);
    } finally {
      await after.close();
    }
  });

  it('refuses to run when retention is off', async () => {
    const env = { DATABASE_URL: `sqlite:${join(dir, 'off.sqlite')}`, TEXTPORT_RETENTION: 'off' };
    await expect(retentionRun(env)).rejects.toThrow(UsageError);
    await expect(retentionRun(env)).rejects.toThrow(/TEXTPORT_RETENTION=off/);
  });
});
