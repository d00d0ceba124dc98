/**
 * What the app imports (§2.7, §2.8): its webhook list, with textport's own inbound
 * receiver added, and the account's settings with the device's signing key.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '@textport/core';
import type { RequestContext } from '../http/io.js';
import { sendJson } from '../http/io.js';
import type { SettingsDocument } from '../store/types.js';
import type { SmsGateWebhookEvent } from '../wire.js';
import { RECEIVER_WEBHOOK_ID, SMSGATE_WEBHOOK_EVENTS } from '../wire.js';
import type { MobileContext } from './context.js';
import { requireDevice } from './context.js';

let warnedNoHost = false;

/**
 * textport's inbound receiver: `<publicUrl><mobilePath>/inbound`, else from the
 * request's `Host` and protocol (`X-Forwarded-Proto` when a proxy set it); null
 * when neither is known.
 */
export function receiverUrl(
  mc: MobileContext,
  req: IncomingMessage,
  logger: Logger,
): string | null {
  const path = `${mc.options.mobilePath}/inbound`;
  if (mc.options.publicUrl) return `${mc.options.publicUrl}${path}`;
  const host = req.headers.host;
  if (typeof host !== 'string' || !/^[A-Za-z0-9.\-[\]:]{1,255}$/.test(host)) {
    if (!warnedNoHost) {
      warnedNoHost = true;
      logger.warn(
        {},
        'SMSGate devices get no inbound receiver: set publicUrl so received SMS reach textport',
      );
    }
    return null;
  }
  const forwarded = req.headers['x-forwarded-proto'];
  const proto =
    typeof forwarded === 'string' && /^https?$/i.test(forwarded.split(',')[0]?.trim() ?? '')
      ? (forwarded.split(',')[0]?.trim().toLowerCase() ?? 'http')
      : (req.socket as TLSSocket).encrypted
        ? 'https'
        : 'http';
  return `${proto}://${host}${path}`;
}

/**
 * `GET /webhooks`: the account's registrations for this device, then textport's
 * receiver. The app keeps one webhook per id, so a registration holding the
 * receiver's id (stored before the user API refused it) is left out: losing the
 * receiver would lose every received SMS.
 */
export async function listWebhooks(mc: MobileContext, ctx: RequestContext): Promise<void> {
  const { device } = await requireDevice(mc, ctx.req);
  const registrations = await mc.store.listWebhooks(device.accountId, device.id);
  const list: { id: string; deviceId: string | null; url: string; event: string }[] = registrations
    .filter(
      (w) =>
        w.id !== RECEIVER_WEBHOOK_ID &&
        SMSGATE_WEBHOOK_EVENTS.includes(w.event as SmsGateWebhookEvent),
    )
    .map((w) => ({ id: w.id, deviceId: w.deviceId, url: w.url, event: w.event }));
  const url = receiverUrl(mc, ctx.req, mc.host().logger);
  if (url) {
    list.push({ id: RECEIVER_WEBHOOK_ID, deviceId: device.id, url, event: 'sms:received' });
  }
  sendJson(ctx.res, 200, list);
}

/**
 * The settings a device imports: each section an object, empty ones left out, no
 * `gateway` section (its URL, token and channel stay as the user set them on the
 * phone), and the device's own `webhooks.signing_key`.
 */
export function deviceSettings(document: SettingsDocument, signingKey: string): SettingsDocument {
  const out: SettingsDocument = {};
  for (const [section, keys] of Object.entries(document)) {
    if (section === 'gateway' || keys === null || typeof keys !== 'object' || Array.isArray(keys)) {
      continue;
    }
    const kept = Object.fromEntries(Object.entries(keys).filter(([, v]) => v !== undefined));
    if (Object.keys(kept).length > 0) out[section] = kept;
  }
  out.webhooks = { ...(out.webhooks ?? {}), signing_key: signingKey };
  return out;
}

/** `GET /settings`. */
export async function getSettings(mc: MobileContext, ctx: RequestContext): Promise<void> {
  const { device } = await requireDevice(mc, ctx.req);
  const document = await mc.store.getSettings(device.accountId);
  sendJson(ctx.res, 200, deviceSettings(document, device.signingKey));
}
