/**
 * Migration 0005: one index per retention cut-off, so each purge batch finds its
 * old rows without scanning the table: finished messages by `updated_at` (rows
 * with work left, `due_at` set, are not in it), heartbeats by `beat_at`, and done
 * outbox rows by `updated_at`. Idempotency records already have `(created_at)`.
 */
import type { Knex } from 'knex';
import { isMysql, mysqlIndex } from './mysql.js';

const INDEXES = [
  ['messages', 'finished', '(updated_at) WHERE due_at IS NULL'],
  ['heartbeats', 'beat', '(beat_at)'],
  ['outbox', 'done', "(updated_at) WHERE status <> 'pending'"],
] as const;

export async function up(knex: Knex, prefix: string): Promise<void> {
  const my = isMysql(knex);
  for (const [table, suffix, definition] of INDEXES) {
    await knex.raw(`CREATE INDEX ?? ON ?? ${my ? mysqlIndex(definition) : definition}`, [
      `${prefix}${table}_${suffix}`,
      `${prefix}${table}`,
    ]);
  }
}

export async function down(knex: Knex, prefix: string): Promise<void> {
  const my = isMysql(knex);
  for (const [table, suffix] of INDEXES) {
    const index = `${prefix}${table}_${suffix}`;
    if (my) await knex.raw('DROP INDEX ?? ON ??', [index, `${prefix}${table}`]);
    else await knex.raw('DROP INDEX IF EXISTS ??', [index]);
  }
}
