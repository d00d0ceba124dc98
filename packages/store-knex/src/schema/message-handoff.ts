/**
 * Migration 0004: the lifecycle's hand-off marker and the transport retry count,
 * stored with each message. `awaiting_handoff` replaces the old encoding of a
 * planned hand-off (`status = 'scheduled' AND due_at = scheduled_at`), which the
 * backfill reads once; `transport_attempts` replaces a per-process counter, so
 * every node (and a restarted one) counts the same retries.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex, prefix: string): Promise<void> {
  const table = `${prefix}messages`;
  await knex.schema.alterTable(table, (t) => {
    t.boolean('awaiting_handoff').notNullable().defaultTo(false);
    t.integer('transport_attempts').notNullable().defaultTo(0);
  });
  await knex(table)
    .where('status', 'scheduled')
    .whereNotNull('due_at')
    .whereRaw('?? = ??', ['due_at', 'scheduled_at'])
    .update({ awaiting_handoff: true });
}

export async function down(knex: Knex, prefix: string): Promise<void> {
  await knex.schema.alterTable(`${prefix}messages`, (t) => {
    t.dropColumn('awaiting_handoff');
    t.dropColumn('transport_attempts');
  });
}
