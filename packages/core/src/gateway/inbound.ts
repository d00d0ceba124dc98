/** Incoming SMS/MMS and missed calls reported by a phone, with the missed-call auto-reply. */

import { sanitizeContact } from '../domain/phone-number.js';
import type { MessageRecord, PhoneRecord } from '../domain/records.js';
import { UNSET_MESSAGE_FIELDS } from '../domain/records.js';
import { measureText } from '../domain/segments.js';
import { formatTimestamp } from '../domain/time.js';
import type { MissedCallInput, ReceiveInput } from '../phone-api.js';
import type { GatewayContext, UnitOfWork } from '../uow/context.js';
import { runUnitOfWorkRetrying } from '../uow/context.js';
import { touchThread } from '../uow/thread-upkeep.js';
import type { Principal } from './accounts.js';
import { assertPhoneScope } from './accounts.js';
import { removeAttachments, storeAttachments, validateAttachments } from './inbound-attachments.js';
import { applyKeyword } from './inbound-keywords.js';
import { withholdOptedOut } from './opt-outs.js';
import { enqueueOutgoing, newOutgoingMessage } from './send.js';
import { Checker } from './validate.js';

export type { MissedCallInput, ReceiveInput } from '../phone-api.js';
export type { AttachmentInput } from './inbound-attachments.js';

function incoming(
  uow: UnitOfWork,
  principal: Principal,
  phone: PhoneRecord | null,
  fields: Pick<
    MessageRecord,
    'id' | 'owner' | 'contact' | 'content' | 'type' | 'sim' | 'encrypted'
  > & {
    at: number;
    attachments: string[];
    receivedAt: number | null;
  },
): MessageRecord {
  const measure = measureText(fields.content);
  const now = uow.now;
  return {
    id: fields.id,
    accountId: principal.accountId,
    phoneId: phone?.id ?? null,
    owner: fields.owner,
    contact: fields.contact,
    content: fields.content,
    attachments: fields.attachments,
    encrypted: fields.encrypted,
    type: fields.type,
    status: 'received',
    sim: fields.sim,
    requestId: null,
    encoding: measure.encoding,
    segments: measure.segments,
    requestReceivedAt: fields.at,
    createdAt: now,
    updatedAt: now,
    orderTimestamp: fields.at,
    scheduledSendTime: null,
    ...UNSET_MESSAGE_FIELDS,
    receivedAt: fields.receivedAt,
    maxSendAttempts: 0,
    dueAt: null,
    bulkIndex: 0,
  };
}

export async function receiveMessage(
  ctx: GatewayContext,
  principal: Principal,
  input: ReceiveInput,
): Promise<MessageRecord> {
  const check = new Checker();
  const to = check.phoneNumber('to', input.to);
  const rawFrom = check.text('from', input.from, 1, 255);
  const files = validateAttachments(check, input.attachments);
  const required = files.length === 0 && input.allowEmptyContent !== true;
  const content = check.text('content', input.content ?? '', required ? 1 : 0, 2048, required);
  const sim = check.sim('sim', input.sim);
  const at = check.time('timestamp', input.timestamp) ?? ctx.clock.now();
  check.throwIfInvalid();
  assertPhoneScope(principal, to);

  const id = ctx.random.uuid();
  // Files first, so the committed message never points at a missing file; a receive
  // that fails removes them (a crash in between leaves them to the orphan sweep).
  const { keys, urls } = await storeAttachments(ctx, principal.accountId, id, files);
  try {
    return await runUnitOfWorkRetrying(ctx, async (uow) => {
      const phone = await uow.tx.findPhoneByNumber(principal.accountId, to);
      const message = incoming(uow, principal, phone, {
        id,
        owner: to,
        contact: sanitizeContact(to, rawFrom),
        content,
        type: 'mobile-originated',
        sim,
        encrypted: input.encrypted === true,
        at,
        attachments: urls,
        receivedAt: at,
      });
      await uow.tx.insertMessages([message]);
      uow.statusChanged(message, null);
      await touchThread(uow, message, {
        status: 'received',
        timestamp: at,
        markUnread: true,
        unarchive: phone?.unarchiveThread,
      });
      uow.event('message.phone.received', message.accountId, to, '/v1/messages/receive', {
        message_id: message.id,
        user_id: message.accountId,
        owner: to,
        encrypted: message.encrypted,
        contact: message.contact,
        timestamp: formatTimestamp(at),
        content,
        sim,
        attachments: urls,
      });
      await applyKeyword(ctx, uow, message, phone);
      return message;
    });
  } catch (error) {
    await removeAttachments(ctx, keys);
    throw error;
  }
}

export async function recordMissedCall(
  ctx: GatewayContext,
  principal: Principal,
  input: MissedCallInput,
): Promise<MessageRecord> {
  const check = new Checker();
  const to = check.phoneNumber('to', input.to);
  const rawFrom = check.text('from', input.from, 1, 255);
  const at = check.time('timestamp', input.timestamp) ?? ctx.clock.now();
  check.throwIfInvalid();
  const sim = input.sim === 'SIM2' ? 'SIM2' : 'SIM1';
  assertPhoneScope(principal, to);

  return runUnitOfWorkRetrying(ctx, async (uow) => {
    const phone = await uow.tx.findPhoneByNumber(principal.accountId, to);
    const message = incoming(uow, principal, phone, {
      id: uow.uuid(),
      owner: to,
      contact: sanitizeContact(to, rawFrom),
      content: '',
      type: 'call/missed',
      sim,
      encrypted: false,
      at,
      attachments: [],
      receivedAt: null,
    });
    await uow.tx.insertMessages([message]);
    await touchThread(uow, message, {
      status: 'received',
      timestamp: at,
      content: 'Missed phone call',
      markUnread: true,
    });
    const source = '/v1/messages/calls/missed';
    uow.event('message.call.missed', message.accountId, to, source, {
      message_id: message.id,
      user_id: message.accountId,
      owner: to,
      contact: message.contact,
      timestamp: formatTimestamp(at),
      sim,
    });
    const reply = phone?.missedCallAutoReply?.trim();
    if (phone && reply) {
      const auto = newOutgoingMessage(
        phone,
        {
          id: uow.uuid(),
          contact: message.contact,
          content: reply,
          attachments: null,
          encrypted: false,
          requestId: `missed-call-${message.id}`,
          sendAt: null,
          bulkIndex: 0,
        },
        uow.now,
      );
      await enqueueOutgoing(uow, await withholdOptedOut(uow.tx, [auto], uow.now), source);
    }
    return message;
  });
}
