/** The phone side of an outgoing message: taking it, then reporting SENT, DELIVERED or FAILED. */

import type { MessageRecord } from '../domain/records.js';
import { GatewayError } from '../errors.js';
import { retryDelay } from '../jobs/backoff.js';
import { classifyFailure } from '../lifecycle/failure-reasons.js';
import type { Decision, LifecycleEvent } from '../lifecycle/machine.js';
import { decide, sourcesOf, targetOf } from '../lifecycle/machine.js';
import type { PhoneEventInput, PhoneEventName, PhoneEventOutcome } from '../phone-api.js';
import { PHONE_EVENTS } from '../phone-api.js';
import type { GatewayContext, UnitOfWork } from '../uow/context.js';
import { runUnitOfWork } from '../uow/context.js';
import { failedData, messageEventData } from '../uow/payloads.js';
import { touchThread } from '../uow/thread-upkeep.js';
import type { Principal } from './accounts.js';
import { assertPhoneScope } from './accounts.js';
import { notFoundMessage } from './messages.js';
import { Checker } from './validate.js';

export type { PhoneEventInput, PhoneEventName, PhoneEventOutcome } from '../phone-api.js';
export { PHONE_EVENTS } from '../phone-api.js';

const SMS_PERMISSION_HINT =
  ' You need to grant the SMS permission to the httpSMS Android app https://httpsms.com/blog/grant-send-and-read-sms-permissions-on-android';

const LIFECYCLE_OF: Record<PhoneEventName, LifecycleEvent> = {
  SENT: 'phone.sent',
  DELIVERED: 'phone.delivered',
  FAILED: 'phone.failed',
};

const TAKE_FROM = sourcesOf('take');
const TAKE_TO = targetOf('take');

/** Atomically moves a pending, scheduled or expired message to `sending` for the phone. */
export async function takeOutstanding(
  ctx: GatewayContext,
  principal: Principal,
  messageId: string,
): Promise<MessageRecord> {
  const check = new Checker();
  check.uuid('message_id', messageId);
  check.throwIfInvalid();
  return runUnitOfWork(ctx, async (uow) => {
    const now = uow.now;
    const message = await uow.tx.takeOutstanding({
      accountId: principal.accountId,
      id: messageId,
      now,
      owners: principal.phoneNumbers,
      from: TAKE_FROM,
      to: TAKE_TO,
    });
    if (!message) {
      throw GatewayError.notFound(`Cannot find outstanding message with ID [${messageId}]`);
    }
    uow.statusChanged(message, null);
    await touchThread(uow, message, { status: 'sending', timestamp: now });
    const source = '/v1/messages/outstanding';
    const data = { ...messageEventData(message, now), request_id: null };
    uow.event('message.phone.sending', message.accountId, message.owner, source, data);
    return message;
  });
}

export function failureReason(reason: string | null | undefined): string {
  const text = reason?.trim() ? reason : 'UNKNOWN ERROR';
  return text.includes('android.permission.SEND_SMS') ? text + SMS_PERMISSION_HINT : text;
}

/**
 * What a report does to `current`: a FAILED for a transient reason with attempts
 * left is a `retry` (back to `pending`, due after the backoff); a message the
 * lifecycle does not send again (it was sent) fails as any other.
 */
function decideReport(
  ctx: GatewayContext,
  current: MessageRecord,
  input: PhoneEventInput,
): { event: LifecycleEvent; decision: Decision } {
  const event = LIFECYCLE_OF[input.event];
  if (
    input.event === 'FAILED' &&
    input.final !== true &&
    current.sendAttemptCount < current.maxSendAttempts &&
    classifyFailure(input.reason, ctx.failureRetry).class === 'transient'
  ) {
    const retry = decide(current.status, 'retry');
    if (retry.kind !== 'reject') return { event: 'retry', decision: retry };
  }
  return { event, decision: decide(current.status, event) };
}

