/**
 * Migration 0014: a message's `priority` (−128..127; 0 for every existing message;
 * 100 and above is handed off without waiting for pacing) and `valid_until` (NULL:
 * none; the message fails, `TTL expired`, rather than go out after it).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex, prefix: string): Promise<void> {
  await knex.schema.alterTable(`${prefix}messages`, (t) => {
    t.integer('priority').notNullable().defaultTo(0);
    t.bigInteger('valid_until');
  });
}

export async function down(knex: Knex, prefix: string): Promise<void> {
  await knex.schema.alterTable(`${prefix}messages`, (t) => {
    t.dropColumn('priority');
    t.dropColumn('valid_until');
  });
}
