/** Outgoing messages: single and bulk sends, durable before they return. */
import type { MessageRecord, PhoneRecord } from '../domain/records.js';
import { UNSET_MESSAGE_FIELDS } from '../domain/records.js';
import { measureText } from '../domain/segments.js';
import { GatewayError } from '../errors.js';
import type { Store } from '../store.js';
import type { GatewayContext, UnitOfWork } from '../uow/context.js';
import { runUnitOfWorkRetrying } from '../uow/context.js';
import { apiSentData, failedData } from '../uow/payloads.js';
import { touchThread } from '../uow/thread-upkeep.js';
import { idempotent } from './idempotency.js';
import { withholdOptedOut } from './opt-outs.js';
import { choosePoolSender, type SenderRef, senderLabel, senderRef, sendingPool } from './pools.js';
import { checkQuota } from './quota.js';
import { Checker } from './validate.js';

export interface SendInput {
  /** A phone number of the account, or `pool:<id>`; absent: the account's default pool. */
  from?: string | null;
  /** The pool that sends (docs/routing.md, Pools), instead of `from`. */
  poolId?: string | null;
  to: string;
  content: string;
  attachments?: readonly string[] | null;
  encrypted?: boolean;
  requestId?: string | null;
  /** Hand the message to the phone exactly at this time (no pacing); past = now. */
  sendAt?: Date | string | number | null;
  /** −128..127 (default 0); 100 and above is handed off without waiting for pacing. */
  priority?: number | null;
  /** Seconds from now after which the message is no longer handed off (then fails, `TTL expired`). */
  ttl?: number | null;
  /** The time after which the message is no longer handed off; not with `ttl`. */
  validUntil?: Date | string | number | null;
}

export interface BulkSendInput extends Omit<SendInput, 'to'> {
  to: readonly string[];
}

export interface SendOptions {
  /** Replays the original result for a repeated key (24 h by default). */
  idempotencyKey?: string;
  /** A store bound to the host's own transaction, to send inside it. */
  store?: Store;
  /** The API path recorded as the events' source. */
  source?: string;
}

interface Draft {
  sender: SenderRef;
  recipients: string[];
  content: string;
  attachments: string[] | null;
  encrypted: boolean;
  requestId: string | null;
  sendAt: number | null;
  priority: number;
  /** Seconds of validity from the moment the message is written (kept as given: idempotent). */
  ttl: number | null;
  validUntil: number | null;
}

/** Ten years: a longer `ttl` is certainly a mistake. */
const MAX_TTL_SECONDS = 10 * 365 * 24 * 3600;

/** Priority and validity (docs/routing.md, Priority and validity). */
function validity(
  check: Checker,
  input: SendInput | BulkSendInput,
  sendAt: number | null,
  now: number,
): Pick<Draft, 'priority' | 'ttl' | 'validUntil'> {
  const priority = check.integer('priority', input.priority ?? undefined, -128, 127) ?? 0;
  const ttl = check.integer('ttl', input.ttl ?? undefined, 5, MAX_TTL_SECONDS);
  const validUntil = check.time('valid_until', input.validUntil);
  if (ttl !== undefined && validUntil !== null) {
    check.add('valid_until', 'Give either the ttl field or the valid_until field, not both');
  } else if (validUntil !== null && validUntil <= now) {
    check.add('valid_until', 'The valid_until field must be in the future');
  }
  const until = ttl === undefined ? validUntil : now + ttl * 1000;
  if (until !== null && sendAt !== null && sendAt > until) {
    check.add('send_at', 'The send_at field must not be after valid_until');
  }
  return { priority, ttl: ttl ?? null, validUntil };
}

