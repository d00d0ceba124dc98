/**
 * Migration 0015: the unique-recipients cap. On phones, `recipients_per_month` (0 = no
 * cap, every existing phone) and the month (`yyyymm`, UTC) and count the gate moves;
 * `phone_recipients`: the contacts counted per phone and month, one row each (its key
 * is what makes a contact count once).
 */
import type { Knex } from 'knex';
import { isMysql, keyColumn, mysqlCollation, mysqlTable } from './mysql.js';

export async function up(knex: Knex, prefix: string): Promise<void> {
  const my = isMysql(knex);
  const collation = my ? await mysqlCollation(knex) : '';
  const key = keyColumn(knex);
  await knex.schema.alterTable(`${prefix}phones`, (t) => {
    t.integer('recipients_per_month').notNullable().defaultTo(0);
    t.integer('recipients_month');
    t.integer('recipients_count').notNullable().defaultTo(0);
  });
  const table = `${prefix}phone_recipients`;
  await knex.schema.createTable(table, (t) => {
    if (my) mysqlTable(t, collation);
    key(t, 'account_id').notNullable();
    key(t, 'phone_id').notNullable();
    t.integer('month').notNullable();
    key(t, 'contact').notNullable();
    t.primary(['phone_id', 'month', 'contact'], `${table}_pkey`);
    t.index(['account_id'], `${table}_account`);
  });
}

export async function down(knex: Knex, prefix: string): Promise<void> {
  await knex.schema.dropTableIfExists(`${prefix}phone_recipients`);
  await knex.schema.alterTable(`${prefix}phones`, (t) => {
    for (const name of ['recipients_per_month', 'recipients_month', 'recipients_count']) {
      t.dropColumn(name);
    }
  });
}
