/**
 * The gateway facade's declared shape: what `createGateway(config)` returns,
 * group by group. Adapters (HTTP, transports, hosts) are written against these
 * interfaces.
 */

import type { Alerter } from '../alerts/alerter.js';
import type { AttachmentStore } from '../attachments/store.js';
import type { ResolvedConfig } from '../config/config.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { HeartbeatMonitor } from '../dispatch/heartbeats.js';
import type { PoolView } from '../domain/pools.js';
import type {
  AccountRecord,
  ApiKeyKind,
  ApiKeyRecord,
  DiscordIntegrationRecord,
  HeartbeatRecord,
  Integration3cxRecord,
  MessageRecord,
  OutboxRecord,
  PhoneRecord,
  PoolRecord,
  SendScheduleRecord,
  SuppressionRecord,
  ThreadRecord,
  WebhookRecord,
} from '../domain/records.js';
import type { GatewayEventListener, GatewayEventType } from '../events/events.js';
import type { GatewayOperations } from '../events/operations.js';
import type { PhoneApi, Principal } from '../phone-api.js';
import type { RetentionWorker } from '../retention/worker.js';
import type { Store } from '../store.js';
import type { TransportHost } from '../transport.js';
import type { WebhookWorker } from '../webhooks/worker.js';
import type {
  AccountSettingsInput,
  CreateAccountInput,
  IssuedKey,
  NotificationSettingsInput,
} from './accounts.js';
import type { AccountActivity } from './activity.js';
import type {
  BulkBatch,
  BulkPreview,
  BulkRow,
  BulkSendOptions,
  BulkSendResult,
} from './bulk-send.js';
import type { DiscordIntegrationInput } from './discord.js';
import type {
  DiscordInteractionRequest,
  DiscordInteractionResponse,
} from './discord-interactions.js';
import type { ListMessagesInput, SearchMessagesInput } from './messages.js';
import type { Pbx3cxInput, Pbx3cxMessageInput } from './pbx-3cx.js';
import type { PhoneReach } from './phone-reach.js';
import type { PhoneSettingsInput } from './phones.js';
import type { PoolInput } from './pools.js';
import type { Readiness } from './readiness.js';
import type { SendScheduleInput } from './schedules.js';
import type { BulkSendInput, SendInput, SendOptions } from './send.js';
import type { AddedSuppression, SuppressionInput, SuppressionListInput } from './suppressions.js';
import type { ListThreadsInput } from './threads.js';
import type { WebhookInput } from './webhooks.js';

export interface PageInput {
  query?: string | null;
  skip?: number;
  limit?: number;
}

/** The send API. */
export interface GatewayMessages {
  /** Accepts one message: durable (status `pending`) when the promise resolves. */
  send(accountId: string, input: SendInput, options?: SendOptions): Promise<MessageRecord>;
  /** One message per recipient (1–1000), all written in one transaction. */
  sendBulk(
    accountId: string,
    input: BulkSendInput,
    options?: SendOptions,
  ): Promise<MessageRecord[]>;
  get(accountId: string, id: string): Promise<MessageRecord>;
  list(accountId: string, input: ListMessagesInput): Promise<MessageRecord[]>;
  search(accountId: string, input: SearchMessagesInput): Promise<MessageRecord[]>;
  delete(accountId: string, id: string): Promise<MessageRecord>;
  /** Cancels a message the phone has not taken yet. */
  cancel(accountId: string, id: string): Promise<MessageRecord>;
  /** The webhook deliveries of the message's events, newest first (20 unless `limit` says). */
  deliveries(accountId: string, id: string, input?: PageInput): Promise<OutboxRecord[]>;
  /** Counts by status and per hour of the last `hours` (default 24), and failed webhook deliveries. */
  activity(accountId: string, hours?: number): Promise<AccountActivity>;
}

export interface GatewayPhones {
  upsert(accountId: string, input: PhoneSettingsInput): Promise<PhoneRecord>;
  get(accountId: string, id: string): Promise<PhoneRecord>;
  findByNumber(accountId: string, phoneNumber: string): Promise<PhoneRecord | null>;
  list(accountId: string, input?: PageInput): Promise<PhoneRecord[]>;
  delete(accountId: string, id: string): Promise<PhoneRecord>;
  heartbeats(accountId: string, input: PageInput & { owner: string }): Promise<HeartbeatRecord[]>;
  /** The transports that reach each of the account's phones through this node. */
  reach(accountId: string): Promise<PhoneReach[]>;
}

export interface GatewayThreads {
  list(accountId: string, input: ListThreadsInput): Promise<ThreadRecord[]>;
  update(
    accountId: string,
    id: string,
    input: { isArchived?: boolean; isRead?: boolean },
  ): Promise<ThreadRecord>;
  delete(accountId: string, id: string): Promise<ThreadRecord>;
}

