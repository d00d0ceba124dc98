/**
 * Migration 0007: `last_http_status` on the webhook outbox, the HTTP status the
 * receiver answered a delivery's last attempt with (the dashboard's delivery log).
 * NULL before the first attempt and when no answer came (a timeout, a refused address).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex, prefix: string): Promise<void> {
  await knex.schema.alterTable(`${prefix}outbox`, (t) => {
    t.integer('last_http_status');
  });
}

export async function down(knex: Knex, prefix: string): Promise<void> {
  await knex.schema.alterTable(`${prefix}outbox`, (t) => {
    t.dropColumn('last_http_status');
  });
}
