/**
 * Migration 0003: what a phone's radio reports in its heartbeats, when it knows
 * (`battery_level` 0–100, `signal_dbm`, `network_registration`, `network_operator`);
 * NULL for phones that do not say.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex, prefix: string): Promise<void> {
  await knex.schema.alterTable(`${prefix}heartbeats`, (t) => {
    t.integer('battery_level');
    t.integer('signal_dbm');
    t.string('network_registration', 16);
    t.string('network_operator', 64);
  });
}

export async function down(knex: Knex, prefix: string): Promise<void> {
  await knex.schema.alterTable(`${prefix}heartbeats`, (t) => {
    t.dropColumn('battery_level');
    t.dropColumn('signal_dbm');
    t.dropColumn('network_registration');
    t.dropColumn('network_operator');
  });
}
