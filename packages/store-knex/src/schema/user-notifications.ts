/**
 * Migration 0009: the account's alert settings and the webhook's failing episode.
 * - `accounts.notification_message_status_enabled`, `notification_webhook_enabled`
 *   and `notification_heartbeat_enabled`: which alerts the account gets (httpSMS's
 *   user fields, on by default, as there).
 * - `webhooks.failing_since`: when the webhook's current failing episode began (one
 *   alert per episode); NULL while it delivers.
 */
import type { Knex } from 'knex';

const SETTINGS = [
  'notification_message_status_enabled',
  'notification_webhook_enabled',
  'notification_heartbeat_enabled',
] as const;

export async function up(knex: Knex, prefix: string): Promise<void> {
  await knex.schema.alterTable(`${prefix}accounts`, (t) => {
    for (const column of SETTINGS) t.boolean(column).notNullable().defaultTo(true);
  });
  await knex.schema.alterTable(`${prefix}webhooks`, (t) => {
    t.bigInteger('failing_since');
  });
}

export async function down(knex: Knex, prefix: string): Promise<void> {
  await knex.schema.alterTable(`${prefix}webhooks`, (t) => {
    t.dropColumn('failing_since');
  });
  await knex.schema.alterTable(`${prefix}accounts`, (t) => {
    for (const column of SETTINGS) t.dropColumn(column);
  });
}
