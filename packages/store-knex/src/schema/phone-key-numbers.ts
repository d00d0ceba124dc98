/**
 * Migration 0002: the numbers a phone key was created for (`allowed_numbers`,
 * a JSON array; NULL for a key that may log in for any number of its account).
 */
import type { Knex } from 'knex';
import { isMysql } from './mysql.js';

export async function up(knex: Knex, prefix: string): Promise<void> {
  const pg = (knex.client as { dialect?: string }).dialect === 'postgresql';
  await knex.schema.alterTable(`${prefix}api_keys`, (t) => {
    if (pg) t.jsonb('allowed_numbers');
    else if (isMysql(knex)) t.json('allowed_numbers');
    else t.text('allowed_numbers');
  });
}

export async function down(knex: Knex, prefix: string): Promise<void> {
  await knex.schema.alterTable(`${prefix}api_keys`, (t) => {
    t.dropColumn('allowed_numbers');
  });
}
