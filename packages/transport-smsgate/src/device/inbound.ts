/**
 * textport's receiver for the webhooks the app itself sends (§4.3): the only way a
 * received SMS leaves the phone. Deliveries are signed with the device's signing
 * key (`X-Signature` = hex HMAC-SHA256(key, rawBody + X-Timestamp)) and deduped by
 * the envelope id, remembered once the SMS is stored (a failure answers 500 and
 * the app retries).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestContext } from '../http/io.js';
import { badRequest, parseJson, readBody, sendJson, unauthorized } from '../http/io.js';
import type { DeviceRecord } from '../store/types.js';
import { parseDate } from '../wire.js';
import type { MobileContext } from './context.js';

/** How far `X-Timestamp` may be from the server's clock. */
export const SIGNATURE_TOLERANCE_MS = 5 * 60_000;

/** Lowercase hex HMAC-SHA256 of the body followed by the timestamp, as the app signs. */
export function signWebhook(key: string, rawBody: Buffer | string, timestamp: string): string {
  return createHmac('sha256', key).update(rawBody).update(timestamp).digest('hex');
}

function header(req: IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  return typeof v === 'string' ? v.trim() : null;
}

/** Whether a delivery carries a fresh, valid signature of `device`. */
export function verifySignature(
  device: DeviceRecord,
  req: IncomingMessage,
  raw: Buffer,
  now: number,
): boolean {
  const signature = header(req, 'x-signature');
  const timestamp = header(req, 'x-timestamp');
  if (!signature || !timestamp || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(Number(timestamp) * 1000 - now) > SIGNATURE_TOLERANCE_MS) return false;
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) return false;
  const expected = Buffer.from(signWebhook(device.signingKey, raw, timestamp), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

interface Envelope {
  id: string;
  event: string;
  deviceId: string;
  payload: Record<string, unknown>;
}

function parseEnvelope(value: unknown): Envelope {
  const v = value as Partial<Envelope> | null;
  if (
    v === null ||
    typeof v !== 'object' ||
    typeof v.id !== 'string' ||
    v.id === '' ||
    v.id.length > 64 ||
    typeof v.event !== 'string' ||
    typeof v.deviceId !== 'string' ||
    v.payload === null ||
    typeof v.payload !== 'object'
  ) {
    throw badRequest('expected {id, webhookId, event, deviceId, payload}');
  }
  return v as Envelope;
}

/** Longest received text kept, in UTF-8 bytes (textport's limit, httpSMS's). */
export const MAX_RECEIVED_BYTES = 2048;

/**
 * The text of a received SMS. The app drops a delivery refused too often, so a text
 * over textport's limit is cut (on a character boundary, marked with `…`) and an
 * empty or missing one is stored empty, rather than refused, which would lose the SMS.
 */
function receivedText(value: unknown): string {
  const text = typeof value === 'string' ? value : '';
  if (Buffer.byteLength(text) <= MAX_RECEIVED_BYTES) return text;
  const room = MAX_RECEIVED_BYTES - Buffer.byteLength('…');
  let kept = '';
  let bytes = 0;
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (bytes > room) break;
    kept += char;
  }
  return `${kept}…`;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** `POST <mobilePath>/inbound`. */
export async function receiveWebhook(mc: MobileContext, ctx: RequestContext): Promise<void> {
  const raw = await readBody(ctx.req, mc.options.maxBodyBytes);
  const host = mc.host();
  const envelope = parseEnvelope(parseJson(raw));
  const device =
    envelope.deviceId.length <= 64 ? await mc.store.getDevice(envelope.deviceId) : null;
  if (!device || !verifySignature(device, ctx.req, raw, host.clock.now())) {
    throw unauthorized('bad signature');
  }
  if (envelope.event !== 'sms:received') {
    sendJson(ctx.res, 200, {});
    return;
  }
  const principal = await mc.auth.principal(device);
  if (!principal) throw unauthorized('the device is no longer registered');
  const p = envelope.payload;
  const simNumber = typeof p.simNumber === 'number' ? p.simNumber : 1;
  const to = device.phoneNumbers[simNumber - 1] ?? device.phoneNumbers[0];
  const from = str(p.sender) ?? str(p.phoneNumber);
  if (!to || !from) throw badRequest('payload needs a sender');
  // A delivery already stored is a duplicate; otherwise the SMS is stored first and
  // its id remembered after, so a failed store (500) leaves nothing behind and the
  // app's retry, on any node, stores it. Two copies racing may both store it.
  if (await mc.store.hasInbound(device.id, envelope.id)) {
    sendJson(ctx.res, 200, {});
    return;
  }
  await host.phoneApi.receive(principal, {
    from,
    to,
    content: receivedText(p.message),
    // An empty SMS is stored too: the app drops a delivery refused too often.
    allowEmptyContent: true,
    sim: simNumber === 2 ? 'SIM2' : 'SIM1',
    // The app's local time; an offset old Android builds malform (`+-5:00`) means now.
    timestamp: parseDate(p.receivedAt),
  });
  try {
    await mc.store.rememberInbound(device.id, envelope.id, host.clock.now());
  } catch (error) {
    // Stored already: a 500 would only make the app's retry store it again.
    host.logger.warn(
      { err: error, deviceId: device.id, eventId: envelope.id },
      'could not remember an SMSGate inbound delivery id; a retry of it would be stored again',
    );
  }
  mc.presence.touch({ device, principal }, ctx.req);
  sendJson(ctx.res, 200, {});
}