export interface GatewayWebhooks {
  create(accountId: string, input: WebhookInput): Promise<WebhookRecord>;
  get(accountId: string, id: string): Promise<WebhookRecord>;
  list(accountId: string, input?: PageInput): Promise<WebhookRecord[]>;
  update(accountId: string, id: string, input: WebhookInput): Promise<WebhookRecord>;
  delete(accountId: string, id: string): Promise<void>;
  /** The webhook's deliveries (outbox rows), newest first (20 unless `limit` says). */
  deliveries(accountId: string, id: string, input?: PageInput): Promise<OutboxRecord[]>;
  /** Puts a delivered or failed delivery back to pending, due now (409 when pending). */
  redeliver(accountId: string, id: string, deliveryId: string): Promise<OutboxRecord>;
}

export interface GatewaySchedules {
  create(accountId: string, input: SendScheduleInput): Promise<SendScheduleRecord>;
  get(accountId: string, id: string): Promise<SendScheduleRecord>;
  list(accountId: string): Promise<SendScheduleRecord[]>;
  update(accountId: string, id: string, input: SendScheduleInput): Promise<SendScheduleRecord>;
  /** Deletes the schedule and clears it from the account's phones. */
  delete(accountId: string, id: string): Promise<void>;
}

/** The suppression list: contacts no message may be sent to (docs/routing.md). */
export interface GatewaySuppressions {
  /** Newest first (20 unless `limit` says); `query` matches the contact or the owner. */
  list(accountId: string, input?: SuppressionListInput): Promise<SuppressionRecord[]>;
  /** Suppresses the contact (for one sending number, or every one); an existing row is kept. */
  add(accountId: string, input: SuppressionInput): Promise<AddedSuppression>;
  /** Lifts one suppression (404 when the account has none with this id). */
  remove(accountId: string, id: string): Promise<SuppressionRecord>;
}

/** Groups of an account's phones that send as one (docs/routing.md, Pools). */
export interface GatewayPools {
  /** Oldest first, each with its members' ids. */
  list(accountId: string): Promise<PoolView[]>;
  /** 404 when the account has no pool with this id. */
  get(accountId: string, id: string): Promise<PoolView>;
  /** 422 when a member is not one of the account's phones; members leave their other pool. */
  create(accountId: string, input: PoolInput): Promise<PoolView>;
  /** Replaces the name, the default flag and the members. */
  update(accountId: string, id: string, input: PoolInput): Promise<PoolView>;
  /** Its phones stay, in no pool; its queued messages stay on their chosen phones. */
  remove(accountId: string, id: string): Promise<PoolRecord>;
}

/** Discord servers linked to an account, and Discord's interactions endpoint. */
export interface GatewayDiscord {
  /** Newest first (1 unless `limit` says); `query` matches the name, server or channel id. */
  list(accountId: string, input?: PageInput): Promise<DiscordIntegrationRecord[]>;
  /** Links a server (409 when another integration has it); with a bot, checks it sees both. */
  create(accountId: string, input: DiscordIntegrationInput): Promise<DiscordIntegrationRecord>;
  update(
    accountId: string,
    id: string,
    input: DiscordIntegrationInput,
  ): Promise<DiscordIntegrationRecord>;
  delete(accountId: string, id: string): Promise<void>;
  /** A signed interaction from Discord (401 when the signature does not hold). */
  interaction(request: DiscordInteractionRequest): Promise<DiscordInteractionResponse>;
  /** Waits for the incoming SMS being posted to Discord. */
  settled(): Promise<void>;
}

/** The account's 3CX PBX: SMS it sends, and its webhook for incoming SMS. */
export interface GatewayPbx3cx {
  get(accountId: string): Promise<Integration3cxRecord>;
  /** Sets the PBX's webhook URL (one per account). */
  put(accountId: string, input: Pbx3cxInput): Promise<Integration3cxRecord>;
  delete(accountId: string): Promise<void>;
  /** Sends the SMS 3CX asks for (`from`, `to`, `text`). */
  send(accountId: string, input: Pbx3cxMessageInput): Promise<MessageRecord>;
  /** Waits for the incoming SMS being posted to the PBX. */
  settled(): Promise<void>;
}

export interface GatewayBulk {
  /** Queues one message a row (the rows of a CSV/XLSX document), or none when a row is bad. */
  send(
    accountId: string,
    rows: readonly BulkRow[],
    options?: BulkSendOptions,
  ): Promise<BulkSendResult>;
  /** Checks the rows as `send` would and reports each row's problems; writes nothing. */
  preview(accountId: string, rows: readonly BulkRow[]): Promise<BulkPreview>;
  /** The latest bulk batches with a count per status. */
  list(accountId: string): Promise<BulkBatch[]>;
}

