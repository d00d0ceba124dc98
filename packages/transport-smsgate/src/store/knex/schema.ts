/**
 * The SMSGate store's tables, shipped as a Knex migration source (nothing to copy
 * into the application), run with their own bookkeeping table beside textport's.
 * Shipped migrations never change; later schema changes are new migrations.
 *
 * Types: ids and strings are TEXT (ids use the "C" collation on Postgres, so
 * ordering by id is byte order, as on SQLite; on MySQL/MariaDB the tables are
 * utf8mb4 with a padless binary collation, ids and other keys VARCHAR(191), the
 * rest LONGTEXT), times are BIGINT epoch
 * milliseconds, lists and documents are JSON text (kept verbatim: key order,
 * every character). No foreign keys: a group outlives its device, as in the
 * memory store.
 */
import type { Knex } from 'knex';

type Table = Knex.CreateTableBuilder;

export interface SmsGateMigration {
  readonly name: string;
  up(knex: Knex, prefix: string): Promise<void>;
  down(knex: Knex, prefix: string): Promise<void>;
}

const dialect = (knex: Knex) => (knex.client as { dialect?: string }).dialect;
const isPostgres = (knex: Knex) => dialect(knex) === 'postgresql';
const isMysql = (knex: Knex) => dialect(knex) === 'mysql';

/** MySQL/MariaDB: indexed strings are bounded; other text is LONGTEXT (TEXT holds 64 KiB). */
const KEY = 'varchar(191)';
const LONG_TEXT = 'longtext';

/** The table options on MySQL: utf8mb4 with a binary collation that does not pad. */
async function mysqlTables(knex: Knex): Promise<((t: Table) => void) | undefined> {
  if (!isMysql(knex)) return undefined;
  const [rows] = (await knex.raw('SELECT VERSION() AS version')) as [{ version: string }[]];
  const collation = /mariadb/i.test(rows[0]?.version ?? '')
    ? 'utf8mb4_nopad_bin'
    : 'utf8mb4_0900_bin';
  return (t) => {
    t.engine('InnoDB');
    t.charset('utf8mb4');
    t.collate(collation);
  };
}

async function initialUp(knex: Knex, prefix: string): Promise<void> {
  const pg = isPostgres(knex);
  const my = isMysql(knex);
  const options = await mysqlTables(knex);
  const name = (table: string) => `${prefix}${table}`;
  const id = (t: Table, column: string) =>
    pg
      ? t.specificType(column, 'text COLLATE "C"')
      : my
        ? t.specificType(column, KEY)
        : t.text(column, LONG_TEXT);
  /** Text in a key: TEXT as before, a bounded VARCHAR on MySQL. */
  const key = (t: Table, column: string) =>
    my ? t.specificType(column, KEY) : t.text(column, LONG_TEXT);
  const time = (t: Table, column: string) => t.bigInteger(column);
  const createTable = (table: string, build: (t: Table) => void) =>
    knex.schema.createTable(name(table), (t) => {
      options?.(t);
      build(t);
    });

  await createTable('devices', (t) => {
    id(t, 'id').primary();
    id(t, 'account_id').notNullable();
    key(t, 'token_hash')
      .notNullable()
      .unique({ indexName: name('devices_token_hash') });
    id(t, 'key_id');
    t.text('name', LONG_TEXT);
    t.text('phone_numbers', LONG_TEXT).notNullable();
    t.text('sim_cards', LONG_TEXT);
    t.text('signing_key', LONG_TEXT).notNullable();
    time(t, 'created_at').notNullable();
    time(t, 'updated_at').notNullable();
    time(t, 'last_seen').notNullable();
    t.index(['account_id', 'created_at', 'id'], name('devices_account'));
  });

  await createTable('groups', (t) => {
    id(t, 'account_id').notNullable();
    id(t, 'id').notNullable();
    id(t, 'device_id').notNullable();
    t.text('message_ids', LONG_TEXT).notNullable();
    t.text('phone_numbers', LONG_TEXT).notNullable();
    t.integer('sim_number');
    t.integer('priority').notNullable();
    t.boolean('with_delivery_report').notNullable();
    time(t, 'valid_until');
    time(t, 'schedule_at');
    time(t, 'created_at').notNullable();
    t.primary(['account_id', 'id']);
    t.index(['account_id', 'created_at', 'id'], name('groups_created'));
    t.index(['account_id', 'device_id', 'created_at', 'id'], name('groups_device'));
  });

  // The group of each textport message (`findGroupByMessageId`).
  await createTable('group_messages', (t) => {
    id(t, 'account_id').notNullable();
    id(t, 'message_id').notNullable();
    id(t, 'group_id').notNullable();
    t.primary(['account_id', 'message_id']);
  });

  await createTable('webhooks', (t) => {
    id(t, 'account_id').notNullable();
    id(t, 'id').notNullable();
    id(t, 'device_id');
    t.text('url', LONG_TEXT).notNullable();
    t.text('event', LONG_TEXT).notNullable();
    time(t, 'created_at').notNullable();
    t.primary(['account_id', 'id']);
    t.index(['account_id', 'created_at', 'id'], name('webhooks_account'));
  });

  await createTable('settings', (t) => {
    id(t, 'account_id').primary();
    t.text('document', LONG_TEXT).notNullable();
  });

  await createTable('inbound', (t) => {
    id(t, 'device_id').notNullable();
    key(t, 'event_id').notNullable();
    time(t, 'created_at').notNullable();
    t.primary(['device_id', 'event_id']);
    t.index(['created_at'], name('inbound_created'));
  });
}

