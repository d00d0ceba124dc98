/** Webhook delivery options and their defaults (validated in gateway/config.ts). */
import type { RetryPolicy } from '../dispatch/backoff.js';

export interface WebhookDeliveryOptions {
  /** Deliveries in flight at once. */
  concurrency: number;
  /**
   * Deliveries in flight at once to one webhook: a slow receiver holds at most this
   * many of the `concurrency` slots, so other webhooks keep theirs.
   */
  perWebhookConcurrency: number;
  /** Wall-clock deadline of one attempt (connect, response and redirects together). */
  timeoutMs: number;
  /** Attempts before a delivery is given up (status `failed`). */
  maxAttempts: number;
  /** Backoff between attempts; `Retry-After` is honoured up to `retry.maxDelayMs`. */
  retry: RetryPolicy;
  /** The most rows one claim takes. */
  batchSize: number;
  pollIntervalMs: number;
  /** `iss` of the httpSMS JWT. */
  issuer: string;
  /** Refuse receivers on private or local addresses (off for self-hosting). */
  refusePrivateNetworks: boolean;
}

/** 5 s, 20 s, 80 s, … ×4, capped at 24 h: 12 attempts span about four days. */
export const DEFAULT_WEBHOOK_OPTIONS: WebhookDeliveryOptions = Object.freeze({
  concurrency: 64,
  perWebhookConcurrency: 8,
  timeoutMs: 15_000,
  maxAttempts: 12,
  retry: Object.freeze({
    minDelayMs: 5_000,
    maxDelayMs: 24 * 3_600_000,
    multiplier: 4,
    jitter: 0.2,
  }),
  batchSize: 200,
  pollIntervalMs: 1_000,
  issuer: 'api.httpsms.com',
  refusePrivateNetworks: false,
});
