export { attachmentPath, createDiskAttachmentStore } from './attachments/disk.js';
export { mediaTypeOf } from './attachments/media-types.js';
export * from './clock.js';
export { decrypt, encrypt } from './crypto/cipher.js';
export * from './dispatch/backoff.js';
export type { DispatcherOptions } from './dispatch/dispatcher.js';
export { Dispatcher } from './dispatch/dispatcher.js';
export type { HeartbeatOptions } from './dispatch/heartbeats.js';
export { HeartbeatMonitor } from './dispatch/heartbeats.js';
export { handoffSlot, pacingMs } from './dispatch/plan.js';
export { isValidTimeZone, nextWindowStart } from './dispatch/windows.js';
export * from './domain/phone-number.js';
export * from './domain/segments.js';
export * from './domain/time.js';
export * from './domain/wire.js';
export * from './errors.js';
export type {
  AccountSettingsInput,
  CreateAccountInput,
  IssuedKey,
  Principal,
} from './gateway/accounts.js';
export { hashApiKey } from './gateway/accounts.js';
export * from './gateway/attachments.js';
export type { BulkBatch, BulkRow, BulkSendOptions, BulkSendResult } from './gateway/bulk-send.js';
export { bulkRowCountMessage, MAX_BULK_ROWS } from './gateway/bulk-send.js';
export type { GatewayConfig, ResolvedConfig } from './gateway/config.js';
export { type CloudEvent, toCloudEvent } from './gateway/context.js';
export * from './gateway/events.js';
export type { Gateway, PageInput } from './gateway/gateway.js';
export { createGateway } from './gateway/gateway.js';
export type { AttachmentInput, MissedCallInput, ReceiveInput } from './gateway/inbound.js';
export type { ListMessagesInput, SearchMessagesInput } from './gateway/messages.js';
export type { PhoneEventInput, PhoneEventName, PhoneEventOutcome } from './gateway/phone-events.js';
export { PHONE_EVENTS } from './gateway/phone-events.js';
export type { HeartbeatInput, PhoneSettingsInput } from './gateway/phones.js';
export type { CheckStatus, Readiness, ReadinessCheck } from './gateway/readiness.js';
export type { SendScheduleInput } from './gateway/schedules.js';
export type { BulkSendInput, SendInput, SendOptions } from './gateway/send.js';
export type { ListThreadsInput } from './gateway/threads.js';
export type { WebhookInput, WebhookListInput } from './gateway/webhooks.js';
export * from './lifecycle/machine.js';
export * from './lifecycle/status.js';
export * from './lifecycle/thread-rules.js';
export * from './logger.js';
export * from './notifier.js';
export * from './store/memory/index.js';
export type * from './store.js';
export * from './transport/fake.js';
export * from './transport.js';
export { isPrivateAddress } from './webhooks/network.js';
export { standardSignature, standardWebhooksSecret } from './webhooks/signing.js';
export type { WebhookDeliveryOptions } from './webhooks/worker.js';
export { DEFAULT_WEBHOOK_OPTIONS, retryAfterMs, WebhookWorker } from './webhooks/worker.js';
