/**
 * Devices (`GET /devices`, `DELETE /devices/{id}`) and the webhook registrations
 * the phones execute (`GET`/`POST /webhooks`, `DELETE /webhooks/{id}`): passed to
 * the phones unchanged, so the user's receiver gets the app's own payloads.
 */
import type { RequestContext } from '../http/io.js';
import { badRequest, readJson, sendEmpty, sendJson } from '../http/io.js';
import { newId } from '../ids.js';
import type { DeviceRecord, WebhookRegistration } from '../store/types.js';
import { formatDate, RECEIVER_WEBHOOK_ID, SMSGATE_WEBHOOK_EVENTS } from '../wire.js';
import { objectBody, optionalString } from './check.js';
import type { UserApiContext } from './types.js';

/** Registrations per account, at most. */
export const MAX_WEBHOOKS = 100;
const MAX_URL = 2048;

export function deviceView(d: DeviceRecord) {
  return {
    id: d.id,
    name: d.name ?? '',
    createdAt: formatDate(d.createdAt),
    updatedAt: formatDate(d.updatedAt),
    lastSeen: formatDate(d.lastSeen),
    ...(d.simCards ? { simCards: d.simCards } : {}),
  };
}

export async function listDevices(ctx: UserApiContext, accountId: string, rc: RequestContext) {
  const devices = await ctx.link.store.listDevices(accountId);
  sendJson(rc.res, 200, devices.map(deviceView));
}

/**
 * 204 also for an unknown id, like SMSGate's server; the device's token stops working
 * and its streams on this node close (on other nodes at their next device check).
 */
export async function deleteDevice(ctx: UserApiContext, accountId: string, rc: RequestContext) {
  const id = rc.params.id ?? '';
  if (await ctx.link.store.deleteDevice(accountId, id)) ctx.link.disconnect?.(id, accountId);
  sendEmpty(rc.res, 204);
}

const webhookView = (w: WebhookRegistration) => ({
  id: w.id,
  deviceId: w.deviceId,
  url: w.url,
  event: w.event,
});

export async function listWebhooks(ctx: UserApiContext, accountId: string, rc: RequestContext) {
  const hooks = await ctx.link.store.listWebhooks(accountId);
  sendJson(rc.res, 200, hooks.map(webhookView));
}

function webhookUrl(value: unknown): string {
  if (typeof value !== 'string' || value.length > MAX_URL || !/^https:\/\//i.test(value)) {
    throw badRequest(`url must be an https:// URL of at most ${MAX_URL} characters`);
  }
  try {
    new URL(value);
  } catch {
    throw badRequest('url must be a valid URL');
  }
  return value;
}

function webhookEvent(value: unknown): string {
  if (typeof value !== 'string' || !(SMSGATE_WEBHOOK_EVENTS as readonly string[]).includes(value)) {
    throw badRequest(`event must be one of ${SMSGATE_WEBHOOK_EVENTS.join(', ')}`);
  }
  return value;
}

export async function putWebhook(ctx: UserApiContext, accountId: string, rc: RequestContext) {
  const body = objectBody(await readJson(rc.req, ctx.maxBodyBytes));
  const id = optionalString(body, 'id', 36) ?? newId();
  if (id === RECEIVER_WEBHOOK_ID) {
    throw badRequest(
      `id "${RECEIVER_WEBHOOK_ID}" is reserved for textport's inbound receiver; choose another id or leave it out`,
    );
  }
  const deviceId = optionalString(body, 'deviceId', 21);
  const url = webhookUrl(body.url);
  const event = webhookEvent(body.event);
  const store = ctx.link.store;
  if (deviceId !== null) {
    const device = await store.getDevice(deviceId);
    if (!device || device.accountId !== accountId) throw badRequest('device not found');
  }
  const existing = await store.listWebhooks(accountId);
  const previous = existing.find((w) => w.id === id);
  if (!previous && existing.length >= MAX_WEBHOOKS) {
    throw badRequest(`an account has at most ${MAX_WEBHOOKS} webhooks`);
  }
  const hook: WebhookRegistration = {
    accountId,
    id,
    deviceId,
    url,
    event,
    createdAt: previous?.createdAt ?? ctx.now(),
  };
  await store.upsertWebhook(hook);
  // A registration that moved between devices concerns every device.
  const told = previous && previous.deviceId !== deviceId ? null : deviceId;
  ctx.link.tell(accountId, told, 'WebhooksUpdated');
  sendJson(rc.res, 201, webhookView(hook));
}

/** 204 also for an unknown id. */
export async function deleteWebhook(ctx: UserApiContext, accountId: string, rc: RequestContext) {
  const id = rc.params.id ?? '';
  const store = ctx.link.store;
  const previous = (await store.listWebhooks(accountId)).find((w) => w.id === id);
  // An unknown id (or another account's) changes nothing: no event, nothing logged for other nodes.
  if (await store.deleteWebhook(accountId, id)) {
    ctx.link.tell(accountId, previous?.deviceId ?? null, 'WebhooksUpdated');
  }
  sendEmpty(rc.res, 204);
}
