/**
 * `POST /messages` (and legacy `/message`): an SMSGate message becomes one textport
 * message per recipient, sent from the number of the chosen device's SIM, and a
 * group record under the SMSGate id — written together (`acceptGroup`).
 *
 * Not supported, answered 400: data messages and end-to-end encrypted messages
 * (textport cannot validate or route ciphertext numbers). Accepted but without
 * effect on textport's own sending: `skipPhoneValidation` (recipients are always
 * checked with textport's rule) and `withDeliveryReport` (kept on the group for the
 * device). `priority` (100 and above: not paced) and `ttl`/`validUntil` (not handed
 * off after it: failed, `TTL expired`) apply to textport's messages too, and the
 * phone gets them as well.
 * `scheduleAt` becomes textport's `sendAt`: the message is handed to the phone at
 * that time.
 */
import type { MessageRecord, Store } from '@textport/core';
import { isContactPhoneNumber, sanitizeAddress } from '@textport/core';
import type { RequestContext } from '../http/io.js';
import { badRequest, conflict, readJson, sendJson } from '../http/io.js';
import { newId } from '../ids.js';
import type { DeviceRecord, GroupRecord } from '../store/types.js';
import { GroupExistsError } from '../store/types.js';
import {
  fromGatewayError,
  type JsonObject,
  objectBody,
  optionalBoolean,
  optionalDate,
  optionalInt,
  optionalString,
  queryBool,
  queryInt,
} from './check.js';
import { messageState } from './state.js';
import type { UserApiContext } from './types.js';

export const MAX_RECIPIENTS = 100;
const MAX_TEXT = 65_535;
/** Ten years: a `ttl` beyond it is certainly a mistake. */
const MAX_TTL_SECONDS = 10 * 365 * 24 * 3600;
const SOURCE = '/3rdparty/v1/messages';

export interface SendRequest {
  id: string;
  deviceId: string | null;
  text: string;
  phoneNumbers: string[];
  simNumber: number | null;
  withDeliveryReport: boolean;
  priority: number;
  validUntil: number | null;
  scheduleAt: number | null;
  deviceActiveWithinHours: number;
}

function content(body: JsonObject): string {
  const given = ['textMessage', 'dataMessage', 'message'].filter(
    (k) => body[k] !== undefined && body[k] !== null,
  );
  if (given.includes('dataMessage')) {
    throw badRequest('data messages are not supported by this server');
  }
  if (given.length === 0) throw badRequest('No message content provided');
  if (given.length > 1) {
    throw badRequest('exactly one of message, textMessage or dataMessage must be provided');
  }
  let text: unknown = body.message;
  if (given[0] === 'textMessage') {
    text = objectBody(body.textMessage, 'textMessage').text;
  }
  if (typeof text !== 'string' || text.length < 1 || text.length > MAX_TEXT) {
    throw badRequest(`message text must be a string of 1 to ${MAX_TEXT} characters`);
  }
  return text;
}

function recipients(value: unknown): string[] {
  if (!Array.isArray(value) || value.length < 1 || value.length > MAX_RECIPIENTS) {
    throw badRequest(`phoneNumbers must be an array of 1 to ${MAX_RECIPIENTS} phone numbers`);
  }
  const numbers = value.map((raw, i) => {
    if (typeof raw !== 'string' || raw.length < 1 || raw.length > 128) {
      throw badRequest(
        `failed to use phone in row ${i + 1}: must be a string of 1 to 128 characters`,
      );
    }
    const number = sanitizeAddress(raw);
    if (!isContactPhoneNumber(number)) {
      throw badRequest(`failed to use phone in row ${i + 1}: invalid phone number`);
    }
    return number;
  });
  if (new Set(numbers).size !== numbers.length) throw badRequest('phone numbers must be unique');
  return numbers;
}

