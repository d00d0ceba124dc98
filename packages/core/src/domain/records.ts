/**
 * Stored records: the shapes a Store persists and returns. Times are epoch
 * milliseconds (UTC). The wire shapes (snake_case, RFC 3339) live in
 * `./wire.ts`; records are converted at the API edge only.
 */
import type { MessageStatus, MessageType, Sim } from '../lifecycle/status.js';

export type TextEncoding = 'GSM-7' | 'UCS-2';

export interface MessageRecord {
  id: string;
  accountId: string;
  /** Phone that sends (outgoing) or received (incoming) the message; null when no phone row exists. */
  phoneId: string | null;
  owner: string;
  contact: string;
  content: string;
  attachments: string[] | null;
  encrypted: boolean;
  type: MessageType;
  status: MessageStatus;
  sim: Sim;
  requestId: string | null;
  encoding: TextEncoding;
  segments: number;
  requestReceivedAt: number;
  createdAt: number;
  updatedAt: number;
  orderTimestamp: number;
  /** Client's `send_at`: the message is handed off exactly then, without pacing. */
  scheduledSendTime: number | null;
  /** When the hand-off to the phone is (or was) scheduled. */
  scheduledAt: number | null;
  lastAttemptedAt: number | null;
  sentAt: number | null;
  deliveredAt: number | null;
  failedAt: number | null;
  expiredAt: number | null;
  receivedAt: number | null;
  canceledAt: number | null;
  /** Milliseconds from `requestReceivedAt` to sent (or delivered when no sent came). */
  sendTimeMs: number | null;
  sendAttemptCount: number;
  maxSendAttempts: number;
  failureReason: string | null;
  /** Next time the dispatcher has work on this row (plan, hand-off or expiry check); null = none. */
  dueAt: number | null;
  /**
   * The hand-off marker: `scheduled` and planned for a hand-off at `dueAt` (set when
   * the dispatcher plans or postpones a hand-off, cleared once handed off, when
   * `dueAt` becomes the expiry check).
   */
  awaitingHandoff: boolean;
  /** Retryable transport failures of the current send attempt (stored, so a restart keeps it). */
  transportAttempts: number;
  /** Position inside a bulk send, used to spread hand-offs. */
  bulkIndex: number;
  /**
   * The pool the send named (docs/routing.md, Pools): the dispatcher may move the
   * message to another member of it before its hand-off. Null: sent from one number, never moved.
   */
  poolId: string | null;
  /**
   * −128..127 (SMSGate's range); 100 and above is expedited: handed off without
   * waiting for the phone's pacing (docs/routing.md, Priority and validity).
   */
  priority: number;
  /** The message must not be handed off after this time: then it fails, `TTL expired`. */
  validUntil: number | null;
  /** Claim lease: the claimer that holds the row and until when. */
  leaseOwner: string | null;
  leaseUntil: number | null;
}

/** The fields of a new message that only later events fill in. */
export const UNSET_MESSAGE_FIELDS = Object.freeze({
  scheduledAt: null,
  lastAttemptedAt: null,
  sentAt: null,
  deliveredAt: null,
  failedAt: null,
  expiredAt: null,
  canceledAt: null,
  sendTimeMs: null,
  sendAttemptCount: 0,
  failureReason: null,
  awaitingHandoff: false,
  transportAttempts: 0,
  leaseOwner: null,
  leaseUntil: null,
  poolId: null,
  priority: 0,
  validUntil: null,
} as const satisfies Partial<MessageRecord>);

