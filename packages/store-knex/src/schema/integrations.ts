/**
 * Migration 0011: an account's integrations. `discord_integrations`: the Discord servers
 * linked to an account (a server to one account at most, so a slash command finds its
 * account by the server id); `integration_3cx`: the 3CX PBX of an account (one per account,
 * so setting it is one upsert).
 */
import type { Knex } from 'knex';
import { isMysql, keyColumn, mysqlCollation, mysqlTable } from './mysql.js';

export async function up(knex: Knex, prefix: string): Promise<void> {
  const my = isMysql(knex);
  const collation = my ? await mysqlCollation(knex) : '';
  const key = keyColumn(knex);
  const discord = `${prefix}discord_integrations`;
  await knex.schema.createTable(discord, (t) => {
    if (my) mysqlTable(t, collation);
    key(t, 'id').primary();
    key(t, 'account_id').notNullable();
    t.text('name').notNullable();
    key(t, 'server_id').notNullable();
    key(t, 'incoming_channel_id').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['server_id'], { indexName: `${discord}_server` });
    t.index(['account_id', 'created_at'], `${discord}_account`);
  });
  const pbx = `${prefix}integration_3cx`;
  await knex.schema.createTable(pbx, (t) => {
    if (my) mysqlTable(t, collation);
    key(t, 'id').primary();
    key(t, 'account_id').notNullable();
    t.text('webhook_url').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['account_id'], { indexName: `${pbx}_account` });
  });
}

export async function down(knex: Knex, prefix: string): Promise<void> {
  await knex.schema.dropTableIfExists(`${prefix}integration_3cx`);
  await knex.schema.dropTableIfExists(`${prefix}discord_integrations`);
}
