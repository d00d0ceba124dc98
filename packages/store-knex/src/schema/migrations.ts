/**
 * The store's migrations, shipped as a Knex migration source: nothing to copy
 * into the application. `store.migrate()` runs them with their own bookkeeping
 * table (`<prefix>migrations`), so they live beside the application's own.
 */
import type { Knex } from 'knex';
import type { Db } from '../sql/db.js';
import { quote, raw, sql } from '../sql/fragment.js';
import * as claimReach from './claim-reach.js';
import * as heartbeatRadio from './heartbeat-radio.js';
import * as initial from './initial.js';
import * as integrations from './integrations.js';
import * as messageHandoff from './message-handoff.js';
import * as messageValidity from './message-validity.js';
import * as outboxHttpStatus from './outbox-http-status.js';
import * as outboxSubject from './outbox-subject.js';
import * as phoneCaps from './phone-caps.js';
import * as phoneHandoff from './phone-handoff.js';
import * as phoneKeyNumbers from './phone-key-numbers.js';
import * as phoneRecipients from './phone-recipients.js';
import * as pools from './pools.js';
import * as retentionIndexes from './retention-indexes.js';
import * as suppressions from './suppressions.js';
import * as userNotifications from './user-notifications.js';

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
  { name: '0005_retention_indexes', ...retentionIndexes },
  { name: '0006_phone_handoff', ...phoneHandoff },
  { name: '0007_outbox_http_status', ...outboxHttpStatus },
  { name: '0008_suppressions', ...suppressions },
  { name: '0009_user_notifications', ...userNotifications },
  { name: '0010_outbox_subject', ...outboxSubject },
  { name: '0011_integrations', ...integrations },
  { name: '0012_phone_caps', ...phoneCaps },
  { name: '0013_pools', ...pools },
  { name: '0014_message_validity', ...messageValidity },
  { name: '0015_phone_recipients', ...phoneRecipients },
  { name: '0016_claim_reach', ...claimReach },
];

/** The names of the shipped migrations, in order. */
export const MIGRATION_NAMES: readonly string[] = MIGRATIONS.map((m) => m.name);

/**
 * The shipped migrations the database lacks (every one before the first
 * `migrate()`), read from the migrations table with two cheap queries.
 */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const table = `${db.kit.prefix}migrations`;
  const exists = db.kit.pg
    ? sql`SELECT to_regclass(${quote(table)}) IS NOT NULL`
    : db.kit.mysql
      ? sql`SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ${table}`
      : sql`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ${table}`;
  const [[found] = []] = (await db.all(exists)).values;
  if (found !== true && Number(found) !== 1) return [...MIGRATION_NAMES];
  const applied = new Set(
    (await db.all(sql`SELECT name FROM ${raw(db.kit.quote(table))}`)).values.map((row) =>
      String(row[0]),
    ),
  );
  return MIGRATION_NAMES.filter((name) => !applied.has(name));
}

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
