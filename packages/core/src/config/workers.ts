/**
 * The options of the gateway's workers (dispatcher, heartbeat monitor, webhook
 * deliveries) and their defaults; `config.ts` validates them with the rest.
 */
import type { RetryPolicy } from '../jobs/backoff.js';

/** Transport retries of the dispatcher (a retryable transport failure). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  minDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  multiplier: 2,
  jitter: 0.2,
});

export interface DispatcherOptions {
  /** Rows claimed per round. */
  batchSize: number;
  /** How long a claim is held before another node may take the row over. */
  leaseMs: number;
  /** Safety poll: the longest the dispatcher sleeps without looking. */
  pollIntervalMs: number;
  /** Hand-offs running at once; also bounds the steps of one round worked on at once. */
  concurrency: number;
  /**
   * While rounds come back full, how many of the next rounds take their rows (their
   * first transaction) while the round in hand is worked: the database works on one
   * round while this process works on another. Default: 2 on a store whose claims
   * skip locked rows (Postgres, MySQL/MariaDB), 0 (one round at a time) on one that
   * runs one transaction at a time in this process (SQLite, memory), where nothing
   * would overlap. Transports hold back what a phone cannot take yet (e.g. the
   * WebSocket transport's `maxUnackedMessages`), so a faster backlog does not
   * outrun its acks.
   */
  roundsAhead?: number;
  /** Transport retries (retryable errors) before the message fails. */
  maxTransportRetries: number;
  retry: RetryPolicy;
  /** How often the messages of stranded phones are checked (see stranded.ts). */
  strandedCheckMs: number;
}

export const DEFAULT_DISPATCHER_OPTIONS: DispatcherOptions = Object.freeze({
  batchSize: 200,
  leaseMs: 30_000,
  pollIntervalMs: 1_000,
  concurrency: 16,
  maxTransportRetries: 5,
  retry: DEFAULT_RETRY_POLICY,
  strandedCheckMs: 60_000,
});

export interface HeartbeatOptions {
  /** How often each phone is checked (httpSMS: 16 minutes). */
  checkIntervalMs: number;
  /** Age after which a heartbeat is requested (httpSMS: 16 minutes). */
  missedAfterMs: number;
  /** Age after which the phone is offline (httpSMS: 64 minutes). */
  offlineAfterMs: number;
  batchSize: number;
}

export const DEFAULT_HEARTBEAT_OPTIONS: HeartbeatOptions = Object.freeze({
  checkIntervalMs: 16 * 60_000,
  missedAfterMs: 16 * 60_000,
  offlineAfterMs: 64 * 60_000,
  batchSize: 200,
});

export interface WebhookDeliveryOptions {
  /** Deliveries in flight at once. */
  concurrency: number;
  /**
   * Deliveries in flight at once to one webhook: a slow receiver holds at most this
   * many of the `concurrency` slots, so other webhooks keep theirs.
   */
  perWebhookConcurrency: number;
  /**
   * Deliveries in flight at once for one account, so an account with many slow
   * receivers leaves slots to the others. Default: a quarter of `concurrency`, at least
   * twice `perWebhookConcurrency`; never more than `concurrency`.
   */
  perAccountConcurrency?: number;
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
