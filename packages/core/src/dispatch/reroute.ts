/**
 * Failover inside a pool (docs/routing.md, Failover): a queued message of a pool moves
 * to another member, by the pool policy, in one compare-and-set on its status (and the
 * claimer's lease when it holds one), with `message.rerouted`. Only messages that no
 * phone holds move: pending, expired, or planned and not yet handed off (or whose
 * hand-off failed). A message sent from one number never moves.
 */
import { budgetFreesAt } from '../domain/caps.js';
import { choosePoolPhone } from '../domain/pools.js';
import type { MessageRecord, PhoneRecord } from '../domain/records.js';
import { formatTimestamp } from '../domain/time.js';
import type { UnitOfWork } from '../uow/context.js';
import { runUnitOfWork } from '../uow/context.js';
import { touchThread } from '../uow/thread-upkeep.js';
import type { StepContext } from './handoff.js';

export type RerouteReason = 'offline' | 'link_lost' | 'capped' | 'handoff_failed';

export interface RerouteOptions {
  reason: RerouteReason;
  /** The move requires the claimer's lease (a claimed row); false after a failed hand-off. */
  leased: boolean;
  /** Only a member whose caps take the message now (a capped phone's message moves only then). */
  mustFitNow?: boolean;
  /** Stored as the message's transport attempts (a failed hand-off counts as one). */
  transportAttempts?: number;
  uow?: UnitOfWork;
}

/** The member the message moves to, or null when no other member can send it. */
export async function rerouteTarget(
  s: StepContext,
  message: MessageRecord,
  mustFitNow: boolean,
  uow?: UnitOfWork,
): Promise<PhoneRecord | null> {
  if (message.poolId === null) return null;
  // A deleted pool has no members (its phones left it with it): nothing to move to.
  const members = await (uow?.tx ?? s.ctx.store).listPoolMembers(message.poolId);
  const now = s.ctx.clock.now();
  const target = choosePoolPhone(members, {
    contact: message.contact,
    segments: message.segments,
    now,
    linkGraceMs: s.ctx.pools.linkGraceMs,
    stickyPhoneId: null,
    exclude: new Set(message.phoneId === null ? [] : [message.phoneId]),
  });
  if (!target || (mustFitNow && budgetFreesAt(target, now, message.segments) > now)) return null;
  return target;
}

/**
 * Moves the message to another member of its pool; returns it moved, or null when
 * no member can take it or the message moved meanwhile (then nothing changed).
 */
export async function rerouteMessage(
  s: StepContext,
  message: MessageRecord,
  options: RerouteOptions,
): Promise<MessageRecord | null> {
  const target = await rerouteTarget(s, message, options.mustFitNow ?? false, options.uow);
  if (!target || message.poolId === null) return null;
  const poolId = message.poolId;
  const run = <T>(fn: (uow: UnitOfWork) => Promise<T>) =>
    options.uow ? fn(options.uow) : runUnitOfWork(s.ctx, fn);
  return run(async (uow) => {
    const now = uow.now;
    // A handed-off attempt whose hand-off failed is not counted: the new phone makes it.
    const handedOff = message.status === 'scheduled' && !message.awaitingHandoff;
    const moved = await uow.tx.transition(
      message.id,
      [message.status],
      {
        phoneId: target.id,
        owner: target.phoneNumber,
        sim: target.sim,
        dueAt: now,
        ...(message.status === 'scheduled' ? { scheduledAt: now, awaitingHandoff: true } : {}),
        ...(handedOff ? { sendAttemptCount: Math.max(0, message.sendAttemptCount - 1) } : {}),
        ...(options.transportAttempts === undefined
          ? {}
          : { transportAttempts: options.transportAttempts }),
        updatedAt: now,
        leaseOwner: null,
        leaseUntil: null,
      },
      options.leased ? { leaseOwner: s.claimer } : undefined,
    );
    if (!moved.ok) return null;
    const m = moved.message;
    await uow.tx.setPoolContact({
      accountId: m.accountId,
      poolId,
      contact: m.contact,
      phoneId: target.id,
      updatedAt: now,
    });
    await touchThread(uow, m, { status: m.status, timestamp: now });
    uow.event('message.rerouted', m.accountId, m.owner, '/v1/messages/send', {
      message_id: m.id,
      user_id: m.accountId,
      pool_id: poolId,
      previous_owner: message.owner,
      owner: m.owner,
      contact: m.contact,
      request_id: m.requestId,
      reason: options.reason,
      timestamp: formatTimestamp(now),
      sim: m.sim,
    });
    return m;
  });
}
