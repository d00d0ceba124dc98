/**
 * Record factories for tests: each returns a complete, valid record with fresh
 * lowercase UUIDv4 ids and current times, with `overrides` applied on top.
 */

import { NO_CAPS } from '../domain/caps.js';
import { NO_RECIPIENT_CAP } from '../domain/recipients.js';
import type {
  AccountRecord,
  ApiKeyRecord,
  DiscordIntegrationRecord,
  HeartbeatRecord,
  Integration3cxRecord,
  MessageRecord,
  OutboxRecord,
  PhoneRecord,
  SendScheduleRecord,
  SuppressionRecord,
  ThreadRecord,
  WebhookRecord,
} from '../domain/records.js';
import { UNSET_MESSAGE_FIELDS } from '../domain/records.js';

const uuid = (): string => globalThis.crypto.randomUUID();

function randomDigits(count: number): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(count));
  return Array.from(bytes, (byte) => String(byte % 10)).join('');
}

/** A random, valid North American number in E.164: +1 201, an exchange from 200 to 999, 4 digits. */
export function randomPhoneNumber(): string {
  const exchangeStart = 2 + (Number(randomDigits(1)) % 8);
  return `+1201${exchangeStart}${randomDigits(6)}`;
}

/** 64 random hex characters, shaped like a SHA-256 key hash. */
export function randomKeyHash(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The fields every account-owned record has. */
interface Owned {
  id: string;
  accountId: string;
  createdAt: number;
  updatedAt: number;
}

/**
 * A factory of account-owned records: fresh ids and times, then the record's
 * own fields (`fields` may read the ids and the overrides), then `overrides`.
 */
function ownedFactory<R extends Owned>(
  fields: (base: Owned, overrides: Partial<R>) => Omit<R, keyof Owned>,
): (overrides?: Partial<R>) => R {
  return (overrides = {}) => {
    const now = Date.now();
    const base: Owned = {
      id: overrides.id ?? uuid(),
      accountId: overrides.accountId ?? uuid(),
      createdAt: now,
      updatedAt: now,
    };
    return { ...base, ...fields(base, overrides), ...overrides } as R;
  };
}

export function makeAccount(overrides: Partial<AccountRecord> = {}): AccountRecord {
  const now = Date.now();
  const id = overrides.id ?? uuid();
  return {
    id,
    email: `${id}@example.com`,
    timezone: 'UTC',
    activePhoneId: null,
    notificationMessageStatusEnabled: true,
    notificationWebhookEnabled: true,
    notificationHeartbeatEnabled: true,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export const makePhone = ownedFactory<PhoneRecord>(() => ({
  phoneNumber: randomPhoneNumber(),
  sim: 'SIM1',
  messagesPerMinute: 10,
  maxSendAttempts: 2,
  messageExpirationSeconds: 600,
  unarchiveThread: true,
  online: true,
  fcmToken: null,
  sendScheduleId: null,
  missedCallAutoReply: null,
  lastScheduledAt: null,
  lastHandoffAt: null,
  ...NO_CAPS,
  poolId: null,
  linkSeenAt: null,
  ...NO_RECIPIENT_CAP,
  lastHeartbeatAt: null,
  heartbeatCheckAt: null,
}));

export const makeMessage = ownedFactory<MessageRecord>((base) => ({
  ...UNSET_MESSAGE_FIELDS,
  phoneId: uuid(),
  owner: randomPhoneNumber(),
  contact: randomPhoneNumber(),
  content: 'This is a sample text message',
  type: 'mobile-terminated',
  status: 'pending',
  sim: 'SIM1',
  encoding: 'GSM-7',
  segments: 1,
  maxSendAttempts: 2,
  bulkIndex: 0,
  encrypted: false,
  requestReceivedAt: base.createdAt,
  orderTimestamp: base.createdAt,
  attachments: null,
  requestId: null,
  scheduledSendTime: null,
  receivedAt: null,
  dueAt: null,
}));

export const makeThread = ownedFactory<ThreadRecord>((base) => ({
  owner: randomPhoneNumber(),
  contact: randomPhoneNumber(),
  color: 'indigo',
  status: 'pending',
  isArchived: false,
  isRead: false,
  lastReadAt: base.createdAt,
  orderTimestamp: base.createdAt,
  lastMessageContent: null,
  lastMessageId: null,
}));

export const makeApiKey = ownedFactory<ApiKeyRecord>((_base, overrides) => {
  const keyHash = overrides.keyHash ?? randomKeyHash();
  return {
    kind: 'user',
    name: 'Test key',
    keyHash,
    keyPrefix: `uk_${keyHash.slice(0, 6)}`,
    phoneIds: [],
    phoneNumbers: [],
    allowedNumbers: null,
  };
});

export const makeWebhook = ownedFactory<WebhookRecord>((base) => ({
  url: `https://example.com/webhooks/${base.id}`,
  signingKey: null,
  events: ['message.phone.received'],
  phoneNumbers: [randomPhoneNumber()],
  enabled: true,
  failingSince: null,
}));

export const makeSchedule = ownedFactory<SendScheduleRecord>(() => ({
  name: 'Business hours',
  timezone: 'UTC',
  windows: [1, 2, 3, 4, 5].map((dayOfWeek) => ({
    dayOfWeek,
    startMinute: 9 * 60,
    endMinute: 17 * 60,
  })),
}));

export const makeOutbox = ownedFactory<OutboxRecord>((base, overrides) => {
  const eventId = overrides.eventId ?? uuid();
  const eventType = overrides.eventType ?? 'message.phone.received';
  return {
    webhookId: uuid(),
    eventId,
    eventType,
    subjectId: null,
    payload: JSON.stringify({ specversion: '1.0', id: eventId, type: eventType, data: {} }),
    status: 'pending',
    attempts: 0,
    nextAttemptAt: base.createdAt,
    lastError: null,
    lastHttpStatus: null,
    leaseOwner: null,
    leaseUntil: null,
  };
});

export function makeHeartbeat(overrides: Partial<HeartbeatRecord> = {}): HeartbeatRecord {
  return {
    id: uuid(),
    accountId: uuid(),
    owner: randomPhoneNumber(),
    version: '1.0.0',
    charging: false,
    batteryLevel: null,
    signalDbm: null,
    networkRegistration: null,
    networkOperator: null,
    timestamp: Date.now(),
    ...overrides,
  };
}

export function makeSuppression(overrides: Partial<SuppressionRecord> = {}): SuppressionRecord {
  return {
    id: uuid(),
    accountId: uuid(),
    owner: '',
    contact: randomPhoneNumber(),
    source: 'keyword',
    keyword: 'STOP',
    createdAt: Date.now(),
    ...overrides,
  };
}

export function makeDiscordIntegration(
  overrides: Partial<DiscordIntegrationRecord> = {},
): DiscordIntegrationRecord {
  const now = Date.now();
  const snowflake = () => String(1_000_000_000_000_000n + BigInt(Math.floor(Math.random() * 1e15)));
  return {
    id: uuid(),
    accountId: uuid(),
    name: 'Game Server',
    serverId: snowflake(),
    incomingChannelId: snowflake(),
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function makeIntegration3cx(
  overrides: Partial<Integration3cxRecord> = {},
): Integration3cxRecord {
  const now = Date.now();
  return {
    id: uuid(),
    accountId: uuid(),
    webhookUrl: `https://pbx.example.com/sms/generic/${uuid()}`,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}
