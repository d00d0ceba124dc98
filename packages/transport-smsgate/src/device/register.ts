/**
 * The device routes of §2.2–2.4 and §2.9: registration with the server's private
 * token or a textport phone API key, the app's start-up `PATCH /device`, `GET
 * /device`, and the user routes textport does not offer.
 */
import type { IncomingMessage } from 'node:http';
import type { Principal } from '@textport/core';
import type { RequestContext } from '../http/io.js';
import {
  authorization,
  badRequest,
  forbidden,
  readJson,
  SmsGateHttpError,
  sendEmpty,
  sendJson,
  unauthorized,
} from '../http/io.js';
import { hashToken, newId, newSecret, sameSecret } from '../ids.js';
import type { DeviceRecord, SimCard } from '../store/types.js';
import { formatDate } from '../wire.js';
import type { MobileContext } from './context.js';
import { deviceOf, requireDevice } from './context.js';

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function optionalString(body: Record<string, unknown>, field: string, max: number): void {
  const v = body[field];
  if (v !== undefined && v !== null && (typeof v !== 'string' || v.length > max)) {
    throw badRequest(`${field} must be a string of at most ${max} characters`);
  }
}

function integerIn(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/** The SIM list of a registration or update: at most 3, as the app reports them (redacted). */
export function parseSimCards(value: unknown): SimCard[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.length > 3) {
    throw badRequest('simCards must be an array of at most 3 SIM cards');
  }
  return value.map((raw, i) => {
    if (!isObject(raw)) throw badRequest(`simCards[${i}] must be an object`);
    if (!integerIn(raw.slotIndex, 0, 7))
      throw badRequest(`simCards[${i}].slotIndex must be 0 to 7`);
    if (!integerIn(raw.simNumber, 1, 3))
      throw badRequest(`simCards[${i}].simNumber must be 1 to 3`);
    const sim: SimCard = { slotIndex: raw.slotIndex, simNumber: raw.simNumber };
    for (const field of ['phoneNumber', 'carrierName', 'iccid'] as const) {
      optionalString(raw, field, 64);
      const v = raw[field];
      if (typeof v === 'string') sim[field] = v;
    }
    return sim;
  });
}

/** A registration or update body: an object with `name` ≤128, `pushToken` ≤256 (ignored) and `simCards`. */
function parseDeviceBody(body: unknown): { name: string | null; simCards: SimCard[] | null } {
  if (!isObject(body)) throw badRequest('request body must be a JSON object');
  optionalString(body, 'name', 128);
  optionalString(body, 'pushToken', 256);
  return {
    name: typeof body.name === 'string' ? body.name : null,
    simCards: parseSimCards(body.simCards),
  };
}

interface Binding {
  /** Who registers the phones (updateFcmToken). */
  principal: Principal;
  keyId: string | null;
  phoneNumbers: string[];
}

/** What the registration token binds the device to; 401 for anything but the private token or a phone key. */
async function bindingOf(mc: MobileContext, req: IncomingMessage): Promise<Binding> {
  const auth = authorization(req);
  if (auth?.scheme !== 'bearer') {
    throw unauthorized('register with Authorization: Bearer <private token or phone API key>');
  }
  const token = auth.value.trim();
  const configured = mc.options.privateToken;
  if (configured && sameSecret(token, configured.token)) {
    return {
      principal: { accountId: configured.accountId, kind: 'host', keyId: null, phoneNumbers: null },
      keyId: null,
      phoneNumbers: [...configured.phoneNumbers],
    };
  }
  if (mc.options.phoneKeyRegistration && token.startsWith('pk_')) {
    const host = mc.host();
    const principal = await host.authenticate(token);
    if (principal?.kind === 'phone' && principal.keyId) {
      const numbers = await host.lookups.phoneKeyNumbers(principal.accountId, principal.keyId);
      if (numbers === null) throw unauthorized('the private token is not valid');
      if (numbers.length === 0) {
        throw badRequest(
          'this phone API key serves no phone number: create the key for the numbers of the SIM cards of this phone (SIM 1 first), then register again',
        );
      }
      return { principal, keyId: principal.keyId, phoneNumbers: numbers.slice(0, 3) };
    }
  }
  throw unauthorized('the private token is not valid');
}