function draft(ctx: GatewayContext, input: SendInput | BulkSendInput, bulk: boolean): Draft {
  const check = new Checker();
  const sender = senderRef(check, input.from, input.poolId);
  let recipients: string[];
  if (bulk) {
    const list = (input as BulkSendInput).to;
    if (!Array.isArray(list) || list.length < 1 || list.length > 1000) {
      check.add('to', 'The to field must have between 1 and 1000 items');
      recipients = [];
    } else {
      recipients = list.map((to, i) => {
        const inner = new Checker();
        const value = inner.contactNumber('to', to);
        if (!inner.ok) check.add('to', `${inner.fields.to?.[0]} in index [${i}]`);
        return value;
      });
    }
  } else {
    recipients = [check.contactNumber('to', (input as SendInput).to)];
  }
  const content = check.text('content', input.content, 1, bulk ? 1024 : 2048);
  const attachments = check.urls('attachments', input.attachments);
  const requestId = check.text('request_id', input.requestId?.trim(), 0, 255, false) || null;
  if (input.encrypted !== undefined && typeof input.encrypted !== 'boolean') {
    check.add('encrypted', 'The encrypted field must be a boolean');
  }
  const sendAt = check.time('send_at', input.sendAt);
  const limit = ctx.clock.now() + ctx.maxScheduleAheadHours * 3600_000;
  if (sendAt !== null && sendAt > limit) {
    check.add(
      'send_at',
      `the scheduled time cannot be more than ${ctx.maxScheduleAheadHours / 24} days (${ctx.maxScheduleAheadHours} hours) in the future`,
    );
  }
  const valid = validity(check, input, sendAt, ctx.clock.now());
  check.throwIfInvalid();
  // Keys in this order: the idempotency fingerprint is the JSON of the draft.
  return {
    priority: valid.priority,
    ttl: valid.ttl,
    validUntil: valid.validUntil,
    sender,
    recipients,
    content,
    attachments,
    encrypted: input.encrypted ?? false,
    requestId,
    sendAt,
  };
}

/** The fields of one message of the draft (written out: cheaper than a spread on the hot path). */
function fieldsOf(d: Draft, id: string, contact: string, bulkIndex: number, poolId: string | null) {
  return {
    id,
    contact,
    bulkIndex,
    poolId,
    content: d.content,
    attachments: d.attachments,
    encrypted: d.encrypted,
    requestId: d.requestId,
    sendAt: d.sendAt,
    priority: d.priority,
    ttl: d.ttl,
    validUntil: d.validUntil,
  };
}

async function requirePhone(tx: Store, accountId: string, from: string): Promise<PhoneRecord> {
  const phone = await tx.findPhoneByNumber(accountId, from);
  if (phone) return phone;
  throw GatewayError.validation({
    from: [
      `no phone found with 'from' number [${from}]. install the android app on your phone to start sending messages`,
    ],
  });
}

/** One message per recipient, each from its number or the member its pool chose. */
async function draftMessages(
  ctx: GatewayContext,
  uow: UnitOfWork,
  accountId: string,
  d: Draft,
  now: number,
): Promise<MessageRecord[]> {
  const { sender } = d;
  if ('number' in sender) {
    const phone = await requirePhone(uow.tx, accountId, sender.number);
    return d.recipients.map((contact, bulkIndex) =>
      newOutgoingMessage(phone, fieldsOf(d, uow.uuid(), contact, bulkIndex, null), now),
    );
  }
  const { pool, members } = await sendingPool(uow.tx, accountId, sender.poolId);
  const segments = measureText(d.content).segments;
  const drafts: MessageRecord[] = [];
  for (const [bulkIndex, contact] of d.recipients.entries()) {
    const phone = await choosePoolSender(ctx, uow.tx, pool, members, contact, segments, now);
    drafts.push(
      newOutgoingMessage(phone, fieldsOf(d, uow.uuid(), contact, bulkIndex, pool.id), now),
    );
  }
  return drafts;
}

