/** Phones: settings upsert, the FCM-token login of the Android app, deletion, heartbeats. */

import { failMessage } from '../dispatch/handoff.js';
import { isStranded, strandedReason } from '../dispatch/stranded.js';
import { NO_CAPS } from '../domain/caps.js';
import { NO_RECIPIENT_CAP } from '../domain/recipients.js';
import type { HeartbeatRecord, MessageRecord, PhoneRecord } from '../domain/records.js';
import { formatTimestamp } from '../domain/time.js';
import { GatewayError, isGatewayError } from '../errors.js';
import type { Sim } from '../lifecycle/status.js';
import type { HeartbeatInput } from '../phone-api.js';
import type { Store } from '../store.js';
import type { GatewayContext, UnitOfWork } from '../uow/context.js';
import { runUnitOfWork } from '../uow/context.js';
import type { Principal } from './accounts.js';
import { assertPhoneScope, keysRevoked } from './accounts.js';
import { checkRadioFields } from './heartbeat-radio.js';
import { registrableNumbers, rewritePhoneKeys } from './phone-keys.js';
import { Checker } from './validate.js';

/** Settings to change; an omitted (undefined) field keeps its stored value. */
export interface PhoneSettingsInput {
  phoneNumber: string;
  fcmToken?: string | null;
  messagesPerMinute?: number;
  /** Hand-off cap in SMS segments per hour, 0–3600; 0 = no cap. */
  messagesPerHour?: number;
  /** Hand-off cap in SMS segments per day, 0–86400; 0 = no cap. */
  messagesPerDay?: number;
  /** Cap on the different contacts per calendar month (UTC), 0–100000; 0 = no cap. */
  recipientsPerMonth?: number;
  maxSendAttempts?: number;
  /** 60–3600; 0 means the default. */
  messageExpirationSeconds?: number;
  missedCallAutoReply?: string | null;
  unarchiveThread?: boolean;
  sim?: Sim | string;
  sendScheduleId?: string | null;
}

/** The highest caps: one segment a second. */
const MAX_PER_HOUR = 3600;
const MAX_PER_DAY = 86_400;
const MAX_RECIPIENTS_PER_MONTH = 100_000;

type PhonePatch = Partial<Omit<PhoneRecord, 'id' | 'accountId' | 'createdAt'>>;

function settingsPatch(
  ctx: GatewayContext,
  input: PhoneSettingsInput,
): { number: string; patch: PhonePatch } {
  const check = new Checker();
  const number = check.phoneNumber('phone_number', input.phoneNumber);
  const patch: PhonePatch = {};
  if (input.fcmToken !== undefined) {
    patch.fcmToken = check.text('fcm_token', input.fcmToken, 0, 1000, false) || null;
  }
  const mpm = check.integer('messages_per_minute', input.messagesPerMinute, 0, 60);
  if (mpm !== undefined) patch.messagesPerMinute = mpm;
  const perHour = check.integer('messages_per_hour', input.messagesPerHour, 0, MAX_PER_HOUR);
  if (perHour !== undefined) patch.messagesPerHour = perHour;
  const perDay = check.integer('messages_per_day', input.messagesPerDay, 0, MAX_PER_DAY);
  if (perDay !== undefined) patch.messagesPerDay = perDay;
  const perMonth = check.integer(
    'recipients_per_month',
    input.recipientsPerMonth,
    0,
    MAX_RECIPIENTS_PER_MONTH,
  );
  if (perMonth !== undefined) patch.recipientsPerMonth = perMonth;
  const attempts = check.integer('max_send_attempts', input.maxSendAttempts, 0, 5);
  if (attempts !== undefined && attempts > 0) patch.maxSendAttempts = attempts;
  const expiry = input.messageExpirationSeconds;
  if (expiry !== undefined && expiry !== 0) {
    const seconds = check.integer('message_expiration_seconds', expiry, 60, 3600);
    if (seconds !== undefined) patch.messageExpirationSeconds = seconds;
  } else if (expiry === 0) {
    patch.messageExpirationSeconds = ctx.phoneDefaults.messageExpirationSeconds;
  }
  if (input.missedCallAutoReply !== undefined) {
    const reply = input.missedCallAutoReply?.trim() ?? '';
    patch.missedCallAutoReply = check.text('missed_call_auto_reply', reply, 0, 2048, false) || null;
  }
  if (input.unarchiveThread !== undefined) patch.unarchiveThread = input.unarchiveThread === true;
  if (input.sim !== undefined) patch.sim = check.sim('sim', input.sim);
  if (input.sendScheduleId !== undefined) {
    patch.sendScheduleId =
      input.sendScheduleId === null || input.sendScheduleId === ''
        ? null
        : check.uuid('message_send_schedule_id', input.sendScheduleId);
  }
  check.throwIfInvalid();
  return { number, patch };
}

