/**
 * One delivery attempt of an outbox row and its bookkeeping: 2xx is delivered;
 * `410 Gone` disables the webhook; a refused receiver (private network) fails the
 * row at once; anything else is retried with the policy's backoff, or with the
 * receiver's `Retry-After` when longer (capped at the longest backoff), until
 * `maxAttempts`. Every write is guarded by the row's lease (the claim that took it:
 * a row claimed again has a new lease, and the old one writes nothing). A delivery given up
 * (attempts used up, refused, or answered 410) is told to the gateway's listeners as
 * `webhook.send.failed` (the alerts); a delivered one ends the webhook's failing
 * episode (`failingSince`).
 */

import type { WebhookDeliveryOptions } from '../config/config.js';
import type { OutboxRecord, WebhookRecord } from '../domain/records.js';
import type { OperationEventData } from '../events/operations.js';
import { retryDelay } from '../jobs/backoff.js';
import type { GatewayContext } from '../uow/context.js';
import { deliveryBody } from './discord.js';
import { PrivateNetworkError } from './network.js';
import type { createPoster } from './post.js';
import { deliveryHeaders, type JwtCache } from './signing.js';

export interface AttemptDeps {
  ctx: GatewayContext;
  options: WebhookDeliveryOptions;
  http: ReturnType<typeof createPoster>;
  tokens: JwtCache;
}

type Outcome = { httpStatus: number | null } & (
  | { kind: 'delivered' }
  | { kind: 'gone'; error: string }
  | { kind: 'retry'; error: string; retryAfterMs: number }
  | { kind: 'refused'; error: string }
);

type Reported = OperationEventData['webhook.attempt'];

/** Tells `webhook.attempt` listeners how an attempt of `row` ended. */
function report(
  deps: AttemptDeps,
  row: OutboxRecord,
  outcome: Reported['outcome'],
  rest: Pick<Reported, 'httpStatus' | 'error' | 'durationMs'>,
): void {
  deps.ctx.operations.report('webhook.attempt', () => ({
    webhookId: row.webhookId,
    eventType: row.eventType,
    outcome,
    ...rest,
  }));
}

/** Whether a failed attempt of `row` (not yet counted) leaves attempts for a retry. */
function retriesLeft(options: WebhookDeliveryOptions, row: OutboxRecord): boolean {
  return row.attempts + 1 < options.maxAttempts;
}

/** `Retry-After` as milliseconds (delta seconds or an HTTP date), else 0. */
export function retryAfterMs(header: string | null, now: number): number {
  if (!header) return 0;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? 0 : Math.max(0, at - now);
}

/** Attempts `row` for `hook` (null: deleted) and records the outcome. */
export async function deliverRow(
  deps: AttemptDeps,
  row: OutboxRecord,
  hook: WebhookRecord | null,
): Promise<void> {
  if (!hook?.enabled) {
    const error = hook ? 'the webhook is disabled' : 'the webhook was deleted';
    await finish(deps, row, 'failed', error, null);
    report(deps, row, 'failed', { httpStatus: null, error, durationMs: 0 });
    return;
  }
  const startedAt = deps.ctx.clock.now();
  const outcome = await attempt(deps, row, hook);
  const durationMs = Math.max(0, deps.ctx.clock.now() - startedAt);
  const error = outcome.kind === 'delivered' ? null : outcome.error;
  const retried = outcome.kind === 'retry' && retriesLeft(deps.options, row);
  const kind =
    outcome.kind === 'delivered' ? 'delivered' : outcome.kind === 'retry' ? 'retry' : 'failed';
  const told = kind === 'retry' && !retried ? 'gave_up' : kind;
  report(deps, row, told, { httpStatus: outcome.httpStatus, error, durationMs });
  if (outcome.kind === 'delivered') {
    await finish(deps, row, 'delivered', null, outcome.httpStatus);
    // The webhook delivers again: its failing episode (if any) is over.
    if (hook.failingSince !== null) {
      await deps.ctx.store.updateWebhook(hook.id, { failingSince: null });
    }
  } else if (outcome.kind === 'refused') {
    const done = await finish(deps, row, 'failed', outcome.error, null);
    if (done) gaveUp(deps.ctx, row, hook, outcome.error, null);
  } else if (outcome.kind === 'gone') {
    await deps.ctx.store.updateWebhook(hook.id, {
      enabled: false,
      updatedAt: deps.ctx.clock.now(),
    });
    const done = await finish(deps, row, 'failed', outcome.error, outcome.httpStatus);
    if (done) gaveUp(deps.ctx, row, hook, outcome.error, outcome.httpStatus);
  } else await retry(deps, row, hook, outcome.error, outcome.httpStatus, outcome.retryAfterMs);
}

