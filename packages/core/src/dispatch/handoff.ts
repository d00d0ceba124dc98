/**
 * One claimed message, one step: plan its hand-off, hand it off, or expire it.
 * Every write is a compare-and-set guarded by the claimer's lease, so a message
 * another party moved meanwhile (the phone took it, the user canceled it) is left alone.
 * A hand-off passes the phone's pacing gate (pace.ts) in the same transaction.
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
import type { RoundPacer } from './pace.js';
import { awaitsHandoff, expiryDeadline, handoffSlot, isPastValidity, pacingMs } from './plan.js';

export interface StepContext {
  ctx: GatewayContext;
  claimer: string;
}

/** A patch's part that gives the claimer's lease back. */
export const released = { leaseOwner: null, leaseUntil: null } as const;

/** Runs `fn` in the caller's unit of work, or in a transaction of its own. */
function inUnit<T>(
  s: StepContext,
  uow: UnitOfWork | undefined,
  fn: (uow: UnitOfWork) => Promise<T>,
): Promise<T> {
  return uow ? fn(uow) : runUnitOfWork(s.ctx, fn);
}

/** Rolls back a step's own transaction: its message moved meanwhile, so the pacing slot it took stays free. */
const STALE = new Error('the message moved meanwhile');

/**
 * A hand-off step, in the caller's unit of work or in a transaction of its own
 * (`own`), where it throws `STALE` to give back the pacing slot it took.
 */
async function handOffUnit<T>(
  s: StepContext,
  uow: UnitOfWork | undefined,
  fn: (uow: UnitOfWork, own: boolean) => Promise<T | null>,
): Promise<T | null> {
  if (uow) return fn(uow, false);
  try {
    return await runUnitOfWork(s.ctx, (own) => fn(own, true));
  } catch (error) {
    if (error === STALE) return null;
    throw error;
  }
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
 * A slot that has come still passes the pacing gate, which may hold it back.
 */
export async function planMessage(
  s: StepContext,
  message: MessageRecord,
  phone: PhoneRecord,
  schedule: SendScheduleRecord | null,
  pacer: RoundPacer,
  uow?: UnitOfWork,
): Promise<MessageRecord | null> {
  const decision = decide(message.status, 'schedule');
  if (decision.kind !== 'move') return null;
  const now = s.ctx.clock.now();
  const slot = await reserveSlot(message, phone, schedule, now, uow?.tx ?? s.ctx.store);
  return handOffUnit(s, uow, async (uow, own) => {
    const held = slot <= now ? await pacer.take(uow.tx, message, phone, schedule, now) : slot;
    const patch =
      held === null ? handedOffPatch(message, phone, now) : plannedPatch(held, now, message);
    const moved = await uow.tx.transition(
      message.id,
      [message.status],
      { status: decision.to, ...patch, ...released },
      { leaseOwner: s.claimer },
    );
    if (!moved.ok) {
      if (own && held === null) throw STALE;
      return null;
    }
    uow.statusChanged(moved.message, message.status);
    await touchThread(uow, moved.message, { status: 'scheduled', timestamp: now });
    return held === null ? moved.message : null;
  });
}

/** A hand-off planned for `slot`; due by the message's `validUntil` at the latest (then it fails). */
export function plannedPatch(slot: number, now: number, message: MessageRecord) {
  const dueAt = message.validUntil === null ? slot : Math.min(slot, message.validUntil);
  return { scheduledAt: slot, dueAt, awaitingHandoff: true, updatedAt: now };
}

/** A hand-off now: the attempt counted, the expiry clock started. */
export function handedOffPatch(message: MessageRecord, phone: PhoneRecord, now: number) {
  return {
    scheduledAt: now,
    sendAttemptCount: message.sendAttemptCount + 1,
    dueAt: now + (phone.messageExpirationSeconds || 600) * 1000,
    awaitingHandoff: false,
    orderTimestamp: Math.max(message.orderTimestamp, now),
    updatedAt: now,
  };
}

/**
 * A planned message whose slot has come: count the attempt and start its expiry
 * clock; or, when the pacing gate or the send window holds it back, plan it anew.
 */
export async function startHandoff(
  s: StepContext,
  message: MessageRecord,
  phone: PhoneRecord,
  schedule: SendScheduleRecord | null,
  pacer: RoundPacer,
  uow?: UnitOfWork,
): Promise<MessageRecord | null> {
  if (!awaitsHandoff(message)) return null;
  return handOffUnit(s, uow, async (uow, own) => {
    const now = s.ctx.clock.now();
    const held = await pacer.take(uow.tx, message, phone, schedule, now);
    const patch =
      held === null ? handedOffPatch(message, phone, now) : plannedPatch(held, now, message);
    const moved = await uow.tx.transition(
      message.id,
      ['scheduled'],
      { ...patch, ...released },
      { leaseOwner: s.claimer },
    );
    if (!moved.ok && own && held === null) throw STALE;
    return moved.ok && held === null ? moved.message : null;
  });
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
  // No retry once the message's validUntil has come.
  const isFinal =
    message.sendAttemptCount >= message.maxSendAttempts || isPastValidity(message, now);
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
