/**
 * One delivery attempt of an outbox row and its bookkeeping: 2xx is delivered;
 * `410 Gone` disables the webhook; a refused receiver (private network) fails the
 * row at once; anything else is retried with the policy's backoff, or with the
 * receiver's `Retry-After` when longer (capped at the longest backoff), until
 * `maxAttempts`. Every write is guarded by the claimer's lease.
 */

import type { WebhookDeliveryOptions } from '../config/config.js';
import type { OutboxRecord, WebhookRecord } from '../domain/records.js';
import { retryDelay } from '../jobs/backoff.js';
import type { GatewayContext } from '../uow/context.js';
import { PrivateNetworkError } from './network.js';
import type { createPoster } from './post.js';
import { deliveryHeaders, type JwtCache } from './signing.js';

export interface AttemptDeps {
  ctx: GatewayContext;
  options: WebhookDeliveryOptions;
  claimer: string;
  http: ReturnType<typeof createPoster>;
  tokens: JwtCache;
}

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

/**
 * Attempts `row` for `hook` (null: deleted) and records the outcome.
 * Returns true when the receiver answered 410 and the webhook was disabled.
 */
export async function deliverRow(
  deps: AttemptDeps,
  row: OutboxRecord,
  hook: WebhookRecord | null,
): Promise<boolean> {
  if (!hook?.enabled) {
    await finish(deps, row, 'failed', hook ? 'the webhook is disabled' : 'the webhook was deleted');
    return false;
  }
  const outcome = await attempt(deps, row, hook);
  if (outcome.kind === 'delivered') await finish(deps, row, 'delivered', null);
  else if (outcome.kind === 'refused') await finish(deps, row, 'failed', outcome.error);
  else if (outcome.kind === 'gone') {
    await deps.ctx.store.updateWebhook(hook.id, {
      enabled: false,
      updatedAt: deps.ctx.clock.now(),
    });
    await finish(deps, row, 'failed', outcome.error);
    return true;
  } else await retry(deps, row, outcome.error, outcome.retryAfterMs);
  return false;
}

async function attempt(
  { ctx, options, http, tokens }: AttemptDeps,
  row: OutboxRecord,
  hook: WebhookRecord,
): Promise<Outcome> {
  const now = ctx.clock.now();
  const headers = await deliveryHeaders({
    eventId: row.eventId,
    eventType: row.eventType,
    body: row.payload,
    url: hook.url,
    accountId: row.accountId,
    signingKey: hook.signingKey,
    issuer: options.issuer,
    now,
    tokens,
  });
  try {
    const response = await http.post(hook.url, headers, row.payload, options.timeoutMs);
    if (response.status >= 200 && response.status < 300) return { kind: 'delivered' };
    let error = `HTTP ${response.status} ${response.statusText}`.trim();
    if (response.status === 410)
      return { kind: 'gone', error: `${error}: the webhook was disabled` };
    if (response.location) {
      error += `: redirect to ${response.location} not followed (only same-origin redirects are)`;
    }
    return { kind: 'retry', error, retryAfterMs: retryAfterMs(response.retryAfter, now) };
  } catch (error) {
    if (error instanceof PrivateNetworkError) return { kind: 'refused', error: error.message };
    return {
      kind: 'retry',
      error: error instanceof Error ? error.message : String(error),
      retryAfterMs: 0,
    };
  }
}

function finish(
  { ctx, claimer }: AttemptDeps,
  row: OutboxRecord,
  status: 'delivered' | 'failed',
  lastError: string | null,
) {
  const now = ctx.clock.now();
  return ctx.store.updateOutbox(
    row.id,
    {
      status,
      attempts: row.attempts + 1,
      lastError,
      leaseOwner: null,
      leaseUntil: null,
      updatedAt: now,
    },
    { leaseOwner: claimer },
  );
}

async function retry(deps: AttemptDeps, row: OutboxRecord, error: string, retryAfter: number) {
  const { ctx, options, claimer } = deps;
  const attempts = row.attempts + 1;
  if (attempts >= options.maxAttempts) {
    await finish(deps, row, 'failed', `${error} (gave up after ${attempts} attempts)`);
    return;
  }
  const now = ctx.clock.now();
  // Retry-After is honoured up to the longest backoff: a receiver cannot push the next
  // attempt past what the policy would wait (nor past what a bigint column holds).
  const delay = Math.max(
    Math.min(retryAfter, options.retry.maxDelayMs),
    retryDelay(attempts, options.retry, ctx.random.next()),
  );
  await ctx.store.updateOutbox(
    row.id,
    {
      attempts,
      lastError: error,
      nextAttemptAt: now + delay,
      leaseOwner: null,
      leaseUntil: null,
      updatedAt: now,
    },
    { leaseOwner: claimer },
  );
}