export async function reportPhoneEvent(
  ctx: GatewayContext,
  principal: Principal,
  messageId: string,
  input: PhoneEventInput,
): Promise<PhoneEventOutcome> {
  if (messageId.includes('.')) return { outcome: 'duplicate', message: null };
  const check = new Checker();
  check.uuid('messageID', messageId);
  if (!PHONE_EVENTS.includes(input.event)) {
    check.add('event_name', 'The event_name field must be one of SENT, DELIVERED, FAILED');
  }
  const at = check.time('timestamp', input.timestamp);
  check.throwIfInvalid();

  for (;;) {
    const current = await ctx.store.getMessage(principal.accountId, messageId);
    if (!current) throw notFoundMessage(messageId);
    assertPhoneScope(principal, current.owner);
    const { event, decision } = decideReport(ctx, current, input);
    if (decision.kind !== 'move') {
      return { outcome: 'ignored', message: current, reason: decision.reason };
    }
    const applied = await runUnitOfWork(ctx, async (uow) => {
      const now = uow.now;
      const ts = at ?? now;
      if (event === 'retry') return queueRetry(ctx, uow, current, decision.to, input.reason, ts);
      const common = {
        status: decision.to,
        updatedAt: now,
        orderTimestamp: Math.max(current.orderTimestamp, ts),
        dueAt: null,
        leaseOwner: null,
        leaseUntil: null,
      };
      const elapsed = Math.max(0, ts - current.requestReceivedAt);
      const patch =
        input.event === 'SENT'
          ? { ...common, sentAt: ts, sendTimeMs: elapsed }
          : input.event === 'DELIVERED'
            ? { ...common, deliveredAt: ts, sendTimeMs: current.sendTimeMs ?? elapsed }
            : { ...common, failedAt: ts, failureReason: failureReason(input.reason) };
      const moved = await uow.tx.transition(messageId, [current.status], patch);
      if (!moved.ok) return null;
      const m = moved.message;
      uow.statusChanged(m, current.status);
      await touchThread(uow, m, { status: m.status, timestamp: ts });
      const source = `/v1/messages/${messageId}/events`;
      if (input.event === 'SENT') {
        uow.event('message.phone.sent', m.accountId, m.owner, source, messageEventData(m, ts));
      } else if (input.event === 'DELIVERED') {
        uow.event('message.phone.delivered', m.accountId, m.owner, source, messageEventData(m, ts));
      } else {
        const data = failedData(m, ts, m.failureReason ?? 'UNKNOWN ERROR');
        uow.event('message.send.failed', m.accountId, m.owner, source, data);
      }
      return m;
    });
    if (applied) return { outcome: 'applied', message: applied };
    // Lost a race (the dispatcher or another report moved it): decide again.
  }
}

/**
 * A transient failure with attempts left: the message goes back to `pending`, due
 * after the backoff of its attempt (`failureRetry.retry`), for the dispatcher to
 * hand off again. No failure event: the message has not failed yet.
 */
async function queueRetry(
  ctx: GatewayContext,
  uow: UnitOfWork,
  current: MessageRecord,
  to: MessageRecord['status'],
  reason: string | null | undefined,
  ts: number,
): Promise<MessageRecord | null> {
  const now = uow.now;
  const attempt = Math.max(1, current.sendAttemptCount);
  const delay = retryDelay(attempt, ctx.failureRetry.retry, ctx.random.next());
  const moved = await uow.tx.transition(current.id, [current.status], {
    status: to,
    updatedAt: now,
    orderTimestamp: Math.max(current.orderTimestamp, ts),
    dueAt: now + delay,
    awaitingHandoff: false,
    transportAttempts: 0,
    leaseOwner: null,
    leaseUntil: null,
  });
  if (!moved.ok) return null;
  const m = moved.message;
  uow.statusChanged(m, current.status);
  await touchThread(uow, m, { status: m.status, timestamp: ts });
  ctx.logger.info(
    { messageId: m.id, reason: failureReason(reason), attempt, delay },
    'the phone failed to send for a transient reason; retrying',
  );
  return m;
}
