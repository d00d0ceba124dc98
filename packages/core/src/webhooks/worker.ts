/**
 * Webhook delivery: sends the outbox rows that state changes wrote in their own
 * transaction. Each row is one event for one webhook; every attempt posts the same
 * body with the same event id. 2xx is success; `410 Gone` disables the webhook;
 * anything else is retried with exponential backoff and jitter (honouring
 * `Retry-After`, capped at the longest backoff) until `maxAttempts`, spread over
 * days by default.
 */
import PQueue from 'p-queue';
import type { RetryPolicy } from '../dispatch/backoff.js';
import { retryDelay } from '../dispatch/backoff.js';
import { WorkLoop } from '../dispatch/work-loop.js';
import type { OutboxRecord, WebhookRecord } from '../domain/records.js';
import type { GatewayContext } from '../gateway/context.js';
import { resolvesToPrivateNetwork } from './network.js';
import { createPoster } from './post.js';
import { deliveryHeaders, JwtCache } from './signing.js';

export interface WebhookDeliveryOptions {
  /** Deliveries in flight at once. */
  concurrency: number;
  /** Per-attempt timeout. */
  timeoutMs: number;
  /** Attempts before a delivery is given up (status `failed`). */
  maxAttempts: number;
  retry: RetryPolicy;
  batchSize: number;
  pollIntervalMs: number;
  /** `iss` of the httpSMS JWT. */
  issuer: string;
  /** Refuse URLs that resolve to private or local addresses (off for self-hosting). */
  refusePrivateNetworks: boolean;
}

