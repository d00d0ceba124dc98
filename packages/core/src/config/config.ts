/**
 * Gateway configuration, validated once at construction. Every problem is
 * reported at once, each with what to do about it. Every default of the gateway
 * and its workers lives here.
 */
import { z } from 'zod';
import type { AlertSender } from '../alert-sender.js';
import type { AttachmentStore } from '../attachments/store.js';
import { createMemoryAttachmentStore } from '../attachments/store.js';
import type { Clock, Random } from '../clock.js';
import { systemClock, systemRandom } from '../clock.js';
import { GatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import { consoleLogger } from '../logger.js';
import type { Notifier } from '../notifier.js';
import { createLocalNotifier } from '../notifier.js';
import type { Store } from '../store.js';
import type { Transport } from '../transport.js';
import { discordConfigSchema } from './integrations.js';
import { failureRetrySchema, optOutSchema, poolsSchema, quotaSchema } from './routing.js';

import {
  DEFAULT_DISPATCHER_OPTIONS,
  DEFAULT_HEARTBEAT_OPTIONS,
  DEFAULT_RETRY_POLICY,
  DEFAULT_WEBHOOK_OPTIONS,
} from './workers.js';

export * from './workers.js';

/**
 * What retention removes (see retention/worker.ts). A number of days counts from
 * a row's last update; `null` or 0 keeps those rows for ever.
 */
export interface RetentionPolicy {
  /** Finished messages (sent, delivered, failed, expired for good, received, canceled). */
  messagesDays: number | null;
  heartbeatsDays: number | null;
  /** Webhook outbox rows that were delivered or given up (pending rows are never removed). */
  webhookOutboxDays: number | null;
  /** Idempotency records past `idempotencyTtlSeconds` (they can no longer replay anything). */
  idempotency: boolean;
  /** The most rows one delete removes (one short transaction). */
  batchSize: number;
  /** The most batches one run deletes from each table; the next run goes on. */
  maxBatchesPerRun: number;
}

export interface RetentionOptions extends RetentionPolicy {
  /** How often it runs while the gateway runs. */
  intervalMs: number;
}

/** The defaults a `retention: {}` opts in to (the server's defaults too). */
export const DEFAULT_RETENTION_OPTIONS: RetentionOptions = Object.freeze({
  messagesDays: 90,
  heartbeatsDays: 7,
  webhookOutboxDays: 14,
  idempotency: true,
  batchSize: 500,
  maxBatchesPerRun: 200,
  intervalMs: 3_600_000,
});

const days = (fallback: number | null) =>
  z.number().int().min(0).max(36_500).nullable().default(fallback);

const STORE_METHODS = [
  'transaction',
  'insertMessages',
  'transition',
  'claimDue',
  'takeOutstanding',
];

function hasMethods(value: unknown, names: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return names.every((name) => typeof record[name] === 'function');
}

const configSchema = z.object({
  store: z.custom<Store>((v) => hasMethods(v, STORE_METHODS), {
    message:
      'must implement the Store contract of @textport/core/store: pass createMemoryStore() or a store adapter such as createKnexStore(knex)',
  }),
  clock: z
    .custom<Clock>((v) => hasMethods(v, ['now']), {
      message: 'must be an object with a now() method returning epoch milliseconds',
    })
    .default(systemClock),
  random: z
    .custom<Random>((v) => hasMethods(v, ['next', 'uuid', 'bytes']), {
      message: 'must be an object with next(), uuid() and bytes(size) methods',
    })
    .optional(),
  logger: z
    .custom<Logger>((v) => hasMethods(v, ['debug', 'info', 'warn', 'error']), {
      message: 'must be a pino-compatible logger (debug, info, warn and error methods)',
    })
    .default(consoleLogger),
  attachments: z
    .custom<AttachmentStore>((v) => hasMethods(v, ['put', 'get', 'delete']), {
      message: 'must implement AttachmentStore (put, get and delete methods; list for the sweep)',
    })
    .optional(),
  phoneDefaults: z
    .object({
      messagesPerMinute: z.number().int().min(0).max(60).default(10),
      messageExpirationSeconds: z.number().int().min(60).max(3600).default(600),
      maxSendAttempts: z.number().int().min(1).max(5).default(2),
    })
    .prefault({}),
  /** How long an Idempotency-Key is remembered. */
  idempotencyTtlSeconds: z
    .number()
    .int()
    .positive()
    .default(24 * 3600),
  /** How far ahead `send_at` may be. */
  maxScheduleAheadHours: z.number().positive().default(480),
  /** How messages reach phones; the dispatcher runs only when at least one is given. */
  transports: z
    .array(
      z.custom<Transport>(
        (v) => hasMethods(v, ['start', 'stop', 'reach', 'notify', 'requestHeartbeat']),
        { message: 'must implement the Transport contract of @textport/core (see transport.ts)' },
      ),
    )
    .default([]),
  /** Cross-node wake-ups; in-process by default. */
  notifier: z
    .custom<Notifier>((v) => hasMethods(v, ['publish', 'subscribe']), {
      message: 'must implement the Notifier contract (publish and subscribe methods)',
    })
    .optional(),
  /**
   * Where alerts go (e-mails when a message finally fails, a webhook keeps failing, a
   * phone goes offline; see alerts/alerter.ts). None: no alerts.
   */
  alerts: z
    .custom<AlertSender>((v) => hasMethods(v, ['send']), {
      message: 'must implement the AlertSender contract (a send(alert) method)',
    })
    .optional(),
  /** Discord: incoming SMS to channels, slash commands that send (see config/integrations.ts). */
  discord: discordConfigSchema.optional(),
  /** A stable name of this node, used as its lease owner (default: a random id). */
  nodeId: z.string().min(1).optional(),
  dispatch: z
    .object({
      batchSize: z.number().int().min(1).max(10_000).default(DEFAULT_DISPATCHER_OPTIONS.batchSize),
      leaseMs: z.number().int().min(1000).default(DEFAULT_DISPATCHER_OPTIONS.leaseMs),
      pollIntervalMs: z
        .number()
        .int()
        .min(10)
        .max(60_000)
        .default(DEFAULT_DISPATCHER_OPTIONS.pollIntervalMs),
      concurrency: z
        .number()
        .int()
        .min(1)
        .max(1000)
        .default(DEFAULT_DISPATCHER_OPTIONS.concurrency),
      roundsAhead: z.number().int().min(0).max(8).optional(),
      maxTransportRetries: z
        .number()
        .int()
        .min(0)
        .max(100)
        .default(DEFAULT_DISPATCHER_OPTIONS.maxTransportRetries),
      strandedCheckMs: z
        .number()
        .int()
        .min(1000)
        .default(DEFAULT_DISPATCHER_OPTIONS.strandedCheckMs),
      retry: z
        .object({
          minDelayMs: z.number().int().min(0).default(DEFAULT_RETRY_POLICY.minDelayMs),
          maxDelayMs: z.number().int().min(0).default(DEFAULT_RETRY_POLICY.maxDelayMs),
          multiplier: z.number().min(1).default(DEFAULT_RETRY_POLICY.multiplier),
          jitter: z.number().min(0).max(1).default(DEFAULT_RETRY_POLICY.jitter),
        })
        .prefault({}),
    })
    .prefault({}),
  heartbeat: z
    .object({
      checkIntervalMs: z
        .number()
        .int()
        .min(1000)
        .default(DEFAULT_HEARTBEAT_OPTIONS.checkIntervalMs),
      missedAfterMs: z.number().int().min(1000).default(DEFAULT_HEARTBEAT_OPTIONS.missedAfterMs),
      offlineAfterMs: z.number().int().min(1000).default(DEFAULT_HEARTBEAT_OPTIONS.offlineAfterMs),
      batchSize: z.number().int().min(1).default(DEFAULT_HEARTBEAT_OPTIONS.batchSize),
    })
    .prefault({}),
  /** Webhook delivery (retries over days by default; see webhooks/worker.ts). */
  webhooks: z
    .object({
      concurrency: z.number().int().min(1).max(1000).default(DEFAULT_WEBHOOK_OPTIONS.concurrency),
      perWebhookConcurrency: z
        .number()
        .int()
        .min(1)
        .max(1000)
        .default(DEFAULT_WEBHOOK_OPTIONS.perWebhookConcurrency),
      perAccountConcurrency: z.number().int().min(1).max(1000).optional(),
      timeoutMs: z.number().int().min(100).max(120_000).default(DEFAULT_WEBHOOK_OPTIONS.timeoutMs),
      maxAttempts: z.number().int().min(1).max(100).default(DEFAULT_WEBHOOK_OPTIONS.maxAttempts),
      retry: z
        .object({
          minDelayMs: z.number().int().min(0).default(DEFAULT_WEBHOOK_OPTIONS.retry.minDelayMs),
          maxDelayMs: z.number().int().min(0).default(DEFAULT_WEBHOOK_OPTIONS.retry.maxDelayMs),
          multiplier: z.number().min(1).default(DEFAULT_WEBHOOK_OPTIONS.retry.multiplier),
          jitter: z.number().min(0).max(1).default(DEFAULT_WEBHOOK_OPTIONS.retry.jitter),
        })
        .prefault({}),
      batchSize: z.number().int().min(1).max(10_000).default(DEFAULT_WEBHOOK_OPTIONS.batchSize),
      pollIntervalMs: z
        .number()
        .int()
        .min(10)
        .max(60_000)
        .default(DEFAULT_WEBHOOK_OPTIONS.pollIntervalMs),
      issuer: z.string().min(1).default(DEFAULT_WEBHOOK_OPTIONS.issuer),
      refusePrivateNetworks: z.boolean().default(DEFAULT_WEBHOOK_OPTIONS.refusePrivateNetworks),
    })
    .prefault({}),
  phoneKeys: z
    .object({
      /**
       * Phone keys work only for the numbers they were created for: creating one needs
       * `phone_numbers`, and a key created without (before this was turned on) logs in
       * only for the numbers it already holds. Off: the httpSMS rule, a phone key logs
       * in for any number of its account.
       */
      restricted: z.boolean().default(false),
    })
    .prefault({}),
  /** The sweep of attachment files no message points at (see gateway/attachment-sweep.ts). */
  attachmentSweep: z
    .object({
      /** How often it runs; 0 turns it off. */
      intervalMs: z.number().int().min(0).default(3_600_000),
      /** A file this old that no message lists is an orphan (a receive takes seconds). */
      orphanAfterMs: z.number().int().min(60_000).default(3_600_000),
    })
    .prefault({}),
  /**
   * Removal of old rows (see retention/worker.ts): off unless given; `{}` takes
   * `DEFAULT_RETENTION_OPTIONS`.
   */
  retention: z
    .object({
      messagesDays: days(DEFAULT_RETENTION_OPTIONS.messagesDays),
      heartbeatsDays: days(DEFAULT_RETENTION_OPTIONS.heartbeatsDays),
      webhookOutboxDays: days(DEFAULT_RETENTION_OPTIONS.webhookOutboxDays),
      idempotency: z.boolean().default(DEFAULT_RETENTION_OPTIONS.idempotency),
      batchSize: z.number().int().min(1).max(10_000).default(DEFAULT_RETENTION_OPTIONS.batchSize),
      maxBatchesPerRun: z.number().int().min(1).default(DEFAULT_RETENTION_OPTIONS.maxBatchesPerRun),
      intervalMs: z.number().int().min(60_000).default(DEFAULT_RETENTION_OPTIONS.intervalMs),
    })
    .optional(),
  /** Opt-out keywords, their scope and confirmation replies (docs/routing.md). */
  optOut: optOutSchema,
  /** Which failures the phone reports are retried, and the backoff (docs/routing.md). */
  failureRetry: failureRetrySchema,
  /** Asked before a send writes anything; a refusal is HTTP 402 (docs/routing.md). */
  quota: quotaSchema,
  /** When a pool member counts as unable to send, and how often queues move off it (docs/routing.md). */
  pools: poolsSchema,
  /** Base URL under which attachment URLs are built, e.g. `https://sms.example.com`. */
  publicUrl: z.string().url().optional(),
});

export type GatewayConfig = z.input<typeof configSchema>;

export interface ResolvedConfig
  extends Omit<z.output<typeof configSchema>, 'random' | 'notifier' | 'nodeId'> {
  random: Random;
  attachments: AttachmentStore;
  notifier: Notifier;
  nodeId: string;
}

export function resolveConfig(input: GatewayConfig): ResolvedConfig {
  const parsed = configSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : 'config';
      return `  - ${path}: ${issue.message}`;
    });
    throw new GatewayError('config', `Invalid textport configuration:\n${problems.join('\n')}`, {
      cause: parsed.error,
    });
  }
  const config = parsed.data;
  const random = config.random ?? systemRandom();
  return {
    ...config,
    random,
    attachments: config.attachments ?? createMemoryAttachmentStore(config.clock),
    notifier: config.notifier ?? createLocalNotifier(),
    nodeId: config.nodeId ?? `node-${random.uuid()}`,
  };
}
