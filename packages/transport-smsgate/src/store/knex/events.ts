/**
 * The device event log and the inbound delivery ids on Knex. Sequence numbers
 * come from the table's auto-increment key (BIGSERIAL on Postgres, AUTO_INCREMENT
 * on MySQL): increasing,
 * with gaps where an insert rolled back, and on Postgres visible out of order
 * while concurrent inserts commit (the transport's reader allows for both).
 */
import type { Knex } from 'knex';
import type { SmsGateStore, StoredEvent } from '../types.js';
import { num, type Row } from './rows.js';

export interface EventTables {
  knex: Knex;
  events: string;
  inbound: string;
}

type EventLog = Pick<
  SmsGateStore,
  | 'appendEvent'
  | 'eventsAfter'
  | 'lastEventSeq'
  | 'purgeEvents'
  | 'hasInbound'
  | 'rememberInbound'
  | 'forgetInbound'
>;

function eventOf(row: Row): StoredEvent {
  return {
    seq: num(row.seq),
    accountId: String(row.account_id),
    deviceId: row.device_id === null || row.device_id === undefined ? null : String(row.device_id),
    name: String(row.name),
    data:
      row.data === null || row.data === undefined
        ? null
        : (JSON.parse(String(row.data)) as Record<string, string>),
    createdAt: num(row.created_at),
  };
}

export function eventLog(t: EventTables): EventLog {
  const { knex } = t;
  // MySQL has no RETURNING: an insert answers its auto-increment id, and an
  // ignored insert is told apart by the rows it affected.
  const mysql = (knex.client as { dialect?: string }).dialect === 'mysql';
  return {
    async appendEvent(event) {
      const insert = knex(t.events).insert({
        account_id: event.accountId,
        device_id: event.deviceId,
        name: event.name,
        data: event.data === null ? null : JSON.stringify(event.data),
        created_at: event.createdAt,
      });
      const rows: unknown[] = await (mysql ? insert : insert.returning('seq'));
      const row = rows[0];
      return num(typeof row === 'object' && row !== null ? (row as Row).seq : row);
    },
    async eventsAfter(seq, limit) {
      const rows: Row[] = await knex(t.events)
        .where('seq', '>', seq)
        .orderBy('seq', 'asc')
        .limit(limit);
      return rows.map(eventOf);
    },
    async lastEventSeq() {
      const row: Row | undefined = await knex(t.events).max({ last: 'seq' }).first();
      return row?.last === null || row?.last === undefined ? 0 : num(row.last);
    },
    async purgeEvents(before) {
      return knex(t.events).where('created_at', '<', before).delete();
    },

    async hasInbound(deviceId, eventId) {
      const row: Row | undefined = await knex(t.inbound)
        .where({ device_id: deviceId, event_id: eventId })
        .first('event_id');
      return row !== undefined;
    },
    async rememberInbound(deviceId, eventId, now) {
      if (mysql) {
        const [result] = await knex.raw(
          'INSERT IGNORE INTO ?? (device_id, event_id, created_at) VALUES (?, ?, ?)',
          [t.inbound, deviceId, eventId, now],
        );
        return Number((result as { affectedRows?: number }).affectedRows) > 0;
      }
      const inserted: Row[] = await knex(t.inbound)
        .insert({ device_id: deviceId, event_id: eventId, created_at: now })
        .onConflict(['device_id', 'event_id'])
        .ignore()
        .returning('event_id');
      return inserted.length > 0;
    },
    async forgetInbound(before) {
      return knex(t.inbound).where('created_at', '<', before).delete();
    },
  };
}
