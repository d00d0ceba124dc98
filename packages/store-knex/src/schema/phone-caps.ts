/**
 * Migration 0012: hand-off caps on phones. `messages_per_hour` and
 * `messages_per_day` (SMS segments; 0 = no cap, the value of every existing
 * phone) and the counting windows the cap gate moves in one conditional
 * `UPDATE`: when each window began (NULL before the first hand-off) and the
 * segments handed off in it.
 */
import type { Knex } from 'knex';

const COUNTS = [
  'messages_per_hour',
  'messages_per_day',
  'hour_window_segments',
  'day_window_segments',
];
const STARTS = ['hour_window_start', 'day_window_start'];

export async function up(knex: Knex, prefix: string): Promise<void> {
  await knex.schema.alterTable(`${prefix}phones`, (t) => {
    for (const name of COUNTS) t.integer(name).notNullable().defaultTo(0);
    for (const name of STARTS) t.bigInteger(name);
  });
}

export async function down(knex: Knex, prefix: string): Promise<void> {
  await knex.schema.alterTable(`${prefix}phones`, (t) => {
    for (const name of [...COUNTS, ...STARTS]) t.dropColumn(name);
  });
}
