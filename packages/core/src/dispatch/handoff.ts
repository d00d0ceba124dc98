/**
 * One claimed message, one step: plan its hand-off, hand it off, or expire it.
 * Every write is a compare-and-set guarded by the claimer's lease, so a message
 * another party moved meanwhile (the phone took it, the user canceled it) is left alone.
 *
 * A step given a unit of work (`uow`) runs all its reads and writes in that
 * transaction, so the dispatcher can commit many steps at once; without one, a
 * step that writes more than one row runs in a transaction of its own.
 */
import type { MessageRecord, PhoneRecord, SendScheduleRecord } from '../domain/records.js';
import { decide } from '../lifecycle/machine.js';
import type { Store } from '../store.js';
import type { GatewayContext, UnitOfWork } from '../uow/context.js';
import { runUnitOfWork } from '../uow/context.js';
import { expiredData, failedData } from '../uow/payloads.js';
import { touchThread } from '../uow/thread-upkeep.js';
import { awaitsHandoff, expiryDeadline, handoffSlot, pacingMs } from './plan.js';

export interface StepContext {
  ctx: GatewayContext;
  claimer: string;
}

const released = { leaseOwner: null, leaseUntil: null } as const;

/** Runs `fn` in the caller's unit of work, or in a transaction of its own. */
function inUnit<T>(
  s: StepContext,
  uow: UnitOfWork | undefined,
  fn: (uow: UnitOfWork) => Promise<T>,
): Promise<T> {
  return uow ? fn(uow) : runUnitOfWork(s.ctx, fn);
}

/** Reserves the phone's next pacing slot (compare-and-set on its anchor); retries on a race. */
async function reserveSlot(
  message: MessageRecord,
  phone: PhoneRecord,
  schedule: SendScheduleRecord | null,
  now: number,
  store: Store,
): Promise<number> {
  if (pacingMs(phone.messagesPerMinute) === 0) return handoffSlot(now, message, phone, schedule);
  let current = phone;
  for (let attempt = 0; attempt < 20; attempt++) {
    const slot = handoffSlot(now, message, current, schedule);
    const anchor = Math.max(current.lastScheduledAt ?? slot, slot);
    if (await store.reservePhoneSlot(current.id, current.lastScheduledAt, anchor)) return slot;
    const fresh = await store.getPhone(current.id);
    if (!fresh) return slot;
    current = fresh;
  }
  return handoffSlot(now, message, current, schedule);
}

/**
 * Plans a pending (or retried, expired) message. Returns the message when it is to
 * be handed off now (already moved to `scheduled` with the attempt counted), else null.
 */
export async function planMessage(
  s: StepContext,
  message: MessageRecord,
  phone: PhoneRecord,
  schedule: SendScheduleRecord | null,
  uow?: UnitOfWork,
): Promise<MessageRecord | null> {
  const decision = decide(message.status, 'schedule');
  if (decision.kind !== 'move') return null;
  const now = s.ctx.clock.now();
  const slot = await reserveSlot(message, phone, schedule, now, uow?.tx ?? s.ctx.store);
  const immediate = slot <= now;
  return inUnit(s, uow, async (uow) => {
    const patch = immediate
      ? handedOffPatch(message, phone, now)
      : { scheduledAt: slot, dueAt: slot, awaitingHandoff: true, updatedAt: now };
    const moved = await uow.tx.transition(
      message.id,
      [message.status],
      { status: decision.to, ...patch, ...released },
      { leaseOwner: s.claimer },
    );
    if (!moved.ok) return null;
    uow.statusChanged(moved.message, message.status);
    await touchThread(uow, moved.message, { status: 'scheduled', timestamp: now });
    return immediate ? moved.message : null;
  });
}

function handedOffPatch(message: MessageRecord, phone: PhoneRecord, now: number) {
  return {
    scheduledAt: now,
    sendAttemptCount: message.sendAttemptCount + 1,
    dueAt: now + (phone.messageExpirationSeconds || 600) * 1000,
    awaitingHandoff: false,
    orderTimestamp: Math.max(message.orderTimestamp, now),
    updatedAt: now,
  };
}