function newPhone(
  ctx: GatewayContext,
  accountId: string,
  number: string,
  now: number,
): PhoneRecord {
  const d = ctx.phoneDefaults;
  return {
    id: ctx.random.uuid(),
    accountId,
    phoneNumber: number,
    fcmToken: null,
    messagesPerMinute: d.messagesPerMinute,
    sim: 'SIM1',
    sendScheduleId: null,
    maxSendAttempts: d.maxSendAttempts,
    messageExpirationSeconds: d.messageExpirationSeconds,
    missedCallAutoReply: null,
    unarchiveThread: false,
    lastScheduledAt: null,
    lastHandoffAt: null,
    ...NO_CAPS,
    online: true,
    poolId: null,
    linkSeenAt: null,
    ...NO_RECIPIENT_CAP,
    lastHeartbeatAt: null,
    heartbeatCheckAt: null,
    createdAt: now,
    updatedAt: now,
  };
}

async function applyUpsert(
  ctx: GatewayContext,
  uow: UnitOfWork,
  accountId: string,
  number: string,
  patch: PhonePatch,
): Promise<PhoneRecord> {
  const { tx } = uow;
  if (patch.sendScheduleId && !(await tx.getSendSchedule(accountId, patch.sendScheduleId))) {
    throw GatewayError.validation({
      message_send_schedule_id: [
        'The message_send_schedule_id does not belong to the authenticated user or does not exist',
      ],
    });
  }
  const now = uow.now;
  const existing = await tx.findPhoneByNumber(accountId, number);
  if (existing) {
    return (await tx.updatePhone(existing.id, { ...patch, updatedAt: now })) ?? existing;
  }
  const phone: PhoneRecord = { ...newPhone(ctx, accountId, number, now), ...patch };
  await tx.insertPhone(phone);
  return phone;
}

/** Retries once when a concurrent request created the same phone first. */
async function upsertWithRetry<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isGatewayError(error) && error.code === 'conflict') return run();
    throw error;
  }
}

function phoneUpdated(uow: UnitOfWork, phone: PhoneRecord, keyId: string | null, source: string) {
  uow.event('phone.updated', phone.accountId, phone.phoneNumber, source, {
    phone_id: phone.id,
    user_id: phone.accountId,
    phone_api_key_id: keyId,
    timestamp: formatTimestamp(uow.now),
    owner: phone.phoneNumber,
    sim: phone.sim,
  });
}

export async function upsertPhone(
  ctx: GatewayContext,
  accountId: string,
  input: PhoneSettingsInput,
): Promise<PhoneRecord> {
  const { number, patch } = settingsPatch(ctx, input);
  return upsertWithRetry(() =>
    runUnitOfWork(ctx, async (uow) => {
      const phone = await applyUpsert(ctx, uow, accountId, number, patch);
      phoneUpdated(uow, phone, null, '/v1/phones');
      return phone;
    }),
  );
}

/**
 * Binds `phone` to the phone key `keyId` and removes it from the account's other keys.
 * Returns whether another key lost it (a revocation for that key's sessions).
 */
