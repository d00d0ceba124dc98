/**
 * Record factories for tests: each returns a complete, valid record with fresh
 * lowercase UUIDv4 ids and current times, with `overrides` applied on top.
 */
import type {
  AccountRecord,
  ApiKeyRecord,
  HeartbeatRecord,
  MessageRecord,
  OutboxRecord,
  PhoneRecord,
  SendScheduleRecord,
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

export function makeAccount(overrides: Partial<AccountRecord> = {}): AccountRecord {
  const now = Date.now();
  const id = overrides.id ?? uuid();
  return {
    id,
    email: `${id}@example.com`,
    timezone: 'UTC',
    activePhoneId: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function makePhone(overrides: Partial<PhoneRecord> = {}): PhoneRecord {
  const now = Date.now();
  return {
    id: uuid(),
    accountId: uuid(),
    phoneNumber: randomPhoneNumber(),
    fcmToken: null,
    messagesPerMinute: 10,
    sim: 'SIM1',
    sendScheduleId: null,
    maxSendAttempts: 2,
    messageExpirationSeconds: 600,
    missedCallAutoReply: null,
    unarchiveThread: true,
    lastScheduledAt: null,
    online: true,
    lastHeartbeatAt: null,
    heartbeatCheckAt: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function makeMessage(overrides: Partial<MessageRecord> = {}): MessageRecord {
  const now = Date.now();
  return {
    id: uuid(),
    accountId: uuid(),
    phoneId: uuid(),
    owner: randomPhoneNumber(),
    contact: randomPhoneNumber(),
    content: 'This is a sample text message',
    attachments: null,
    encrypted: false,
    type: 'mobile-terminated',
    status: 'pending',
    sim: 'SIM1',
    requestId: null,
    encoding: 'GSM-7',
    segments: 1,
    requestReceivedAt: now,
    createdAt: now,
    updatedAt: now,
    orderTimestamp: now,
    scheduledSendTime: null,
    ...UNSET_MESSAGE_FIELDS,
    receivedAt: null,
    maxSendAttempts: 2,
    dueAt: null,
    bulkIndex: 0,
    ...overrides,
  };
}

export function makeThread(overrides: Partial<ThreadRecord> = {}): ThreadRecord {
  const now = Date.now();
  return {
    id: uuid(),
    accountId: uuid(),
    owner: randomPhoneNumber(),
    contact: randomPhoneNumber(),
    isArchived: false,
    isRead: false,
    color: 'indigo',
    status: 'pending',
    lastMessageContent: null,
    lastMessageId: null,
    lastReadAt: now,
    orderTimestamp: now,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function makeApiKey(overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  const now = Date.now();
  const keyHash = overrides.keyHash ?? randomKeyHash();
  return {
    id: uuid(),
    accountId: uuid(),
    kind: 'user',
    name: 'Test key',
    keyHash,
    keyPrefix: `uk_${keyHash.slice(0, 6)}`,
    phoneIds: [],
    phoneNumbers: [],
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function makeWebhook(overrides: Partial<WebhookRecord> = {}): WebhookRecord {
  const now = Date.now();
  const id = overrides.id ?? uuid();
  return {
    id,
    accountId: uuid(),
    url: `https://example.com/webhooks/${id}`,
    signingKey: null,
    events: ['message.phone.received'],
    phoneNumbers: [randomPhoneNumber()],
    enabled: true,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function makeSchedule(overrides: Partial<SendScheduleRecord> = {}): SendScheduleRecord {
  const now = Date.now();
  return {
    id: uuid(),
    accountId: uuid(),
    name: 'Business hours',
    timezone: 'UTC',
    windows: [1, 2, 3, 4, 5].map((dayOfWeek) => ({
      dayOfWeek,
      startMinute: 9 * 60,
      endMinute: 17 * 60,
    })),
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function makeOutbox(overrides: Partial<OutboxRecord> = {}): OutboxRecord {
  const now = Date.now();
  const eventId = overrides.eventId ?? uuid();
  const eventType = overrides.eventType ?? 'message.phone.received';
  return {
    id: uuid(),
    accountId: uuid(),
    webhookId: uuid(),
    eventId,
    eventType,
    payload: JSON.stringify({ specversion: '1.0', id: eventId, type: eventType, data: {} }),
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    lastError: null,
    leaseOwner: null,
    leaseUntil: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function makeHeartbeat(overrides: Partial<HeartbeatRecord> = {}): HeartbeatRecord {
  return {
    id: uuid(),
    accountId: uuid(),
    owner: randomPhoneNumber(),
    version: '1.0.0',
    charging: false,
    timestamp: Date.now(),
    ...overrides,
  };
}
