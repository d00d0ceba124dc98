/**
 * What the SMSGate transport keeps beside textport's own store: devices (the app's
 * registrations), SMSGate messages (one textport message per recipient, grouped
 * under the SMSGate id), the webhook registrations the app executes, the settings
 * it imports, the ids of inbound webhook deliveries already stored, and a short
 * log of device events every node reads (so an event reaches streams held by
 * other nodes).
 *
 * Two implementations: `memoryStore()` (tests, one process) and `knexStore(knex,
 * store)` from `@textport/transport-smsgate/knex` (SQLite, Postgres; the group is
 * written in the transaction of its textport messages). Both pass
 * `runSmsGateStoreConformance`.
 */
import type { MessageRecord, Store } from '@textport/core';

/** A SIM as the app reports it (its strings are redacted by the app: `*******1234`). */
export interface SimCard {
  slotIndex: number;
  simNumber: number;
  phoneNumber?: string;
  carrierName?: string;
  iccid?: string;
}

export interface DeviceRecord {
  /** 21 characters, `A-Za-z0-9_-`. */
  id: string;
  accountId: string;
  /** SHA-256 hex of the device's bearer token. */
  tokenHash: string;
  /** The phone API key the device registered with; null: the server's private token. */
  keyId: string | null;
  name: string | null;
  /** The textport numbers this device sends for: `phoneNumbers[i]` is SIM `simNumber` i + 1. */
  phoneNumbers: string[];
  simCards: SimCard[] | null;
  /** HMAC key the app signs its webhooks with (served as `webhooks.signing_key`). */
  signingKey: string;
  createdAt: number;
  updatedAt: number;
  /** Server time of the device's latest call. */
  lastSeen: number;
}

/** An SMSGate message: one textport message per recipient, in recipient order. */
export interface GroupRecord {
  accountId: string;
  /** The SMSGate id (the client's, or generated): unique per account. */
  id: string;
  deviceId: string;
  messageIds: string[];
  /** The recipients, normalised as the textport messages hold them (in request order). */
  phoneNumbers: string[];
  simNumber: number | null;
  priority: number;
  withDeliveryReport: boolean;
  validUntil: number | null;
  scheduleAt: number | null;
  createdAt: number;
}

/** A webhook the app itself calls (pass-through registrations of the user API). */
export interface WebhookRegistration {
  accountId: string;
  id: string;
  /** Null: every device of the account. */
  deviceId: string | null;
  url: string;
  event: string;
  createdAt: number;
}

/** Settings sections (`messages`, `ping`, `webhooks`, …), each an object of keys. */
export type SettingsDocument = Record<string, Record<string, unknown>>;

/** A device event to deliver on every node (`SmsGateStore.appendEvent`). */
export interface DeviceEvent {
  accountId: string;
  /** Null: every device of the account. */
  deviceId: string | null;
  /** The SSE event name, or an internal `textport:` name never written to a stream. */
  name: string;
  data: Record<string, string> | null;
  createdAt: number;
}

/** A logged device event with its sequence number. */
export interface StoredEvent extends DeviceEvent {
  seq: number;
}

export interface GroupListQuery {
  accountId: string;
  deviceId?: string | null;
  /** `createdAt` ≥ from. */
  from?: number | null;
  /** `createdAt` < to. */
  to?: number | null;
  /** Newest first (default) or oldest first. */
  order?: 'desc' | 'asc';
  skip: number;
  limit: number;
}

/** A group with this id already exists for the account (SMSGate's 409). */
export class GroupExistsError extends Error {
  override readonly name = 'GroupExistsError';
  constructor(readonly id: string) {
    super(`message with the same ID already exists`);
  }
}

export interface SmsGateStore {
  insertDevice(device: DeviceRecord): Promise<void>;
  getDevice(id: string): Promise<DeviceRecord | null>;
  findDeviceByTokenHash(tokenHash: string): Promise<DeviceRecord | null>;
  /** Oldest first. */
  listDevices(accountId: string): Promise<DeviceRecord[]>;
  updateDevice(
    id: string,
    patch: Partial<Omit<DeviceRecord, 'id' | 'accountId' | 'createdAt'>>,
  ): Promise<DeviceRecord | null>;
  deleteDevice(accountId: string, id: string): Promise<boolean>;

  /**
   * Records a group and sends its textport messages as one unit: `send` runs with a
   * store bound to the group's transaction where the engine has them (the memory
   * store passes none). Throws `GroupExistsError` when the id is taken, and then
   * nothing is sent. `messageIds` of the input are ignored and filled from `send`.
   */
  acceptGroup(
    group: GroupRecord,
    send: (store: Store | undefined) => Promise<MessageRecord[]>,
  ): Promise<{ group: GroupRecord; messages: MessageRecord[] }>;
  getGroup(accountId: string, id: string): Promise<GroupRecord | null>;
  /** The group a textport message belongs to. */
  findGroupByMessageId(accountId: string, messageId: string): Promise<GroupRecord | null>;
  listGroups(query: GroupListQuery): Promise<{ groups: GroupRecord[]; total: number }>;

  /** The account's registrations that apply to `deviceId` (unscoped and scoped to it), oldest first; all of them when `deviceId` is undefined. */
  listWebhooks(accountId: string, deviceId?: string): Promise<WebhookRegistration[]>;
  /** Inserts or replaces by (account, id). */
  upsertWebhook(webhook: WebhookRegistration): Promise<void>;
  deleteWebhook(accountId: string, id: string): Promise<boolean>;

  getSettings(accountId: string): Promise<SettingsDocument>;
  putSettings(accountId: string, settings: SettingsDocument): Promise<void>;

  /** Whether an inbound delivery id is remembered. */
  hasInbound(deviceId: string, eventId: string): Promise<boolean>;
  /** Remembers an inbound delivery id; false when it was already remembered. */
  rememberInbound(deviceId: string, eventId: string, now: number): Promise<boolean>;
  /** Forgets ids remembered before `before`; returns how many. */
  forgetInbound(before: number): Promise<number>;

  /** Logs a device event; resolves to its sequence number (increasing, from 1). */
  appendEvent(event: DeviceEvent): Promise<number>;
  /** Up to `limit` events with a sequence number above `seq`, ascending. */
  eventsAfter(seq: number, limit: number): Promise<StoredEvent[]>;
  /** The highest sequence number logged; 0 when none. */
  lastEventSeq(): Promise<number>;
  /** Deletes the events created before `before`; returns how many. */
  purgeEvents(before: number): Promise<number>;
}
