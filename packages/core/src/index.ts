export type { Alert, AlertKind, AlertSender } from './alert-sender.js';
export { Alerter } from './alerts/alerter.js';
export { attachmentPath, createDiskAttachmentStore } from './attachments/disk.js';
export { mediaTypeOf } from './attachments/media-types.js';
export * from './attachments/store.js';
export * from './check-cache.js';
export * from './clock.js';
export type {
  DispatcherOptions,
  GatewayConfig,
  HeartbeatOptions,
  ResolvedConfig,
  RetentionOptions,
  RetentionPolicy,
  WebhookDeliveryOptions,
} from './config/config.js';
export {
  DEFAULT_DISPATCHER_OPTIONS,
  DEFAULT_HEARTBEAT_OPTIONS,
  DEFAULT_RETENTION_OPTIONS,
  DEFAULT_RETRY_POLICY,
  DEFAULT_WEBHOOK_OPTIONS,
} from './config/config.js';
export type { DiscordConfig } from './config/integrations.js';
export { DEFAULT_DISCORD_API_BASE_URL } from './config/integrations.js';
export type {
  FailureRetryOptions,
  OptOutOptions,
  QuotaDecision,
  QuotaHook,
  QuotaRequest,
} from './config/routing.js';
export { DEFAULT_FAILURE_RETRY_POLICY } from './config/routing.js';
export { decrypt, encrypt } from './crypto/cipher.js';
export { Dispatcher } from './dispatch/dispatcher.js';
export { HeartbeatMonitor } from './dispatch/heartbeats.js';
export { handoffSlot, pacingMs } from './dispatch/plan.js';
export * from './domain/caps.js';
export * from './domain/keywords.js';
export * from './domain/phone-number.js';
export * from './domain/pools.js';
export * from './domain/recipients.js';
export * from './domain/segments.js';
export * from './domain/time.js';
export { isValidTimeZone, nextWindowStart } from './domain/windows.js';
export * from './domain/wire.js';
export * from './domain/wire-phones.js';
export * from './errors.js';
export * from './events/events.js';
export type {
  GatewayOperations,
  OperationEventData,
  OperationEventType,
  OperationListener,
} from './events/operations.js';
export type {
  AccountSettingsInput,
  CreateAccountInput,
  IssuedKey,
  NotificationSettingsInput,
} from './gateway/accounts.js';
export { hashApiKey } from './gateway/accounts.js';
export type { AccountActivity } from './gateway/activity.js';
export { MAX_ACTIVITY_HOURS } from './gateway/activity.js';
export type {
  BulkBatch,
  BulkPreview,
  BulkPreviewRow,
  BulkRow,
  BulkSendOptions,
  BulkSendResult,
} from './gateway/bulk-send.js';
export { bulkRowCountMessage, MAX_BULK_ROWS } from './gateway/bulk-send.js';
export type { DiscordIntegrationInput } from './gateway/discord.js';
export type {
  DiscordInteractionRequest,
  DiscordInteractionResponse,
} from './gateway/discord-interactions.js';
export { createGateway } from './gateway/gateway.js';
export type { ListMessagesInput, SearchMessagesInput } from './gateway/messages.js';
export { OPTED_OUT } from './gateway/opt-outs.js';
export type { Pbx3cxInput, Pbx3cxMessageInput } from './gateway/pbx-3cx.js';
export type { PhoneReach } from './gateway/phone-reach.js';
export type { PhoneSettingsInput } from './gateway/phones.js';
export { POOL_PREFIX, type PoolInput } from './gateway/pools.js';
export { QUOTA_MESSAGE } from './gateway/quota.js';
export type { CheckStatus, Readiness, ReadinessCheck } from './gateway/readiness.js';
export { READINESS_STORE_TIMEOUT_MS } from './gateway/readiness.js';
export type { SendScheduleInput } from './gateway/schedules.js';
export type { BulkSendInput, SendInput, SendOptions } from './gateway/send.js';
export type {
  AddedSuppression,
  SuppressionInput,
  SuppressionListInput,
} from './gateway/suppressions.js';
export type { ListThreadsInput } from './gateway/threads.js';
export type {
  Gateway,
  GatewayAccounts,
  GatewayBulk,
  GatewayDiscord,
  GatewayMessages,
  GatewayPbx3cx,
  GatewayPhones,
  GatewayPools,
  GatewaySchedules,
  GatewaySuppressions,
  GatewayThreads,
  GatewayWebhooks,
  PageInput,
} from './gateway/types.js';
export type { WebhookInput, WebhookListInput } from './gateway/webhooks.js';
export * from './jobs/backoff.js';
export * from './lifecycle/failure-reasons.js';
export * from './lifecycle/machine.js';
export * from './lifecycle/status.js';
export * from './lifecycle/thread-rules.js';
export * from './logger.js';
export * from './notifier.js';
export * from './phone-api.js';
export type { RetentionContext, RetentionHooks, RetentionRun } from './retention/worker.js';
export { RetentionWorker } from './retention/worker.js';
export * from './store/memory/index.js';
export type * from './store.js';
export * from './transport/fake.js';
export * from './transport.js';
export { type CloudEvent, toCloudEvent } from './uow/context.js';
export { isPrivateAddress } from './webhooks/network.js';
export { standardSignature, standardWebhooksSecret } from './webhooks/signing.js';
export { retryAfterMs, WebhookWorker } from './webhooks/worker.js';
