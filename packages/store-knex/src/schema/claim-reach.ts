/**
 * Migration 0016, Postgres only: the phone lists claimers keep in the store, so a
 * claim with many reachable phones joins its list instead of carrying every id
 * (ops/claim-reach.ts). `claim_reach_lists` holds one row per claimer: the list's
 * version (changed with every write, so a claim knows the rows are the list it
 * was given), its generation (the rows written since the list was last written
 * whole) and when it was last written or claimed with (stale lists are deleted).
 * `claim_reach` holds one row per listed phone. SQLite keeps a long list on its
 * connection (a temporary table); MySQL/MariaDB send the ids with each claim, so
 * neither has these tables.
 */
import type { Knex } from 'knex';
import { keyColumn } from './mysql.js';

function isPostgres(knex: Knex): boolean {
  return (knex.client as { dialect?: string }).dialect === 'postgresql';
}

export async function up(knex: Knex, prefix: string): Promise<void> {
  if (!isPostgres(knex)) return;
  const key = keyColumn(knex);
  const lists = `${prefix}claim_reach_lists`;
  await knex.schema.createTable(lists, (t) => {
    key(t, 'reach_key').notNullable();
    key(t, 'version').notNullable();
    key(t, 'gen').notNullable();
    t.bigInteger('touched_at').notNullable();
    t.primary(['reach_key'], `${lists}_pkey`);
  });
  const reach = `${prefix}claim_reach`;
  await knex.schema.createTable(reach, (t) => {
    key(t, 'reach_key').notNullable();
    key(t, 'gen').notNullable();
    key(t, 'phone_id').notNullable();
    t.primary(['reach_key', 'gen', 'phone_id'], `${reach}_pkey`);
  });
}

export async function down(knex: Knex, prefix: string): Promise<void> {
  if (!isPostgres(knex)) return;
  await knex.schema.dropTableIfExists(`${prefix}claim_reach`);
  await knex.schema.dropTableIfExists(`${prefix}claim_reach_lists`);
}
