/**
 * Migration 0013: phone pools (docs/routing.md, Pools). `pools`: an account's groups of
 * phones that send as one; `pool_contacts`: the sticky sender of each (pool, contact);
 * `phones.pool_id` (a phone is in one pool at most, indexed for the pool's members) and
 * `phones.link_seen_at` (when a node last saw the phone's live link); `messages.pool_id`:
 * the pool a send named (NULL: sent from one number, never moved).
 */
import type { Knex } from 'knex';
import { isMysql, keyColumn, mysqlCollation, mysqlTable } from './mysql.js';

export async function up(knex: Knex, prefix: string): Promise<void> {
  const my = isMysql(knex);
  const collation = my ? await mysqlCollation(knex) : '';
  const key = keyColumn(knex);
  const pools = `${prefix}pools`;
  await knex.schema.createTable(pools, (t) => {
    if (my) mysqlTable(t, collation);
    key(t, 'id').primary();
    key(t, 'account_id').notNullable();
    t.text('name').notNullable();
    t.boolean('is_default').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['account_id', 'created_at'], `${pools}_account`);
  });
  const contacts = `${prefix}pool_contacts`;
  await knex.schema.createTable(contacts, (t) => {
    if (my) mysqlTable(t, collation);
    key(t, 'account_id').notNullable();
    key(t, 'pool_id').notNullable();
    key(t, 'contact').notNullable();
    key(t, 'phone_id').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.primary(['pool_id', 'contact'], `${contacts}_pkey`);
    t.index(['account_id'], `${contacts}_account`);
  });
  await knex.schema.alterTable(`${prefix}phones`, (t) => {
    key(t, 'pool_id');
    t.bigInteger('link_seen_at');
    t.index(['pool_id'], `${prefix}phones_pool`);
  });
  await knex.schema.alterTable(`${prefix}messages`, (t) => {
    key(t, 'pool_id');
  });
}

export async function down(knex: Knex, prefix: string): Promise<void> {
  await knex.schema.alterTable(`${prefix}messages`, (t) => {
    t.dropColumn('pool_id');
  });
  await knex.schema.alterTable(`${prefix}phones`, (t) => {
    t.dropIndex(['pool_id'], `${prefix}phones_pool`);
    t.dropColumn('pool_id');
    t.dropColumn('link_seen_at');
  });
  await knex.schema.dropTableIfExists(`${prefix}pool_contacts`);
  await knex.schema.dropTableIfExists(`${prefix}pools`);
}