async function initialDown(knex: Knex, prefix: string): Promise<void> {
  for (const table of ['inbound', 'settings', 'webhooks', 'group_messages', 'groups', 'devices']) {
    await knex.schema.dropTableIfExists(`${prefix}${table}`);
  }
}

/** The device event log every node reads (`appendEvent`, `eventsAfter`). */
async function eventsUp(knex: Knex, prefix: string): Promise<void> {
  const pg = isPostgres(knex);
  const options = await mysqlTables(knex);
  const name = (table: string) => `${prefix}${table}`;
  await knex.schema.createTable(name('events'), (t) => {
    options?.(t);
    t.bigIncrements('seq');
    if (pg) t.specificType('account_id', 'text COLLATE "C"').notNullable();
    else if (options) t.specificType('account_id', KEY).notNullable();
    else t.text('account_id').notNullable();
    if (pg) t.specificType('device_id', 'text COLLATE "C"');
    else if (options) t.specificType('device_id', KEY);
    else t.text('device_id');
    t.text('name', LONG_TEXT).notNullable();
    t.text('data', LONG_TEXT);
    t.bigInteger('created_at').notNullable();
    t.index(['created_at'], name('events_created'));
  });
}

async function eventsDown(knex: Knex, prefix: string): Promise<void> {
  await knex.schema.dropTableIfExists(`${prefix}events`);
}

const MIGRATIONS: readonly SmsGateMigration[] = [
  { name: '0001_initial', up: initialUp, down: initialDown },
  { name: '0002_events', up: eventsUp, down: eventsDown },
];

/** The Knex migrator settings of the SMSGate tables under `tablePrefix`. */
export function migratorConfig(tablePrefix: string): Knex.MigratorConfig {
  const source: Knex.MigrationSource<SmsGateMigration> = {
    getMigrations: async () => [...MIGRATIONS],
    getMigrationName: (migration) => migration.name,
    getMigration: async (migration) => ({
      up: (knex: Knex) => migration.up(knex, tablePrefix),
      down: (knex: Knex) => migration.down(knex, tablePrefix),
    }),
  };
  return { migrationSource: source, tableName: `textport_${tablePrefix}migrations` };
}
