/**
 * Migration 0001: every table and index of the store. Shipped migrations never
 * change; later schema changes are new migrations.
 *
 * Types: ids and strings are TEXT (ids use the "C" collation on Postgres, so
 * ordering by id is byte order as in the memory store), times are BIGINT epoch
 * milliseconds, arrays are JSONB on Postgres and JSON text on SQLite.
 *
 * MySQL/MariaDB (see `mysql.ts`): every table is utf8mb4 with a binary collation
 * without padding (byte order, case- and trailing-space-sensitive, as elsewhere);
 * ids and the other indexed strings are VARCHAR(191), other text LONGTEXT,
 * arrays JSON; partial indexes are plain indexes (MySQL has no `WHERE` on an index).
 *
 * There are no foreign keys: the store contract lets the gateway keep rows whose
 * parent is gone or was never stored (messages outlive their phone, inbound
 * messages may come from numbers without a phone row, outbox rows outlive their
 * webhook), so a foreign key would reject writes the contract allows.
 */
import type { Knex } from 'knex';
import { isMysql, LONG_TEXT, mysqlCollation, mysqlIndex, mysqlTable, TEXT_KEY } from './mysql.js';

type Table = Knex.CreateTableBuilder;

export async function up(knex: Knex, prefix: string): Promise<void> {
  const pg = (knex.client as { dialect?: string }).dialect === 'postgresql';
  const my = isMysql(knex);
  const collation = my ? await mysqlCollation(knex) : '';
  const name = (table: string) => `${prefix}${table}`;
  const id = (t: Table, column = 'id') =>
    pg
      ? t.specificType(column, 'text COLLATE "C"')
      : my
        ? t.specificType(column, TEXT_KEY)
        : t.text(column, LONG_TEXT);
  const json = (t: Table, column: string) =>
    pg ? t.jsonb(column) : my ? t.json(column) : t.text(column);
  const time = (t: Table, column: string) => t.bigInteger(column);
  const text = (t: Table, column: string) => t.text(column, LONG_TEXT);
  /** Text that is part of a key or an index (a bounded VARCHAR on MySQL). */
  const key = (t: Table, column: string) =>
    my ? t.specificType(column, TEXT_KEY) : t.text(column, LONG_TEXT);
  const index = (table: string, suffix: string, definition: string) =>
    knex.raw(`CREATE INDEX ?? ON ?? ${my ? mysqlIndex(definition) : definition}`, [
      name(`${table}_${suffix}`),
      name(table),
    ]);
  const createTable = (table: string, build: (t: Table) => void) =>
    knex.schema.createTable(name(table), (t) => {
      if (my) mysqlTable(t, collation);
      build(t);
    });

  await createTable('accounts', (t) => {
    id(t).primary();
    text(t, 'email');
    text(t, 'timezone').notNullable();
    id(t, 'active_phone_id');
    time(t, 'created_at').notNullable();
    time(t, 'updated_at').notNullable();
  });

  await createTable('api_keys', (t) => {
    id(t).primary();
    id(t, 'account_id').notNullable();
    key(t, 'kind').notNullable();
    text(t, 'name').notNullable();
    key(t, 'key_hash')
      .notNullable()
      .unique({ indexName: name('api_keys_key_hash') });
    text(t, 'key_prefix').notNullable();
    json(t, 'phone_ids').notNullable();
    json(t, 'phone_numbers').notNullable();
    time(t, 'created_at').notNullable();
    time(t, 'updated_at').notNullable();
  });
  await index('api_keys', 'account', '(account_id, kind, created_at)');

  await createTable('phones', (t) => {
    id(t).primary();
    id(t, 'account_id').notNullable();
    key(t, 'phone_number').notNullable();
    text(t, 'fcm_token');
    t.integer('messages_per_minute').notNullable();
    text(t, 'sim').notNullable();
    id(t, 'send_schedule_id');
    t.integer('max_send_attempts').notNullable();
    t.integer('message_expiration_seconds').notNullable();
    text(t, 'missed_call_auto_reply');
    t.boolean('unarchive_thread').notNullable();
    time(t, 'last_scheduled_at');
    t.boolean('online').notNullable();
    time(t, 'last_heartbeat_at');
    time(t, 'heartbeat_check_at');
    time(t, 'created_at').notNullable();
    time(t, 'updated_at').notNullable();
    t.unique(['account_id', 'phone_number'], { indexName: name('phones_number') });
  });
  await index('phones', 'account', '(account_id, created_at)');
  await index(
    'phones',
    'heartbeat_check',
    '(heartbeat_check_at, id) WHERE heartbeat_check_at IS NOT NULL',
  );

  await createTable('heartbeats', (t) => {
    id(t).primary();
    id(t, 'account_id').notNullable();
    key(t, 'owner').notNullable();
    text(t, 'version');
    t.boolean('charging').notNullable();
    time(t, 'beat_at').notNullable();
  });
  await index('heartbeats', 'owner', '(account_id, owner, beat_at)');

  await createTable('threads', (t) => {
    id(t).primary();
    id(t, 'account_id').notNullable();
    key(t, 'owner').notNullable();
    key(t, 'contact').notNullable();
    t.boolean('is_archived').notNullable();
    t.boolean('is_read').notNullable();
    text(t, 'color').notNullable();
    key(t, 'status').notNullable();
    text(t, 'last_message_content');
    id(t, 'last_message_id');
    time(t, 'last_read_at').notNullable();
    time(t, 'order_timestamp').notNullable();
    time(t, 'created_at').notNullable();
    time(t, 'updated_at').notNullable();
    t.unique(['account_id', 'owner', 'contact'], { indexName: name('threads_pair') });
  });
  await index('threads', 'list', '(account_id, owner, is_archived, order_timestamp, id)');

  await createTable('messages', (t) => {
    if (my) {
      // The insertion order is the clustered key; the id is a unique key beside it.
      t.bigIncrements('seq', { primaryKey: true });
      id(t)
        .notNullable()
        .unique({ indexName: name('messages_id') });
    } else if (pg) {
      id(t).primary();
      // Insertion order: claims hand out rows with the same due time first in, first out.
      t.bigIncrements('seq', { primaryKey: false });
    } else {
      // The rowid: increasing with every insert.
      t.integer('seq').primary();
      id(t)
        .notNullable()
        .unique({ indexName: name('messages_id') });
    }
    id(t, 'account_id').notNullable();
    id(t, 'phone_id');
    key(t, 'owner').notNullable();
    key(t, 'contact').notNullable();
    text(t, 'content').notNullable();
    json(t, 'attachments');
    t.boolean('encrypted').notNullable();
    key(t, 'type').notNullable();
    key(t, 'status').notNullable();
    text(t, 'sim').notNullable();
    text(t, 'request_id');
    text(t, 'encoding').notNullable();
    t.integer('segments').notNullable();
    time(t, 'request_received_at').notNullable();
    time(t, 'created_at').notNullable();
    time(t, 'updated_at').notNullable();
    time(t, 'order_timestamp').notNullable();
    for (const column of [
      'scheduled_send_time',
      'scheduled_at',
      'last_attempted_at',
      'sent_at',
      'delivered_at',
      'failed_at',
      'expired_at',
      'received_at',
      'canceled_at',
      'send_time_ms',
    ]) {
      time(t, column);
    }
    t.integer('send_attempt_count').notNullable();
    t.integer('max_send_attempts').notNullable();
    text(t, 'failure_reason');
    time(t, 'due_at');
    t.integer('bulk_index').notNullable();
    text(t, 'lease_owner');
    time(t, 'lease_until');
  });
  await index('messages', 'conversation', '(account_id, owner, contact, order_timestamp, id)');
  await index('messages', 'account', '(account_id, order_timestamp, id)');
  // Due rows nobody holds, in claim order: for every phone, and per phone.
  await index(
    'messages',
    'due_free',
    '(due_at, seq) WHERE due_at IS NOT NULL AND lease_until IS NULL',
  );
  await index(
    'messages',
    'phone_due_free',
    '(phone_id, due_at, seq) WHERE due_at IS NOT NULL AND lease_until IS NULL',
  );
  // Due rows under a lease, by lease end: the ones whose lease ran out are claimable again.
  await index(
    'messages',
    'due_leased',
    '(lease_until) WHERE due_at IS NOT NULL AND lease_until IS NOT NULL',
  );

  await createTable('webhooks', (t) => {
    id(t).primary();
    id(t, 'account_id').notNullable();
    text(t, 'url').notNullable();
    text(t, 'signing_key');
    json(t, 'events').notNullable();
    json(t, 'phone_numbers').notNullable();
    t.boolean('enabled').notNullable();
    time(t, 'created_at').notNullable();
    time(t, 'updated_at').notNullable();
  });
  await index('webhooks', 'account', '(account_id, created_at)');

  await createTable('send_schedules', (t) => {
    id(t).primary();
    id(t, 'account_id').notNullable();
    text(t, 'name').notNullable();
    text(t, 'timezone').notNullable();
    json(t, 'windows').notNullable();
    time(t, 'created_at').notNullable();
    time(t, 'updated_at').notNullable();
  });
  await index('send_schedules', 'account', '(account_id, created_at)');

  await createTable('idempotency', (t) => {
    id(t, 'account_id').notNullable();
    key(t, 'idem_key').notNullable();
    text(t, 'request_hash').notNullable();
    json(t, 'message_ids').notNullable();
    time(t, 'created_at').notNullable();
    t.primary(['account_id', 'idem_key']);
  });
  await index('idempotency', 'created', '(created_at)');

  await createTable('outbox', (t) => {
    id(t).primary();
    id(t, 'account_id').notNullable();
    id(t, 'webhook_id').notNullable();
    id(t, 'event_id').notNullable();
    text(t, 'event_type').notNullable();
    text(t, 'payload').notNullable();
    key(t, 'status').notNullable();
    t.integer('attempts').notNullable();
    time(t, 'next_attempt_at').notNullable();
    text(t, 'last_error');
    text(t, 'lease_owner');
    time(t, 'lease_until');
    time(t, 'created_at').notNullable();
    time(t, 'updated_at').notNullable();
  });
  await index('outbox', 'due', `(next_attempt_at, created_at, id) WHERE status = 'pending'`);
  await index('outbox', 'account', '(account_id, webhook_id, created_at)');
  await index('outbox', 'account_created', '(account_id, created_at)');
}

export async function down(knex: Knex, prefix: string): Promise<void> {
  for (const table of [
    'outbox',
    'idempotency',
    'send_schedules',
    'webhooks',
    'messages',
    'threads',
    'heartbeats',
    'phones',
    'api_keys',
    'accounts',
  ]) {
    await knex.schema.dropTableIfExists(`${prefix}${table}`);
  }
}
