/**
 * `@textport/transport-smsgate/knex`: the SMSGate store on the application's Knex
 * instance, SQLite (better-sqlite3), Postgres (pg) or MySQL/MariaDB (mysql2), beside textport's own store
 * (`@textport/store-knex`) on the same instance. Its tables carry their own prefix
 * (`smsgate_` by default) and their own migrations table; run `await
 * store.migrate()` once before use.
 *
 * An SMSGate message is written in the transaction of its textport messages
 * (`acceptGroup`), through `coreStore.bind(trx)`: the textport store must be on
 * the same Knex instance.
 */
import { GatewayError, type Store } from '@textport/core';
import type { Knex } from 'knex';
import { eventLog } from './knex/events.js';
import {
  acceptGroup,
  findGroupByMessageId,
  type GroupTables,
  getGroup,
  listGroups,
} from './knex/groups.js';
import {
  deviceOf,
  devicePatchRow,
  deviceRow,
  type Row,
  webhookOf,
  webhookRow,
} from './knex/rows.js';
import { migratorConfig } from './knex/schema.js';
import type { DeviceRecord, SettingsDocument, SmsGateStore } from './types.js';

export interface KnexSmsGateStoreOptions {
  /**
   * Prefix of the SMSGate tables and indexes (default `smsgate_`); the migrations
   * table is `textport_<prefix>migrations`.
   */
  tablePrefix?: string;
}

/** textport's store on the same Knex instance (`createKnexStore` of `@textport/store-knex`). */
export interface BindableStore extends Store {
  /** The store bound to a transaction of the Knex instance. */
  bind(trx: Knex.Transaction): Store;
}

export type KnexSmsGateStore = SmsGateStore & {
  /** Creates or upgrades the SMSGate tables. */
  migrate(): Promise<void>;
};

function checkPrefix(prefix: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,29}$/.test(prefix)) {
    throw new GatewayError(
      'config',
      `tablePrefix must be 1 to 30 letters, digits or underscores, not starting with a digit; got "${prefix}"`,
    );
  }
  return prefix;
}

function checkClient(knex: Knex): void {
  const client = knex?.client as { driverName?: string; dialect?: string } | undefined;
  if (client?.driverName === 'better-sqlite3') return;
  if (client?.driverName === 'pg' && client.dialect === 'postgresql') return;
  if (client?.driverName === 'mysql2') return;
  throw new GatewayError(
    'config',
    `the SMSGate knexStore supports Knex with the "better-sqlite3", "pg" or "mysql2" client; got "${String(client?.driverName ?? 'unknown')}"`,
  );
}

/** The SMSGate store on `knex`, writing groups in the transactions of `coreStore`'s messages. */
export function knexStore(
  knex: Knex,
  coreStore: BindableStore,
  options: KnexSmsGateStoreOptions = {},
): KnexSmsGateStore {
  checkClient(knex);
  if (typeof coreStore?.bind !== 'function') {
    throw new GatewayError(
      'config',
      'knexStore needs the textport store of the same Knex instance (createKnexStore), which can bind to its transactions',
    );
  }
  const prefix = checkPrefix(options.tablePrefix ?? 'smsgate_');
  const table = {
    devices: `${prefix}devices`,
    webhooks: `${prefix}webhooks`,
    settings: `${prefix}settings`,
    inbound: `${prefix}inbound`,
    events: `${prefix}events`,
  };
  const groups: GroupTables = {
    knex,
    groups: `${prefix}groups`,
    groupMessages: `${prefix}group_messages`,
    bind: (trx) => coreStore.bind(trx),
  };
  const device = async (where: Row): Promise<DeviceRecord | null> => {
    const row: Row | undefined = await knex(table.devices).where(where).first();
    return row ? deviceOf(row) : null;
  };

  return {
    async migrate() {
      await knex.migrate.latest(migratorConfig(prefix));
    },

    async insertDevice(record) {
      await knex(table.devices).insert(deviceRow(record));
    },
    getDevice: (id) => device({ id }),
    findDeviceByTokenHash: (tokenHash) => device({ token_hash: tokenHash }),
    async listDevices(accountId) {
      const rows: Row[] = await knex(table.devices)
        .where({ account_id: accountId })
        .orderBy([
          { column: 'created_at', order: 'asc' },
          { column: 'id', order: 'asc' },
        ]);
      return rows.map(deviceOf);
    },
    async updateDevice(id, patch) {
      const row = devicePatchRow(patch);
      if (Object.keys(row).length > 0) {
        const changed = await knex(table.devices).where({ id }).update(row);
        if (changed === 0) return null;
      }
      return device({ id });
    },
    async deleteDevice(accountId, id) {
      return (await knex(table.devices).where({ account_id: accountId, id }).delete()) > 0;
    },

    acceptGroup: (group, send) => acceptGroup(groups, group, send),
    getGroup: (accountId, id) => getGroup(groups, accountId, id),
    findGroupByMessageId: (accountId, messageId) =>
      findGroupByMessageId(groups, accountId, messageId),
    listGroups: (query) => listGroups(groups, query),

    async listWebhooks(accountId, deviceId) {
      const query = knex(table.webhooks).where({ account_id: accountId });
      if (deviceId !== undefined) {
        query.andWhere((q) => q.whereNull('device_id').orWhere('device_id', deviceId));
      }
      const rows: Row[] = await query.orderBy([
        { column: 'created_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ]);
      return rows.map(webhookOf);
    },
    async upsertWebhook(webhook) {
      await knex(table.webhooks)
        .insert(webhookRow(webhook))
        .onConflict(['account_id', 'id'])
        .merge();
    },
    async deleteWebhook(accountId, id) {
      return (await knex(table.webhooks).where({ account_id: accountId, id }).delete()) > 0;
    },

    async getSettings(accountId) {
      const row: Row | undefined = await knex(table.settings)
        .where({ account_id: accountId })
        .first('document');
      return row ? (JSON.parse(String(row.document)) as SettingsDocument) : {};
    },
    async putSettings(accountId, document) {
      await knex(table.settings)
        .insert({ account_id: accountId, document: JSON.stringify(document) })
        .onConflict('account_id')
        .merge();
    },

    ...eventLog({ knex, events: table.events, inbound: table.inbound }),
  };
}
