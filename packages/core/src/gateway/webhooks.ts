/**
 * Webhooks: where an account's events are POSTed (`/v1/webhooks` in docs/http-api.md). A webhook
 * subscribes to event types of the allow-list for some of the account's numbers.
 */
import { sanitizeAddress } from '../domain/phone-number.js';
import type { WebhookRecord } from '../domain/records.js';
import { GatewayError } from '../errors.js';
import { isWebhookEvent, WEBHOOK_EVENTS } from '../events/events.js';
import type { GatewayContext } from '../uow/context.js';
import { whsecKeyProblem } from '../webhooks/signing.js';
import { Checker, isHttpUrl } from './validate.js';

export interface WebhookInput {
  /** Trimmed; `https://` is prepended when it has no scheme. */
  url: string;
  /**
   * HS256 key of the `Authorization: Bearer` JWT; blank = no signature. A `whsec_` key
   * must be base64 of at least 24 bytes (it is the Standard Webhooks HMAC key).
   */
  signingKey?: string | null;
  /** Event types of `WEBHOOK_EVENTS`; duplicates are dropped. */
  events: readonly string[];
  /** Numbers of the account's phones whose events are sent. */
  phoneNumbers: readonly string[];
}

export interface WebhookListInput {
  query?: string | null;
  skip?: number;
  limit?: number;
}

type WebhookFields = Pick<WebhookRecord, 'url' | 'signingKey' | 'events' | 'phoneNumbers'>;

function notFound(id: string): GatewayError {
  return GatewayError.notFound(`cannot find webhook with ID [${id}]`);
}

function normalizeUrl(value: unknown): string {
  const url = typeof value === 'string' ? value.trim() : '';
  if (url === '' || /^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  return `https://${url}`;
}

async function checkWebhook(
  ctx: GatewayContext,
  accountId: string,
  input: WebhookInput,
): Promise<WebhookFields> {
  const check = new Checker();
  const url = check.text('url', normalizeUrl(input.url), 1, 255);
  if (url !== '' && !isHttpUrl(url)) {
    check.add('url', 'The url field must be a valid http or https URL');
  }
  const signingKey = check.text('signing_key', input.signingKey ?? '', 1, 255, false) || null;
  const keyProblem = signingKey === null ? null : whsecKeyProblem(signingKey);
  if (keyProblem) {
    check.add(
      'signing_key',
      `The signing_key field ${keyProblem}; generate one with whsec_ + base64 of 32 random bytes, or use a key without the whsec_ prefix`,
    );
  }

  const events = [...new Set(input.events ?? [])];
  if (events.length === 0) check.add('events', 'The events field is required');
  for (const event of events) {
    if (!isWebhookEvent(event)) {
      check.add(
        'events',
        `The events field contains an unknown event [${event}]; allowed: ${WEBHOOK_EVENTS.join(', ')}`,
      );
    }
  }

  const raw = input.phoneNumbers ?? [];
  if (raw.length === 0) check.add('phone_numbers', 'The phone_numbers field is required');
  const phoneNumbers = [...new Set(raw.map((n) => sanitizeAddress(String(n))))];
  check.throwIfInvalid();

  for (const number of phoneNumbers) {
    if (!(await ctx.store.findPhoneByNumber(accountId, number))) {
      check.add(
        'phone_numbers',
        `The phone number [${number}] is not available in your account. Install the android app on your phone to store a webhook with this phone number`,
      );
    }
  }
  check.throwIfInvalid();
  return { url, signingKey, events, phoneNumbers };
}

export async function createWebhook(
  ctx: GatewayContext,
  accountId: string,
  input: WebhookInput,
): Promise<WebhookRecord> {
  const fields = await checkWebhook(ctx, accountId, input);
  const now = ctx.clock.now();
  const webhook: WebhookRecord = {
    id: ctx.random.uuid(),
    accountId,
    ...fields,
    enabled: true,
    failingSince: null,
    createdAt: now,
    updatedAt: now,
  };
  await ctx.store.insertWebhook(webhook);
  return webhook;
}

export async function getWebhook(
  ctx: GatewayContext,
  accountId: string,
  id: string,
): Promise<WebhookRecord> {
  const webhook = await ctx.store.getWebhook(accountId, id);
  if (!webhook) throw notFound(id);
  return webhook;
}

export function listWebhooks(ctx: GatewayContext, accountId: string, input: WebhookListInput = {}) {
  return ctx.store.listWebhooks({
    accountId,
    query: input.query ?? null,
    skip: Math.max(0, input.skip ?? 0),
    limit: input.limit ?? 1,
  });
}

/**
 * Replaces the URL, signing key, events and numbers of a webhook. A changed webhook
 * starts afresh: it is enabled again (a receiver's `410 Gone` disabled it) and its
 * failing episode (if any) ends, so its next failure is alerted.
 */
export async function updateWebhook(
  ctx: GatewayContext,
  accountId: string,
  id: string,
  input: WebhookInput,
): Promise<WebhookRecord> {
  await getWebhook(ctx, accountId, id);
  const fields = await checkWebhook(ctx, accountId, input);
  const updated = await ctx.store.updateWebhook(id, {
    ...fields,
    enabled: true,
    failingSince: null,
    updatedAt: ctx.clock.now(),
  });
  if (!updated) throw notFound(id);
  return updated;
}

export async function deleteWebhook(
  ctx: GatewayContext,
  accountId: string,
  id: string,
): Promise<void> {
  if (!(await ctx.store.deleteWebhook(accountId, id))) throw notFound(id);
}
