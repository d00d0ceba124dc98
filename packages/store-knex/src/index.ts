/**
 * `@textport/store-knex`: the textport Store on Knex, for SQLite (better-sqlite3),
 * PostgreSQL (pg) and MySQL/MariaDB (mysql2), plus a Postgres LISTEN/NOTIFY notifier.
 */
export type { Synchronous } from './engine/sqlite.js';
export { createKnexStore, KnexStore, type KnexStoreOptions } from './knex-store.js';
export { createPgNotifier, type PgNotifier, type PgNotifierOptions } from './pg-notifier.js';
export { createMigrationSource, type TextportMigration } from './schema/migrations.js';
export type { DialectName } from './sql/kit.js';