/** The phone number an outbox row's event concerns (its CloudEvent's `data.owner`). */
function ownerOf(row: OutboxRecord): string {
  try {
    const owner = (JSON.parse(row.payload) as { data?: { owner?: unknown } }).data?.owner;
    return typeof owner === 'string' ? owner : '';
  } catch {
    return '';
  }
}

/** Tells the gateway's listeners (the alerts) that a delivery of `row` was given up. */
function gaveUp(
  ctx: GatewayContext,
  row: OutboxRecord,
  hook: WebhookRecord,
  error: string,
  httpStatus: number | null,
): void {
  const owner = ownerOf(row);
  ctx.emitter.dispatch({
    id: ctx.random.uuid(),
    type: 'webhook.send.failed',
    source: '/v1/webhooks',
    time: ctx.clock.now(),
    accountId: row.accountId,
    owner,
    data: {
      webhook_id: hook.id,
      webhook_url: hook.url,
      owner,
      user_id: row.accountId,
      event_id: row.eventId,
      event_type: row.eventType,
      event_payload: row.payload,
      http_response_status_code: httpStatus,
      error_message: error,
    },
  });
}

async function attempt(
  { ctx, options, http, tokens }: AttemptDeps,
  row: OutboxRecord,
  hook: WebhookRecord,
): Promise<Outcome> {
  const now = ctx.clock.now();
  // The CloudEvent, or the Discord message it becomes for a Discord webhook (discord.ts).
  const body = deliveryBody(hook.url, row.eventType, row.payload);
  const headers = await deliveryHeaders({
    eventId: row.eventId,
    eventType: row.eventType,
    body,
    url: hook.url,
    accountId: row.accountId,
    signingKey: hook.signingKey,
    issuer: options.issuer,
    now,
    tokens,
  });
  try {
    const response = await http.post(hook.url, headers, body, options.timeoutMs);
    const httpStatus = response.status;
    if (httpStatus >= 200 && httpStatus < 300) return { kind: 'delivered', httpStatus };
    let error = `HTTP ${response.status} ${response.statusText}`.trim();
    if (response.status === 410)
      return { kind: 'gone', httpStatus, error: `${error}: the webhook was disabled` };
    if (response.location) {
      error += `: redirect to ${response.location} not followed (only same-origin redirects are)`;
    }
    const retryAfter = retryAfterMs(response.retryAfter, now);
    return { kind: 'retry', httpStatus, error, retryAfterMs: retryAfter };
  } catch (error) {
    if (error instanceof PrivateNetworkError) {
      return { kind: 'refused', httpStatus: null, error: error.message };
    }
    return {
      kind: 'retry',
      httpStatus: null,
      error: error instanceof Error ? error.message : String(error),
      retryAfterMs: 0,
    };
  }
}

/** The guard of a write about a claimed row: only while it still holds the lease it was claimed with. */
export function leaseOf(row: OutboxRecord): { leaseOwner: string } {
  return { leaseOwner: row.leaseOwner ?? '' };
}

function finish(
  { ctx }: AttemptDeps,
  row: OutboxRecord,
  status: 'delivered' | 'failed',
  lastError: string | null,
  lastHttpStatus: number | null,
) {
  const now = ctx.clock.now();
  return ctx.store.updateOutbox(
    row.id,
    {
      status,
      attempts: row.attempts + 1,
      lastError,
      lastHttpStatus,
      leaseOwner: null,
      leaseUntil: null,
      updatedAt: now,
    },
    leaseOf(row),
  );
}

async function retry(
  deps: AttemptDeps,
  row: OutboxRecord,
  hook: WebhookRecord,
  error: string,
  httpStatus: number | null,
  retryAfter: number,
) {
  const { ctx, options } = deps;
  const attempts = row.attempts + 1;
  if (!retriesLeft(options, row)) {
    const last = `${error} (gave up after ${attempts} attempts)`;
    if (await finish(deps, row, 'failed', last, httpStatus))
      gaveUp(ctx, row, hook, last, httpStatus);
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
      lastHttpStatus: httpStatus,
      nextAttemptAt: now + delay,
      leaseOwner: null,
      leaseUntil: null,
      updatedAt: now,
    },
    leaseOf(row),
  );
}