export function newOutgoingMessage(
  phone: PhoneRecord,
  d: Omit<Draft, 'recipients' | 'sender' | 'priority' | 'ttl' | 'validUntil'> & {
    priority?: number;
    ttl?: number | null;
    validUntil?: number | null;
    id: string;
    contact: string;
    bulkIndex: number;
    poolId?: string | null;
  },
  now: number,
): MessageRecord {
  const measure = measureText(d.content);
  const dueAt = d.sendAt === null ? now : Math.max(d.sendAt, now);
  // Every field written out (the unset ones as in UNSET_MESSAGE_FIELDS): no spread on the hot path.
  return {
    id: d.id,
    accountId: phone.accountId,
    phoneId: phone.id,
    owner: phone.phoneNumber,
    contact: d.contact,
    content: d.content,
    attachments: d.attachments,
    encrypted: d.encrypted,
    type: 'mobile-terminated',
    status: 'pending',
    sim: phone.sim,
    requestId: d.requestId,
    encoding: measure.encoding,
    segments: measure.segments,
    requestReceivedAt: now,
    createdAt: now,
    updatedAt: now,
    orderTimestamp: d.sendAt ?? now,
    scheduledSendTime: d.sendAt,
    scheduledAt: UNSET_MESSAGE_FIELDS.scheduledAt,
    lastAttemptedAt: UNSET_MESSAGE_FIELDS.lastAttemptedAt,
    sentAt: UNSET_MESSAGE_FIELDS.sentAt,
    deliveredAt: UNSET_MESSAGE_FIELDS.deliveredAt,
    failedAt: UNSET_MESSAGE_FIELDS.failedAt,
    expiredAt: UNSET_MESSAGE_FIELDS.expiredAt,
    canceledAt: UNSET_MESSAGE_FIELDS.canceledAt,
    sendTimeMs: UNSET_MESSAGE_FIELDS.sendTimeMs,
    sendAttemptCount: UNSET_MESSAGE_FIELDS.sendAttemptCount,
    failureReason: UNSET_MESSAGE_FIELDS.failureReason,
    awaitingHandoff: UNSET_MESSAGE_FIELDS.awaitingHandoff,
    transportAttempts: UNSET_MESSAGE_FIELDS.transportAttempts,
    leaseOwner: UNSET_MESSAGE_FIELDS.leaseOwner,
    leaseUntil: UNSET_MESSAGE_FIELDS.leaseUntil,
    receivedAt: null,
    maxSendAttempts: phone.maxSendAttempts > 0 ? phone.maxSendAttempts : 2,
    dueAt,
    bulkIndex: d.bulkIndex,
    poolId: d.poolId ?? UNSET_MESSAGE_FIELDS.poolId,
    priority: d.priority ?? UNSET_MESSAGE_FIELDS.priority,
    validUntil: d.ttl ? now + d.ttl * 1000 : (d.validUntil ?? UNSET_MESSAGE_FIELDS.validUntil),
  };
}

/**
 * Writes outgoing messages, their thread entries and `message.api.sent` events in
 * `uow`; a message written `failed` (withheld: its contact opted out) also has its
 * `message.send.failed`. A message held for a later `send_at` joins its thread when
 * it is due, as in httpSMS (the dispatcher's planning writes the entry then).
 */
export async function enqueueOutgoing(
  uow: UnitOfWork,
  messages: readonly MessageRecord[],
  source: string,
  idempotency?: Parameters<Store['insertMessages']>[1],
): Promise<void> {
  await uow.tx.insertMessages(messages, idempotency);
  for (const m of messages) uow.statusChanged(m, null);
  for (const m of messages) {
    const later = m.status === 'pending' && (m.scheduledSendTime ?? 0) > uow.now;
    if (!later) await touchThread(uow, m, { status: m.status, timestamp: m.requestReceivedAt });
    uow.event('message.api.sent', m.accountId, m.owner, source, apiSentData(m));
    if (m.status === 'failed') {
      const data = failedData(m, m.failedAt ?? uow.now, m.failureReason ?? 'UNKNOWN ERROR');
      uow.event('message.send.failed', m.accountId, m.owner, source, data);
    }
  }
}

export async function sendMessages(
  ctx: GatewayContext,
  accountId: string,
  input: SendInput | BulkSendInput,
  bulk: boolean,
  options: SendOptions = {},
): Promise<MessageRecord[]> {
  const d = draft(ctx, input, bulk);
  const source = options.source ?? (bulk ? '/v1/messages/bulk-send' : '/v1/messages/send');
  const results = await idempotent(
    ctx,
    options.store ?? ctx.store,
    accountId,
    options.idempotencyKey,
    () => ({ bulk, ...d }),
    async (record) => {
      await checkQuota(ctx, {
        accountId,
        messages: d.recipients.length,
        from: [senderLabel(d.sender)],
        source,
      });
      return runUnitOfWorkRetrying(
        ctx,
        async (uow) => {
          const now = uow.now;
          const drafts = await draftMessages(ctx, uow, accountId, d, now);
          const messages = await withholdOptedOut(uow.tx, drafts, now);
          if (record) record.messageIds = messages.map((m) => m.id);
          await enqueueOutgoing(
            uow,
            messages,
            source,
            record ? { idempotency: record } : undefined,
          );
          return messages;
        },
        options.store,
      );
    },
  );
  return results.filter((m): m is MessageRecord => m !== null);
}
