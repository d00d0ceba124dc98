/**
 * The store's migrations, shipped as a Knex migration source: nothing to copy
 * into the application. `store.migrate()` runs them with their own bookkeeping
 * table (`<prefix>migrations`), so they live beside the application's own.
 */
import type { Knex } from 'knex';
import * as heartbeatRadio from './heartbeat-radio.js';
import * as initial from './initial.js';
import * as messageHandoff from './message-handoff.js';
import * as phoneKeyNumbers from './phone-key-numbers.js';

export interface TextportMigration {
  readonly name: string;
  up(knex: Knex, prefix: string): Promise<void>;
  down(knex: Knex, prefix: string): Promise<void>;
}

const MIGRATIONS: readonly TextportMigration[] = [
  { name: '0001_initial', ...initial },
  { name: '0002_phone_key_numbers', ...phoneKeyNumbers },
  { name: '0003_heartbeat_radio', ...heartbeatRadio },
  { name: '0004_message_handoff', ...messageHandoff },
];

/** A Knex migration source creating the store's tables under `tablePrefix`. */
export function createMigrationSource(
  tablePrefix = 'textport_',
): Knex.MigrationSource<TextportMigration> {
  return {
    getMigrations: async () => [...MIGRATIONS],
    getMigrationName: (migration) => migration.name,
    getMigration: async (migration) => ({
      up: (knex: Knex) => migration.up(knex, tablePrefix),
      down: (knex: Knex) => migration.down(knex, tablePrefix),
    }),
  };
}

/** The Knex migrator settings of the store's migrations. */
export function migratorConfig(tablePrefix: string): Knex.MigratorConfig {
  return {
    migrationSource: createMigrationSource(tablePrefix),
    tableName: `${tablePrefix}migrations`,
  };
}