async function bindPhoneKey(
  tx: Store,
  phone: PhoneRecord,
  keyId: string,
  now: number,
): Promise<boolean> {
  let taken = false;
  await rewritePhoneKeys(tx, phone.accountId, now, (key) => {
    const ids = key.phoneIds.filter((id) => id !== phone.id);
    const numbers = key.phoneNumbers.filter((n) => n !== phone.phoneNumber);
    if (key.id === keyId) {
      return { phoneIds: [...ids, phone.id], phoneNumbers: [...numbers, phone.phoneNumber] };
    }
    const unchanged =
      ids.length === key.phoneIds.length && numbers.length === key.phoneNumbers.length;
    taken ||= !unchanged;
    return unchanged ? null : { phoneIds: ids, phoneNumbers: numbers };
  });
  return taken;
}

/** The Android app's login call (`PUT /v1/phones/fcm-token`). */
export async function updateFcmToken(
  ctx: GatewayContext,
  principal: Principal,
  input: { phoneNumber: string; fcmToken: string | null; sim?: Sim | string },
): Promise<PhoneRecord> {
  const { number, patch } = settingsPatch(ctx, {
    phoneNumber: input.phoneNumber,
    fcmToken: input.fcmToken ?? null,
    sim: input.sim ?? 'SIM1',
  });
  if (principal.kind === 'phone') {
    const key = principal.keyId
      ? await ctx.store.getApiKey(principal.accountId, principal.keyId)
      : null;
    const allowed = key ? registrableNumbers(key, ctx.phoneKeys.restricted) : [];
    if (allowed !== null) assertPhoneScope({ ...principal, phoneNumbers: allowed }, number);
  }
  let taken = false;
  const phone = await upsertWithRetry(() =>
    runUnitOfWork(ctx, async (uow) => {
      const phone = await applyUpsert(ctx, uow, principal.accountId, number, patch);
      const keyId = principal.kind === 'phone' ? principal.keyId : null;
      if (keyId) taken = await bindPhoneKey(uow.tx, phone, keyId, uow.now);
      phoneUpdated(uow, phone, keyId, '/v1/phones/fcm-token');
      return phone;
    }),
  );
  if (taken) keysRevoked(ctx);
  if (isStranded(phone, ctx.transports)) {
    ctx.logger.warn(
      { phoneId: phone.id, accountId: phone.accountId },
      `${strandedReason(phone)}; its messages fail after message_expiration_seconds`,
    );
  }
  return phone;
}

/** Statuses of an outgoing message that still waits for its phone. */
const QUEUED = ['pending', 'scheduled', 'sending', 'expired'] as const;
const PAGE = 200;

/** Queued outgoing messages of `phone`; an `expired` one only while it has attempts left. */
function isQueuedFor(phone: PhoneRecord, message: MessageRecord): boolean {
  return message.phoneId === phone.id && (message.status !== 'expired' || message.dueAt !== null);
}

/**
 * The rule for a deleted phone's messages: every queued one fails (`message.send.failed`
 * with the reason), in the deleting transaction. A phone registered later for the same
 * number is a new phone: nothing queued for the old one is left waiting for ever.
 */
async function failQueuedMessages(
  ctx: GatewayContext,
  uow: UnitOfWork,
  phone: PhoneRecord,
): Promise<void> {
  const step = { ctx, claimer: ctx.nodeId };
  const reason = `the phone [${phone.phoneNumber}] was deleted before the message was sent`;
  // Failed rows leave the status filter, so the next page starts after the rows kept.
  let skip = 0;
  for (;;) {
    const page = await uow.tx.searchMessages({
      accountId: phone.accountId,
      owners: [phone.phoneNumber],
      types: ['mobile-terminated'],
      statuses: [...QUEUED],
      skip,
      limit: PAGE,
    });
    for (const message of page) {
      if (isQueuedFor(phone, message)) await failMessage(step, message, reason, uow);
      else skip++;
    }
    if (page.length < PAGE) return;
  }
}

