/**
 * Migration 0006: `last_handoff_at` on phones, when the dispatcher last handed a
 * message to the phone's transport. Pacing gates every actual hand-off on it (one
 * conditional `UPDATE`), so a late dispatcher, an outage or a retry never sends
 * two messages of a paced phone closer than its spacing. NULL until the first.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex, prefix: string): Promise<void> {
  await knex.schema.alterTable(`${prefix}phones`, (t) => {
    t.bigInteger('last_handoff_at');
  });
}

export async function down(knex: Knex, prefix: string): Promise<void> {
  await knex.schema.alterTable(`${prefix}phones`, (t) => {
    t.dropColumn('last_handoff_at');
  });
}
