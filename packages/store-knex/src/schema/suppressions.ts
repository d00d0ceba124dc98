/**
 * Migration 0008: `suppressions`, an account's opt-outs. One row per (account,
 * owner, contact), `owner` being the sending number or `''` for every number of
 * the account; the unique key makes adding one a single `INSERT` that leaves an
 * existing row alone.
 */
import type { Knex } from 'knex';
import { isMysql, mysqlCollation, mysqlTable, TEXT_KEY } from './mysql.js';

export async function up(knex: Knex, prefix: string): Promise<void> {
  const pg = (knex.client as { dialect?: string }).dialect === 'postgresql';
  const my = isMysql(knex);
  const collation = my ? await mysqlCollation(knex) : '';
  const table = `${prefix}suppressions`;
  /** Ids and keys: byte order everywhere ("C" on Postgres, VARCHAR on MySQL). */
  const key = (t: Knex.CreateTableBuilder, column: string) =>
    pg
      ? t.specificType(column, 'text COLLATE "C"')
      : my
        ? t.specificType(column, TEXT_KEY)
        : t.text(column);
  await knex.schema.createTable(table, (t) => {
    if (my) mysqlTable(t, collation);
    key(t, 'id').primary();
    key(t, 'account_id').notNullable();
    key(t, 'owner').notNullable();
    key(t, 'contact').notNullable();
    key(t, 'source').notNullable();
    key(t, 'keyword');
    t.bigInteger('created_at').notNullable();
    t.unique(['account_id', 'contact', 'owner'], { indexName: `${table}_key` });
    t.index(['account_id', 'created_at'], `${table}_account`);
  });
}

export async function down(knex: Knex, prefix: string): Promise<void> {
  await knex.schema.dropTableIfExists(`${prefix}suppressions`);
}