export async function deletePhone(ctx: GatewayContext, accountId: string, id: string) {
  let unbound = false;
  const deleted = await runUnitOfWork(ctx, async (uow) => {
    const phone = await uow.tx.deletePhone(accountId, id);
    if (!phone) throw GatewayError.notFound(`cannot find phone with ID [${id}]`);
    await failQueuedMessages(ctx, uow, phone);
    await rewritePhoneKeys(uow.tx, accountId, uow.now, (key) => {
      if (!key.phoneIds.includes(id)) return null;
      unbound = true;
      return {
        phoneIds: key.phoneIds.filter((p) => p !== id),
        phoneNumbers: key.phoneNumbers.filter((n) => n !== phone.phoneNumber),
      };
    });
    uow.event('phone.deleted', accountId, phone.phoneNumber, `/v1/phones/${id}`, {
      phone_id: phone.id,
      user_id: accountId,
      timestamp: formatTimestamp(uow.now),
      owner: phone.phoneNumber,
      sim: phone.sim,
    });
    return phone;
  });
  if (unbound) keysRevoked(ctx);
  return deleted;
}

export type { HeartbeatInput } from '../phone-api.js';

/** Stores one heartbeat per number; a phone that was offline comes back online. */
export async function recordHeartbeats(
  ctx: GatewayContext,
  principal: Principal,
  input: HeartbeatInput,
): Promise<HeartbeatRecord[]> {
  const raw = input.phoneNumbers?.length ? input.phoneNumbers : input.owner ? [input.owner] : [];
  const check = new Checker();
  if (raw.length < 1 || raw.length > 2) {
    // Refused before any number is parsed: a channel may hand over a long list.
    check.add('phone_numbers', 'The phone_numbers field must have between 1 and 2 items');
    check.throwIfInvalid();
  }
  const numbers = raw.map((n) => check.phoneNumber('phone_numbers', n));
  const radio = checkRadioFields(check, input);
  check.throwIfInvalid();
  for (const n of numbers) assertPhoneScope(principal, n);
  return runUnitOfWork(ctx, async (uow) => {
    const now = uow.now;
    const beats: HeartbeatRecord[] = numbers.map((owner) => ({
      id: uow.uuid(),
      accountId: principal.accountId,
      owner,
      version: input.version ?? null,
      charging: input.charging === true,
      ...radio,
      timestamp: now,
    }));
    await uow.tx.insertHeartbeats(beats);
    for (const owner of numbers) {
      const phone = await uow.tx.findPhoneByNumber(principal.accountId, owner);
      if (!phone) continue;
      await uow.tx.updatePhone(phone.id, {
        lastHeartbeatAt: now,
        heartbeatCheckAt: phone.heartbeatCheckAt ?? now + ctx.heartbeat.checkIntervalMs,
        ...(phone.online ? {} : { online: true, updatedAt: now }),
      });
      if (phone.online) continue;
      uow.event('phone.heartbeat.online', phone.accountId, owner, '/v1/heartbeats', {
        phone_id: phone.id,
        user_id: phone.accountId,
        last_heartbeat_timestamp: formatTimestamp(now),
        timestamp: formatTimestamp(now),
        monitor_id: phone.id,
        owner,
      });
    }
    return beats;
  });
}

/**
 * Forgets a push token the push service rejected for good, unless the phone has
 * registered another one meanwhile; `phone.updated` fires when it is cleared.
 */
export async function clearPushToken(
  ctx: GatewayContext,
  phoneId: string,
  token: string,
): Promise<boolean> {
  return runUnitOfWork(ctx, async (uow) => {
    const phone = await uow.tx.getPhone(phoneId);
    if (!phone || phone.fcmToken !== token) return false;
    const updated = await uow.tx.updatePhone(phone.id, { fcmToken: null, updatedAt: uow.now });
    phoneUpdated(uow, updated ?? phone, null, '/v1/phones/fcm-token');
    return true;
  });
}
