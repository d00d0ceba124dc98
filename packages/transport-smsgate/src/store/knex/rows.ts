/**
 * Rows of the SMSGate tables to records and back. Postgres returns BIGINT and
 * `count(*)` as strings and SQLite booleans as 0/1, so every number and flag is
 * read through `num` / `bool`; lists and documents are JSON text.
 */
import type { DeviceRecord, GroupRecord, SimCard, WebhookRegistration } from '../types.js';

export type Row = Record<string, unknown>;

export const num = (value: unknown): number => Number(value);
export const numOrNull = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);
export const bool = (value: unknown): boolean => value === true || value === 1 || value === '1';
const str = (value: unknown): string => String(value);
const strOrNull = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);
const json = <T>(value: unknown): T => JSON.parse(String(value)) as T;

export function deviceRow(device: DeviceRecord): Row {
  return {
    id: device.id,
    account_id: device.accountId,
    token_hash: device.tokenHash,
    key_id: device.keyId,
    name: device.name,
    phone_numbers: JSON.stringify(device.phoneNumbers),
    sim_cards: device.simCards === null ? null : JSON.stringify(device.simCards),
    signing_key: device.signingKey,
    created_at: device.createdAt,
    updated_at: device.updatedAt,
    last_seen: device.lastSeen,
  };
}

/** The columns of a device patch; fields the patch leaves out (or sets to undefined) stay. */
export function devicePatchRow(
  patch: Partial<Omit<DeviceRecord, 'id' | 'accountId' | 'createdAt'>>,
): Row {
  const row: Row = {};
  const set = (column: string, value: unknown) => {
    if (value !== undefined) row[column] = value;
  };
  set('token_hash', patch.tokenHash);
  set('key_id', patch.keyId);
  set('name', patch.name);
  set('phone_numbers', patch.phoneNumbers && JSON.stringify(patch.phoneNumbers));
  if (patch.simCards !== undefined) {
    row.sim_cards = patch.simCards === null ? null : JSON.stringify(patch.simCards);
  }
  set('signing_key', patch.signingKey);
  set('updated_at', patch.updatedAt);
  set('last_seen', patch.lastSeen);
  return row;
}

export function deviceOf(row: Row): DeviceRecord {
  return {
    id: str(row.id),
    accountId: str(row.account_id),
    tokenHash: str(row.token_hash),
    keyId: strOrNull(row.key_id),
    name: strOrNull(row.name),
    phoneNumbers: json<string[]>(row.phone_numbers),
    simCards: row.sim_cards === null ? null : json<SimCard[]>(row.sim_cards),
    signingKey: str(row.signing_key),
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
    lastSeen: num(row.last_seen),
  };
}

export function groupRow(group: GroupRecord): Row {
  return {
    account_id: group.accountId,
    id: group.id,
    device_id: group.deviceId,
    message_ids: JSON.stringify(group.messageIds),
    phone_numbers: JSON.stringify(group.phoneNumbers),
    sim_number: group.simNumber,
    priority: group.priority,
    with_delivery_report: group.withDeliveryReport,
    valid_until: group.validUntil,
    schedule_at: group.scheduleAt,
    created_at: group.createdAt,
  };
}

export function groupOf(row: Row): GroupRecord {
  return {
    accountId: str(row.account_id),
    id: str(row.id),
    deviceId: str(row.device_id),
    messageIds: json<string[]>(row.message_ids),
    phoneNumbers: json<string[]>(row.phone_numbers),
    simNumber: numOrNull(row.sim_number),
    priority: num(row.priority),
    withDeliveryReport: bool(row.with_delivery_report),
    validUntil: numOrNull(row.valid_until),
    scheduleAt: numOrNull(row.schedule_at),
    createdAt: num(row.created_at),
  };
}

export function webhookRow(webhook: WebhookRegistration): Row {
  return {
    account_id: webhook.accountId,
    id: webhook.id,
    device_id: webhook.deviceId,
    url: webhook.url,
    event: webhook.event,
    created_at: webhook.createdAt,
  };
}

export function webhookOf(row: Row): WebhookRegistration {
  return {
    accountId: str(row.account_id),
    id: str(row.id),
    deviceId: strOrNull(row.device_id),
    url: str(row.url),
    event: str(row.event),
    createdAt: num(row.created_at),
  };
}