/** Reads and checks a send request; `now` decides what "future" means. */
export function parseSendRequest(raw: unknown, query: URLSearchParams, now: number): SendRequest {
  const body = objectBody(raw);
  const text = content(body);
  if (optionalBoolean(body, 'isEncrypted') === true) {
    throw badRequest('encrypted messages are not supported by this server');
  }
  const phoneNumbers = recipients(body.phoneNumbers);
  const ttl = optionalInt(body, 'ttl', 5, MAX_TTL_SECONDS);
  let validUntil = optionalDate(body, 'validUntil');
  if (ttl !== null && validUntil !== null) {
    throw badRequest('ttl and validUntil are mutually exclusive');
  }
  if (ttl !== null) validUntil = now + ttl * 1000;
  const scheduleAt = optionalDate(body, 'scheduleAt');
  if (scheduleAt !== null && scheduleAt <= now)
    throw badRequest('scheduleAt must be in the future');
  if (scheduleAt !== null && validUntil !== null && scheduleAt > validUntil) {
    throw badRequest('scheduleAt must be less than or equal to validUntil');
  }
  queryBool(query, 'skipPhoneValidation', false);
  const deviceActiveWithinHours = queryInt(query, 'deviceActiveWithin', 0);
  if (deviceActiveWithinHours < 0) throw badRequest('deviceActiveWithin must not be negative');
  return {
    id: optionalString(body, 'id', 36) ?? newId(),
    deviceId: optionalString(body, 'deviceId', 21),
    text,
    phoneNumbers,
    simNumber: optionalInt(body, 'simNumber', 1, 3),
    withDeliveryReport: optionalBoolean(body, 'withDeliveryReport') ?? true,
    priority: optionalInt(body, 'priority', -128, 127) ?? 0,
    validUntil,
    scheduleAt,
    deviceActiveWithinHours,
  };
}

/**
 * The device that sends: the one named, else a random device of the account that
 * has the SIM asked for (seen within `deviceActiveWithin` hours when given).
 */
async function chooseDevice(
  ctx: UserApiContext,
  accountId: string,
  request: SendRequest,
): Promise<DeviceRecord> {
  const sim = request.simNumber ?? 1;
  if (request.deviceId !== null) {
    const device = await ctx.link.store.getDevice(request.deviceId);
    if (!device || device.accountId !== accountId) {
      throw badRequest('failed to get device: record not found');
    }
    if (device.phoneNumbers[sim - 1] === undefined) {
      throw badRequest(`the device has no SIM ${sim} with a textport number`);
    }
    return device;
  }
  const since = ctx.now() - request.deviceActiveWithinHours * 3_600_000;
  const devices = (await ctx.link.store.listDevices(accountId)).filter(
    (d) =>
      d.phoneNumbers[sim - 1] !== undefined &&
      (request.deviceActiveWithinHours === 0 || d.lastSeen >= since),
  );
  const device = devices[Math.floor(ctx.random() * devices.length)];
  if (!device) throw badRequest('failed to select a device: record not found');
  return device;
}

/**
 * Writes the textport messages: one recipient like httpSMS's send, several like its
 * bulk send (one transaction); `scheduleAt` becomes `sendAt` either way.
 */
function sendAll(
  ctx: UserApiContext,
  accountId: string,
  from: string,
  request: SendRequest,
): (store: Store | undefined) => Promise<MessageRecord[]> {
  const { gateway } = ctx;
  const base = {
    from,
    content: request.text,
    requestId: request.id,
    sendAt: request.scheduleAt,
    priority: request.priority,
    validUntil: request.validUntil,
  };
  return async (store) => {
    const [to] = request.phoneNumbers;
    if (request.phoneNumbers.length === 1 && to !== undefined) {
      return [await gateway.messages.send(accountId, { ...base, to }, { store, source: SOURCE })];
    }
    return gateway.messages.sendBulk(
      accountId,
      { ...base, to: request.phoneNumbers },
      { store, source: SOURCE },
    );
  };
}

export async function postMessage(
  ctx: UserApiContext,
  accountId: string,
  rc: RequestContext,
): Promise<void> {
  const raw = await readJson(rc.req, ctx.maxBodyBytes);
  const now = ctx.now();
  const request = parseSendRequest(raw, rc.query, now);
  const device = await chooseDevice(ctx, accountId, request);
  const from = device.phoneNumbers[(request.simNumber ?? 1) - 1] as string;
  const group: GroupRecord = {
    accountId,
    id: request.id,
    deviceId: device.id,
    messageIds: [],
    phoneNumbers: request.phoneNumbers,
    simNumber: request.simNumber,
    priority: request.priority,
    withDeliveryReport: request.withDeliveryReport,
    validUntil: request.validUntil,
    scheduleAt: request.scheduleAt,
    createdAt: now,
  };
  let accepted: Awaited<ReturnType<typeof ctx.link.store.acceptGroup>>;
  try {
    accepted = await ctx.link.store.acceptGroup(group, sendAll(ctx, accountId, from, request));
  } catch (error) {
    if (error instanceof GroupExistsError) {
      throw conflict('message with the same ID already exists');
    }
    throw fromGatewayError(error);
  }
  const state = messageState(
    {
      accountId,
      id: group.id,
      deviceId: device.id,
      messages: accepted.messages,
      group: accepted.group,
    },
    true,
  );
  sendJson(rc.res, 202, state, {
    location: `${ctx.path}/messages/${encodeURIComponent(group.id)}`,
  });
}