/** A planned message whose slot has come: count the attempt and start its expiry clock. */
export async function startHandoff(
  s: StepContext,
  message: MessageRecord,
  phone: PhoneRecord,
  store: Store = s.ctx.store,
): Promise<MessageRecord | null> {
  if (!awaitsHandoff(message)) return null;
  const now = s.ctx.clock.now();
  const moved = await store.transition(
    message.id,
    ['scheduled'],
    { ...handedOffPatch(message, phone, now), ...released },
    { leaseOwner: s.claimer },
  );
  return moved.ok ? moved.message : null;
}

/**
 * The transport could not be reached for now: try the hand-off again later. The
 * transport attempt is stored with the message, so every node (and a restarted
 * one) counts the same retries.
 */
export async function postponeHandoff(
  s: StepContext,
  message: MessageRecord,
  delayMs: number,
  transportAttempts: number,
) {
  const at = s.ctx.clock.now() + delayMs;
  await s.ctx.store.transition(message.id, ['scheduled'], {
    scheduledAt: at,
    dueAt: at,
    awaitingHandoff: true,
    transportAttempts,
    sendAttemptCount: Math.max(0, message.sendAttemptCount - 1),
    updatedAt: s.ctx.clock.now(),
  });
}

/** The message can never be handed off: it fails with `reason` (`message.send.failed`). */
export async function failMessage(
  s: StepContext,
  message: MessageRecord,
  reason: string,
  uow?: UnitOfWork,
) {
  const decision = decide(message.status, 'phone.failed');
  if (decision.kind !== 'move') return;
  await inUnit(s, uow, async (uow) => {
    const now = uow.now;
    const moved = await uow.tx.transition(message.id, [message.status], {
      status: decision.to,
      failedAt: now,
      failureReason: reason,
      dueAt: null,
      updatedAt: now,
      orderTimestamp: Math.max(message.orderTimestamp, now),
      ...released,
    });
    if (!moved.ok) return;
    const m = moved.message;
    uow.statusChanged(m, message.status);
    await touchThread(uow, m, { status: 'failed', timestamp: now });
    uow.event(
      'message.send.failed',
      m.accountId,
      m.owner,
      '/v1/messages/send',
      failedData(m, now, reason),
    );
  });
}

/**
 * A handed-off message reached its expiry check: still not sent → `expired`
 * (`message.send.expired`, `is_final` when attempts are used up); a retry is due at once.
 */
export async function checkExpiry(
  s: StepContext,
  message: MessageRecord,
  phone: PhoneRecord | null,
  uow?: UnitOfWork,
) {
  const store = uow?.tx ?? s.ctx.store;
  const now = s.ctx.clock.now();
  const deadline = expiryDeadline(message, phone);
  if (now < deadline) {
    await store.transition(
      message.id,
      [message.status],
      { dueAt: deadline, ...released },
      { leaseOwner: s.claimer },
    );
    return;
  }
  const decision = decide(message.status, 'expire');
  if (decision.kind !== 'move') {
    await store.transition(message.id, [message.status], { dueAt: null, ...released });
    return;
  }
  const isFinal = message.sendAttemptCount >= message.maxSendAttempts;
  await inUnit(s, uow, async (uow) => {
    const moved = await uow.tx.transition(
      message.id,
      [message.status],
      {
        status: decision.to,
        expiredAt: now,
        dueAt: isFinal ? null : now,
        // The next send attempt starts with a fresh transport retry budget.
        transportAttempts: 0,
        updatedAt: now,
        orderTimestamp: Math.max(message.orderTimestamp, now),
        ...released,
      },
      { leaseOwner: s.claimer },
    );
    if (!moved.ok) return;
    const m = moved.message;
    uow.statusChanged(m, message.status);
    await touchThread(uow, m, { status: 'expired', timestamp: now });
    const source = '/v1/messages/send';
    uow.event('message.send.expired', m.accountId, m.owner, source, expiredData(m, now, isFinal));
  });
}

/** A row that needs nothing more from the dispatcher: clear its timer and lease. */
export async function settle(s: StepContext, message: MessageRecord, store = s.ctx.store) {
  await store.transition(
    message.id,
    [message.status],
    { dueAt: null, ...released },
    { leaseOwner: s.claimer },
  );
}