/** 429 when the account has `maxDevicesPerAccount` devices registered already. */
async function assertRoomForDevice(mc: MobileContext, accountId: string): Promise<void> {
  const max = mc.options.maxDevicesPerAccount;
  if ((await mc.store.listDevices(accountId)).length < max) return;
  throw new SmsGateHttpError(
    429,
    `an account may register at most ${max} devices: delete the devices it no longer uses (the user API's DELETE /3rdparty/v1/devices/{id}), then register again`,
  );
}

/**
 * `POST /device`: 201 `{id, token, login}`; the token is shown once and stored
 * hashed. 429 beyond `maxDevicesPerAccount`, checked and inserted in turn with the
 * account's other registrations on this node.
 */
export async function registerDevice(mc: MobileContext, ctx: RequestContext): Promise<void> {
  const binding = await bindingOf(mc, ctx.req);
  const body = parseDeviceBody(await readJson(ctx.req, mc.options.maxBodyBytes));
  const host = mc.host();
  const accountId = binding.principal.accountId;
  const { device, token, phones } = await mc.registrations.run(accountId, async () => {
    await assertRoomForDevice(mc, accountId);
    const phones = [];
    for (const [i, phoneNumber] of binding.phoneNumbers.entries()) {
      phones.push(
        await host.phoneApi.updateFcmToken(binding.principal, {
          phoneNumber,
          fcmToken: null,
          sim: i === 1 ? 'SIM2' : 'SIM1',
        }),
      );
    }
    const now = host.clock.now();
    const token = newSecret();
    const device: DeviceRecord = {
      id: newId(),
      accountId,
      tokenHash: hashToken(token),
      keyId: binding.keyId,
      name: body.name,
      phoneNumbers: phones.map((p) => p.phoneNumber),
      simCards: body.simCards,
      signingKey: newSecret(),
      createdAt: now,
      updatedAt: now,
      lastSeen: now,
    };
    await mc.store.insertDevice(device);
    return { device, token, phones };
  });
  mc.presence.noteVersion(device.id, ctx.req);
  host.logger.info(
    { deviceId: device.id, accountId: device.accountId, keyId: device.keyId },
    'SMSGate device registered',
  );
  sendJson(ctx.res, 201, {
    id: device.id,
    token,
    login: mc.options.loginOf(device.accountId),
  });
  try {
    if (await host.lookups.hasDueWork(phones.map((p) => p.id))) host.wake();
  } catch {
    host.wake();
  }
}

/** `PATCH /device`: 204; 403 when `id` is not the token's device; SIM cards replaced when given. */
export async function updateDevice(mc: MobileContext, ctx: RequestContext): Promise<void> {
  const { device } = await requireDevice(mc, ctx.req);
  const raw = await readJson(ctx.req, mc.options.maxBodyBytes);
  const body = parseDeviceBody(raw);
  const id = (raw as Record<string, unknown>).id;
  if (typeof id !== 'string' || id !== device.id) {
    throw forbidden('id must be the id of the device this token belongs to');
  }
  if ((raw as Record<string, unknown>).simCards != null) {
    await mc.store.updateDevice(device.id, {
      simCards: body.simCards,
      updatedAt: mc.host().clock.now(),
    });
  }
  sendEmpty(ctx.res, 204);
}

function externalIp(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** `GET /device`: 200 `{externalIp, device?}` (the device only with a valid token). */
export async function describeDevice(mc: MobileContext, ctx: RequestContext): Promise<void> {
  const authed = await deviceOf(mc, ctx.req);
  const body: Record<string, unknown> = { externalIp: externalIp(ctx.req) };
  if (authed) {
    const d = authed.device;
    body.device = {
      id: d.id,
      name: d.name ?? '',
      createdAt: formatDate(d.createdAt),
      updatedAt: formatDate(d.updatedAt),
      lastSeen: formatDate(d.lastSeen),
      ...(d.simCards ? { simCards: d.simCards } : {}),
    };
  }
  sendJson(ctx.res, 200, body);
}

/** `GET /user/code`: 501, devices register with the private token or a phone API key. */
export function userCode(): never {
  throw new SmsGateHttpError(
    501,
    'one-time codes are not supported; register each phone with the private token or a phone API key',
  );
}

/**
 * `PATCH /user/password`: 401 without a valid device token, else 501: a textport
 * account has no password (its keys are managed through textport).
 */
export async function changePassword(mc: MobileContext, ctx: RequestContext): Promise<void> {
  await requireDevice(mc, ctx.req);
  throw new SmsGateHttpError(
    501,
    'passwords are not supported; textport accounts use API keys, managed through textport',
  );
}
