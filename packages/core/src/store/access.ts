/**
 * Which Store methods only read and which write. A store that runs reads and
 * writes differently (SQLite's group commit writes, a read pool) looks the
 * method up here; the table is checked against the contract, so a new Store
 * method does not compile until it is classified.
 */
import type { ActivityStore } from './activity.js';
import type { ClaimStore } from './claims.js';
import type { DirectoryStore } from './directory.js';
import type { IdempotencyStore } from './idempotency.js';
import type { IntegrationStore } from './integrations.js';
import type { MessageStore } from './messages.js';
import type { PoolStore } from './pools.js';
import type { RetentionStore } from './retention.js';
import type { ScheduleStore } from './schedules.js';
import type { SuppressionStore } from './suppressions.js';
import type { ThreadStore } from './threads.js';
import type { WebhookStore } from './webhooks.js';

/**
 * The Store's data methods: every method of its data parts (all but
 * `transaction`, `capabilities`, `ping` and `close`).
 */
export type StoreMethod = keyof (MessageStore &
  ClaimStore &
  DirectoryStore &
  ThreadStore &
  WebhookStore &
  ScheduleStore &
  IdempotencyStore &
  SuppressionStore &
  PoolStore &
  IntegrationStore &
  RetentionStore &
  ActivityStore);

export type StoreAccess = 'read' | 'write';

export const STORE_ACCESS = Object.freeze({
  // messages
  insertMessages: 'write',
  getMessage: 'read',
  getMessages: 'read',
  listMessages: 'read',
  searchMessages: 'read',
  latestMessageBetween: 'read',
  getOutgoingCount: 'read',
  deleteMessage: 'write',
  deleteMessagesBetween: 'write',
  transition: 'write',
  transitionMany: 'write',
  // claims
  claimDue: 'write',
  pickDue: 'write',
  nextDueAt: 'read',
  getDueBacklog: 'read',
  takeOutstanding: 'write',
  reservePhoneSlot: 'write',
  reservePhoneHandoff: 'write',
  reservePhoneBudget: 'write',
  reservePhoneRecipient: 'write',
  claimHeartbeatChecks: 'write',
  // pools
  savePool: 'write',
  getPool: 'read',
  getDefaultPool: 'read',
  listPools: 'read',
  deletePool: 'write',
  listPoolMembers: 'read',
  getPoolContact: 'read',
  setPoolContact: 'write',
  touchPhoneLinks: 'write',
  listUnhealthyPoolPhones: 'read',
  // directory
  insertAccount: 'write',
  getAccount: 'read',
  listAccounts: 'read',
  updateAccount: 'write',
  insertApiKey: 'write',
  findApiKeyByHash: 'read',
  getApiKey: 'read',
  listApiKeys: 'read',
  updateApiKey: 'write',
  deleteApiKey: 'write',
  insertPhone: 'write',
  getPhone: 'read',
  getPhones: 'read',
  findPhoneByNumber: 'read',
  listPhones: 'read',
  listFcmPhones: 'read',
  updatePhone: 'write',
  deletePhone: 'write',
  insertHeartbeats: 'write',
  listHeartbeats: 'read',
  // threads
  insertThread: 'write',
  getThread: 'read',
  findThread: 'read',
  findThreads: 'read',
  listThreads: 'read',
  updateThread: 'write',
  updateThreads: 'write',
  deleteThread: 'write',
  // webhooks
  insertWebhook: 'write',
  getWebhook: 'read',
  listWebhooks: 'read',
  listWebhooksFor: 'read',
  updateWebhook: 'write',
  deleteWebhook: 'write',
  markWebhookFailing: 'write',
  insertOutbox: 'write',
  getOutbox: 'read',
  claimOutbox: 'write',
  updateOutbox: 'write',
  listOutbox: 'read',
  // schedules
  insertSendSchedule: 'write',
  getSendSchedule: 'read',
  listSendSchedules: 'read',
  updateSendSchedule: 'write',
  deleteSendSchedule: 'write',
  // idempotency
  getIdempotency: 'read',
  purgeIdempotency: 'write',
  // suppressions
  addSuppression: 'write',
  getSuppression: 'read',
  findSuppressions: 'read',
  listSuppressions: 'read',
  deleteSuppression: 'write',
  deleteSuppressions: 'write',
  // integrations
  insertDiscordIntegration: 'write',
  getDiscordIntegration: 'read',
  findDiscordIntegrationByServer: 'read',
  listDiscordIntegrations: 'read',
  updateDiscordIntegration: 'write',
  deleteDiscordIntegration: 'write',
  putIntegration3cx: 'write',
  getIntegration3cx: 'read',
  deleteIntegration3cx: 'write',
  // retention
  purgeMessages: 'write',
  purgeHeartbeats: 'write',
  purgeOutbox: 'write',
  purgeAccount: 'write',
  // activity
  getMessageActivity: 'read',
  getWebhookFailures: 'read',
} as const satisfies Record<StoreMethod, StoreAccess>);

/** True when `name` is a Store method that only reads; anything else counts as a write. */
export function isReadOperation(name: string): boolean {
  return Object.hasOwn(STORE_ACCESS, name) && STORE_ACCESS[name as StoreMethod] === 'read';
}