export interface PhoneRecord {
  id: string;
  accountId: string;
  phoneNumber: string;
  fcmToken: string | null;
  messagesPerMinute: number;
  sim: Sim;
  sendScheduleId: string | null;
  maxSendAttempts: number;
  messageExpirationSeconds: number;
  missedCallAutoReply: string | null;
  unarchiveThread: boolean;
  /** The latest hand-off slot the dispatcher planned for this phone (spreads planned slots). */
  lastScheduledAt: number | null;
  /** When the dispatcher last handed a message to this phone's transport (the pacing gate). */
  lastHandoffAt: number | null;
  /** Cap on the SMS segments handed off per hour (domain/caps.ts); 0 = no cap. */
  messagesPerHour: number;
  /** Cap on the SMS segments handed off per day; 0 = no cap. */
  messagesPerDay: number;
  /** When the current hour window of the caps began (its first hand-off); null before the first. */
  hourWindowStart: number | null;
  /** SMS segments handed off in the hour window. */
  hourWindowSegments: number;
  /** When the current day window of the caps began; null before the first. */
  dayWindowStart: number | null;
  /** SMS segments handed off in the day window. */
  dayWindowSegments: number;
  /** Cap on the different contacts handed off to per calendar month (UTC); 0 = no cap. */
  recipientsPerMonth: number;
  /** The month (`yyyymm`) `recipientsCount` counts; null before the first. */
  recipientsMonth: number | null;
  /** Different contacts handed off to in `recipientsMonth`. */
  recipientsCount: number;
  /** Heartbeat monitor: whether the phone is considered online. */
  online: boolean;
  /** The pool the phone sends for (one at most); null: none. */
  poolId: string | null;
  /**
   * When a node last saw the phone's live link (WebSocket, SSE), refreshed while it
   * lasts; null: the phone never held one (it is woken by push).
   */
  linkSeenAt: number | null;
  /** Server time of the last heartbeat; null before the first. */
  lastHeartbeatAt: number | null;
  /** Next heartbeat check of the monitor; null = not monitored (no heartbeat yet). */
  heartbeatCheckAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A group of an account's phones that sends as one (docs/routing.md, Pools). */
export interface PoolRecord {
  id: string;
  accountId: string;
  name: string;
  /** A send that names no `from` goes through the account's default pool. */
  isDefault: boolean;
  createdAt: number;
  updatedAt: number;
}

/** A contact the unique-recipients cap counted for a phone in a month (`yyyymm`). */
export interface PhoneRecipientRecord {
  accountId: string;
  phoneId: string;
  month: number;
  contact: string;
}

/** Sticky sender: the member a pool last chose for a contact. */
export interface PoolContactRecord {
  accountId: string;
  poolId: string;
  contact: string;
  phoneId: string;
  updatedAt: number;
}

export interface HeartbeatRecord {
  id: string;
  accountId: string;
  owner: string;
  version: string | null;
  charging: boolean;
  /** Battery charge 0–100, when the phone reports it (the WebSocket phone's radio drivers). */
  batteryLevel: number | null;
  /** Received signal strength in dBm, when the phone reports it (a GSM modem). */
  signalDbm: number | null;
  /** Network registration (`home`, `roaming`, `searching`, `denied`, `unregistered`, `unknown`). */
  networkRegistration: string | null;
  /** The network operator's name, when the phone reports it. */
  networkOperator: string | null;
  timestamp: number;
}

export interface ThreadRecord {
  id: string;
  accountId: string;
  owner: string;
  contact: string;
  isArchived: boolean;
  isRead: boolean;
  color: string;
  status: MessageStatus;
  lastMessageContent: string | null;
  lastMessageId: string | null;
  lastReadAt: number;
  orderTimestamp: number;
  createdAt: number;
  updatedAt: number;
}

export interface AccountRecord {
  id: string;
  email: string | null;
  timezone: string;
  activePhoneId: string | null;
  /** E-mail the account when a message finally fails or expires (httpSMS default: on). */
  notificationMessageStatusEnabled: boolean;
  /** E-mail the account when a webhook keeps failing (httpSMS default: on). */
  notificationWebhookEnabled: boolean;
  /** E-mail the account when a phone stops sending heartbeats (httpSMS default: on). */
  notificationHeartbeatEnabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export type ApiKeyKind = 'user' | 'phone';

export interface ApiKeyRecord {
  id: string;
  accountId: string;
  kind: ApiKeyKind;
  name: string;
  /** SHA-256 (hex) of the full key. The key itself is never stored. */
  keyHash: string;
  /** First characters of the key, for display (`pk_AbCd…`). */
  keyPrefix: string;
  /** The phones bound to a phone key (by the phone's login); its scope. */
  phoneIds: string[];
  phoneNumbers: string[];
  /**
   * The numbers a phone key was created for: it may log in only for these. Null: any
   * number of the account (the httpSMS rule), unless the gateway restricts phone keys.
   */
  allowedNumbers: string[] | null;
  createdAt: number;
  updatedAt: number;
}

export interface WebhookRecord {
  id: string;
  accountId: string;
  url: string;
  signingKey: string | null;
  events: string[];
  phoneNumbers: string[];
  enabled: boolean;
  /**
   * When the webhook's current failing episode began: set by the first delivery given
   * up since the last one delivered (the alert of the episode), cleared by the next
   * delivered one. Null while the webhook delivers.
   */
  failingSince: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface SendWindow {
  dayOfWeek: number;
  startMinute: number;
  endMinute: number;
}

export interface SendScheduleRecord {
  id: string;
  accountId: string;
  name: string;
  timezone: string;
  windows: SendWindow[];
  createdAt: number;
  updatedAt: number;
}

/** How a contact came to be suppressed: an opt-out keyword it sent, or the API. */
export type SuppressionSource = 'keyword' | 'api';

/**
 * A contact that must not be sent to (an opt-out). One per (account, owner, contact).
 * `owner` is the sending number the opt-out concerns, or `''` for every number of
 * the account (the account-wide scope).
 */
export interface SuppressionRecord {
  id: string;
  accountId: string;
  /** The sending number, or `''`: every number of the account. */
  owner: string;
  contact: string;
  source: SuppressionSource;
  /** The keyword the contact sent (`STOP`), null when added through the API. */
  keyword: string | null;
  createdAt: number;
}

export interface IdempotencyRecord {
  accountId: string;
  key: string;
  /** Fingerprint of the request: the same key with another fingerprint is a conflict. */
  requestHash: string;
  /** Ids of the messages the original request created, in request order (null for failed items). */
  messageIds: (string | null)[];
  createdAt: number;
}

export type OutboxStatus = 'pending' | 'delivered' | 'failed';

/** One webhook delivery of one event, written in the transaction of the state change. */
export interface OutboxRecord {
  id: string;
  accountId: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  /** The message the event concerns (message events; the message page's delivery list), else null. */
  subjectId: string | null;
  /** The CloudEvent body, as JSON text: every attempt sends the same bytes and id. */
  payload: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  /** The HTTP status the receiver answered the last attempt with; null before one or without an answer. */
  lastHttpStatus: number | null;
  leaseOwner: string | null;
  leaseUntil: number | null;
  createdAt: number;
  updatedAt: number;
}

/**
 * A Discord server linked to an account: slash commands in the server send SMS from the
 * account, and incoming SMS are posted to `incomingChannelId`. A server links to one account.
 */
export interface DiscordIntegrationRecord {
  id: string;
  accountId: string;
  name: string;
  /** The Discord server (guild) id; unique across accounts. */
  serverId: string;
  /** The channel incoming SMS are posted to. */
  incomingChannelId: string;
  createdAt: number;
  updatedAt: number;
}

/** An account's 3CX PBX: incoming SMS are posted to its generic SMS webhook. One per account. */
export interface Integration3cxRecord {
  id: string;
  accountId: string;
  webhookUrl: string;
  createdAt: number;
  updatedAt: number;
}