export interface GatewayAccounts {
  /** Creates an account with its user API key (returned once, stored hashed). */
  create(input?: CreateAccountInput): Promise<IssuedKey<AccountRecord>>;
  get(accountId: string): Promise<AccountRecord>;
  /** Every account, oldest first (operators' listing; `query` is ignored). */
  list(input?: PageInput): Promise<AccountRecord[]>;
  /** Changes the time zone or the active phone. */
  update(accountId: string, input: AccountSettingsInput): Promise<AccountRecord>;
  rotateApiKey(accountId: string): Promise<IssuedKey<AccountRecord>>;
  /** Resolves an `x-api-key` value to who is calling; null when unknown. */
  authenticate(apiKey: string): Promise<Principal | null>;
  createPhoneKey(
    accountId: string,
    input: { name: string; phoneNumbers?: readonly string[] | null },
  ): Promise<IssuedKey<ApiKeyRecord>>;
  listPhoneKeys(accountId: string, input?: PageInput): Promise<ApiKeyRecord[]>;
  deletePhoneKey(accountId: string, id: string): Promise<void>;
  /** Adopts a key chosen elsewhere (configuration), replacing same-named keys of its kind. */
  importKey(
    accountId: string,
    input: { kind: ApiKeyKind; name: string; apiKey: string },
  ): Promise<ApiKeyRecord>;
  removePhoneFromKey(accountId: string, keyId: string, phoneId: string): Promise<ApiKeyRecord>;
  /** Sets which alerts the account gets. */
  updateNotifications(accountId: string, input: NotificationSettingsInput): Promise<AccountRecord>;
  /**
   * Deletes the account and all it owns, in batches; its keys stop working first, on
   * every node. Returns how many rows were removed.
   */
  delete(accountId: string): Promise<number>;
}

export interface Gateway {
  /** The store the gateway writes to. */
  readonly store: Store;
  /** Where incoming MMS attachments are kept. */
  readonly attachments: AttachmentStore;
  /** Whether the gateway can do its work (`GET /health/ready`): pass, warn or fail. */
  readiness(): Promise<Readiness>;
  /** Removes attachment files no message points at; runs on its own after `start()`. */
  sweepAttachments(): Promise<number>;
  /** The validated configuration. */
  readonly config: ResolvedConfig;
  /** What the gateway hands its transports on `start()` (see transport.ts). */
  readonly transportHost: TransportHost;
  /** Hands due messages to phones (claims, pacing, expiry); `runOnce()` drives it by hand. */
  readonly dispatcher: Dispatcher;
  /** Watches heartbeats; `runOnce()` checks the due phones by hand. */
  readonly heartbeats: HeartbeatMonitor;
  /** Delivers webhook outbox rows; `runOnce()` sends the due ones by hand. */
  readonly webhookWorker: WebhookWorker;
  /** Sends the accounts' alerts when `config.alerts` is given; `settled()` waits for those in flight. */
  readonly alerts: Alerter | undefined;
  /**
   * Removes old rows as `config.retention` says; runs on its own after `start()`
   * when a policy is configured, `runOnce(policy?)` runs it by hand.
   */
  readonly retention: RetentionWorker;
  /** Starts the transports, the dispatcher and the heartbeat monitor. */
  start(): Promise<void>;
  /** Graceful stop: no new claims, in-flight hand-offs finish, transports close. */
  stop(): Promise<void>;
  /** Operational events (hand-offs, status changes, webhook attempts, store errors) for metrics and logs. */
  readonly operations: GatewayOperations;
  on<T extends GatewayEventType>(type: T, listener: GatewayEventListener<T>): Gateway;
  once<T extends GatewayEventType>(type: T, listener: GatewayEventListener<T>): Gateway;
  off<T extends GatewayEventType>(type: T, listener: GatewayEventListener<T>): Gateway;
  readonly messages: GatewayMessages;
  /** What a phone calls (over HTTP or a transport's channel). */
  readonly phoneApi: PhoneApi;
  readonly phones: GatewayPhones;
  readonly threads: GatewayThreads;
  readonly webhooks: GatewayWebhooks;
  readonly schedules: GatewaySchedules;
  readonly bulk: GatewayBulk;
  readonly suppressions: GatewaySuppressions;
  readonly pools: GatewayPools;
  readonly discord: GatewayDiscord;
  readonly pbx3cx: GatewayPbx3cx;
  readonly accounts: GatewayAccounts;
}