/** 5 s, 20 s, 80 s, … ×4, capped at 24 h: 12 attempts span about four days. */
export const DEFAULT_WEBHOOK_OPTIONS: WebhookDeliveryOptions = Object.freeze({
  concurrency: 64,
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

type Outcome =
  | { kind: 'delivered' }
  | { kind: 'gone'; error: string }
  | { kind: 'retry'; error: string; retryAfterMs: number }
  | { kind: 'refused'; error: string };

/** `Retry-After` as milliseconds (delta seconds or an HTTP date), else 0. */
export function retryAfterMs(header: string | null, now: number): number {
  if (!header) return 0;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? 0 : Math.max(0, at - now);
}

export class WebhookWorker {
  private readonly queue: PQueue;
  private readonly loop: WorkLoop;
  private readonly http: ReturnType<typeof createPoster>;
  private readonly tokens = new JwtCache();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly ctx: GatewayContext,
    private readonly options: WebhookDeliveryOptions,
    private readonly claimer: string,
  ) {
    this.queue = new PQueue({ concurrency: options.concurrency });
    this.http = createPoster(options.concurrency);
    this.loop = new WorkLoop({
      runOnce: () => this.runOnce(),
      batchSize: options.batchSize,
      pollIntervalMs: options.pollIntervalMs,
      onError: (error) => ctx.logger.error({ err: error }, 'webhook delivery round failed'),
    });
  }

  start(): void {
    if (this.loop.isRunning) return;
    this.unsubscribe = this.ctx.notifier.subscribe('outbox', () => this.loop.wake());
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.loop.stop();
    await this.queue.onIdle();
    this.http.close();
  }

  /** Claims due deliveries, sends them, and waits for the attempts; returns how many. */
  async runOnce(): Promise<number> {
    const rows = await this.ctx.store.claimOutbox({
      now: this.ctx.clock.now(),
      limit: this.options.batchSize,
      // An attempt never outlives its timeout; twice that is ample for a live worker.
      leaseMs: 2 * this.options.timeoutMs + 1000,
      claimer: this.claimer,
    });
    const hooks = new Map<string, WebhookRecord | null>();
    for (const row of rows) {
      void this.queue.add(() => this.deliver(row, hooks));
    }
    await this.queue.onIdle();
    return rows.length;
  }

  private async webhookOf(row: OutboxRecord, cache: Map<string, WebhookRecord | null>) {
    if (!cache.has(row.webhookId)) {
      cache.set(row.webhookId, await this.ctx.store.getWebhook(row.accountId, row.webhookId));
    }
    return cache.get(row.webhookId) ?? null;
  }

  private async deliver(row: OutboxRecord, cache: Map<string, WebhookRecord | null>) {
    try {
      const hook = await this.webhookOf(row, cache);
      if (!hook?.enabled) {
        await this.finish(
          row,
          'failed',
          hook ? 'the webhook is disabled' : 'the webhook was deleted',
        );
        return;
      }
      const outcome = await this.attempt(row, hook);
      if (outcome.kind === 'delivered') await this.finish(row, 'delivered', null);
      else if (outcome.kind === 'refused') await this.finish(row, 'failed', outcome.error);
      else if (outcome.kind === 'gone') {
        await this.ctx.store.updateWebhook(hook.id, {
          enabled: false,
          updatedAt: this.ctx.clock.now(),
        });
        cache.set(hook.id, { ...hook, enabled: false });
        await this.finish(row, 'failed', outcome.error);
      } else await this.retry(row, outcome.error, outcome.retryAfterMs);
    } catch (error) {
      this.ctx.logger.error(
        { err: error, deliveryId: row.id },
        'webhook delivery bookkeeping failed',
      );
    }
  }

  private async attempt(row: OutboxRecord, hook: WebhookRecord): Promise<Outcome> {
    const now = this.ctx.clock.now();
    if (
      this.options.refusePrivateNetworks &&
      (await resolvesToPrivateNetwork(hook.url).catch(() => true))
    ) {
      return {
        kind: 'refused',
        error: 'refused: the webhook URL resolves to a private network address',
      };
    }
    const headers = await deliveryHeaders({
      eventId: row.eventId,
      eventType: row.eventType,
      body: row.payload,
      url: hook.url,
      accountId: row.accountId,
      signingKey: hook.signingKey,
      issuer: this.options.issuer,
      now,
      tokens: this.tokens,
    });
    try {
      const response = await this.http.post(hook.url, headers, row.payload, this.options.timeoutMs);
      if (response.status >= 200 && response.status < 300) return { kind: 'delivered' };
      const error = `HTTP ${response.status} ${response.statusText}`.trim();
      if (response.status === 410)
        return { kind: 'gone', error: `${error}: the webhook was disabled` };
      return { kind: 'retry', error, retryAfterMs: retryAfterMs(response.retryAfter, now) };
    } catch (error) {
      return {
        kind: 'retry',
        error: error instanceof Error ? error.message : String(error),
        retryAfterMs: 0,
      };
    }
  }

  private finish(row: OutboxRecord, status: 'delivered' | 'failed', lastError: string | null) {
    const now = this.ctx.clock.now();
    return this.ctx.store.updateOutbox(
      row.id,
      {
        status,
        attempts: row.attempts + 1,
        lastError,
        leaseOwner: null,
        leaseUntil: null,
        updatedAt: now,
      },
      { leaseOwner: this.claimer },
    );
  }

  private async retry(row: OutboxRecord, error: string, retryAfter: number) {
    const attempts = row.attempts + 1;
    if (attempts >= this.options.maxAttempts) {
      await this.finish(row, 'failed', `${error} (gave up after ${attempts} attempts)`);
      return;
    }
    const now = this.ctx.clock.now();
    // Retry-After is honoured up to the longest backoff: a receiver cannot push the next
    // attempt past what the policy would wait (nor past what a bigint column holds).
    const delay = Math.max(
      Math.min(retryAfter, this.options.retry.maxDelayMs),
      retryDelay(attempts, this.options.retry, this.ctx.random.next()),
    );
    await this.ctx.store.updateOutbox(
      row.id,
      {
        attempts,
        lastError: error,
        nextAttemptAt: now + delay,
        leaseOwner: null,
        leaseUntil: null,
        updatedAt: now,
      },
      { leaseOwner: this.claimer },
    );
  }
}
