/**
 * Migration 0010: `subject_id` on the webhook outbox, the message an event concerns (NULL for
 * other events and for rows written before it), with an index per account, so a message's page
 * lists the webhook deliveries of its events without reading the account's whole outbox.
 */
import type { Knex } from 'knex';
import { isMysql, TEXT_KEY } from './mysql.js';

export async function up(knex: Knex, prefix: string): Promise<void> {
  const pg = (knex.client as { dialect?: string }).dialect === 'postgresql';
  const my = isMysql(knex);
  await knex.schema.alterTable(`${prefix}outbox`, (t) => {
    if (pg) t.specificType('subject_id', 'text COLLATE "C"');
    else if (my) t.specificType('subject_id', TEXT_KEY);
    else t.text('subject_id');
  });
  await knex.raw('CREATE INDEX ?? ON ?? (account_id, subject_id)', [
    `${prefix}outbox_subject`,
    `${prefix}outbox`,
  ]);
}

export async function down(knex: Knex, prefix: string): Promise<void> {
  if (isMysql(knex)) {
    await knex.raw('DROP INDEX ?? ON ??', [`${prefix}outbox_subject`, `${prefix}outbox`]);
  } else await knex.raw('DROP INDEX IF EXISTS ??', [`${prefix}outbox_subject`]);
  await knex.schema.alterTable(`${prefix}outbox`, (t) => {
    t.dropColumn('subject_id');
  });
}
