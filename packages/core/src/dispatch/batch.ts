/**
 * A dispatch round's first transaction (`takeRound`): it picks the due rows
 * (`pickDue`: held by the transaction, not leased), writes the batched rows'
 * next state, and leases the rest for the per-row steps. So a batched row is
 * written once per round, and a failed round leaves every row as it was.
 *
 * The batched part. A claimed row of a phone without pacing or caps
 * that is to be planned (pending, or expired with a retry due) or whose planned
 * hand-off has come needs no read to be decided: the phone, its send schedule and
 * the clock say everything. So all such rows of a round are decided in memory and
 * written in one transaction with a few statements: their compare-and-sets
 * (`transitionMany`, each still guarded by status and lease) and their threads
 * (`touchThreads`). Every other row takes the per-row steps (handoff.ts).
 */
import { hasCaps } from '../domain/caps.js';
import { hasRecipientCap } from '../domain/recipients.js';
import type { MessageRecord, PhoneRecord, SendScheduleRecord } from '../domain/records.js';
import { decide } from '../lifecycle/machine.js';
import type { TransitionStep } from '../store.js';
import { runUnitOfWork, type UnitOfWork } from '../uow/context.js';
import { touchThreads } from '../uow/thread-upkeep.js';
import { handedOffPatch, plannedPatch, released, type StepContext } from './handoff.js';
import type { RoundPacer } from './pace.js';
import { awaitsHandoff, handoffSlot, isPastValidity, isQueued, pacingMs } from './plan.js';
import { type Lanes, laneRows, loadRound, phoneOf, type Round } from './round.js';

/** True when the row's step is decided without a read: see the module comment. */
export function isBatchable(row: MessageRecord, phone: PhoneRecord | null, now: number): boolean {
  if (!phone || pacingMs(phone.messagesPerMinute) > 0 || hasCaps(phone)) return false;
  if (hasRecipientCap(phone) || (isQueued(row) && isPastValidity(row, now))) return false;
  if (awaitsHandoff(row)) return true;
  return (
    (row.status === 'pending' || row.status === 'expired') &&
    decide(row.status, 'schedule').kind === 'move'
  );
}

/** The batchable rows of the round's thread lanes, and the lanes left for the per-row steps. */
export function splitBatch(
  round: Round,
  lanes: Lanes,
  now: number,
): { batch: number[]; lanes: Lanes } {
  const batch: number[] = [];
  const threads: number[][] = [];
  for (const lane of lanes.threads) {
    const rest: number[] = [];
    for (const index of lane) {
      const row = round.rows[index] as MessageRecord;
      if (isBatchable(row, phoneOf(round, row), now)) batch.push(index);
      else rest.push(index);
    }
    if (rest.length > 0) threads.push(rest);
  }
  return { batch, lanes: { paced: lanes.paced, threads } };
}

function scheduleOf(round: Round, phone: PhoneRecord): SendScheduleRecord | null {
  return phone.sendScheduleId === null ? null : (round.schedules.get(phone.sendScheduleId) ?? null);
}

/**
 * Decides and writes the batch in `uow`; returns, by row index, the messages
 * handed off now. A row another party moved meanwhile is left alone.
 */
export async function workBatch(
  s: StepContext,
  round: Round,
  batch: readonly number[],
  pacer: RoundPacer,
  uow: UnitOfWork,
  /** The rows are the claimer's by lease (else held by `uow`'s transaction). */
  leased = true,
): Promise<Map<number, MessageRecord>> {
  const now = s.ctx.clock.now();
  const steps: TransitionStep[] = [];
  const handedOff: boolean[] = [];
  for (const index of batch) {
    const row = round.rows[index] as MessageRecord;
    const phone = phoneOf(round, row) as PhoneRecord;
    const schedule = scheduleOf(round, phone);
    const planning = !awaitsHandoff(row);
    const decision = decide(row.status, 'schedule');
    const status = planning && decision.kind === 'move' ? { status: decision.to } : {};
    // Unpaced and uncapped: the pacer reads nothing, it only checks the send window.
    const slot = planning ? handoffSlot(now, row, phone, schedule) : now;
    const held = slot <= now ? await pacer.take(uow.tx, row, phone, schedule, now) : slot;
    const patch = held === null ? handedOffPatch(row, phone, now) : plannedPatch(held, now, row);
    steps.push({
      id: row.id,
      expected: [row.status],
      patch: { ...status, ...patch, ...released },
      ...(leased ? { leaseOwner: s.claimer } : { current: row }),
    });
    handedOff.push(held === null);
  }
  const moved = await uow.tx.transitionMany(steps);
  const ready = new Map<number, MessageRecord>();
  const touches: Parameters<typeof touchThreads>[1][number][] = [];
  for (const [k, index] of batch.entries()) {
    const message = moved[k];
    if (!message) continue;
    const row = round.rows[index] as MessageRecord;
    if (!awaitsHandoff(row)) {
      uow.statusChanged(message, row.status);
      touches.push({ message, touch: { status: 'scheduled', timestamp: now } });
    }
    if (handedOff[k]) ready.set(index, message);
  }
  await touchThreads(uow, touches);
  return ready;
}

/** What a round's first transaction took. */
export interface TakenRound {
  /** The picked rows; those left to the per-row steps as leased by this claimer. */
  round: Round;
  /** The per-row steps' lanes (rows leased). */
  lanes: Lanes;
  /** By row index: the batched messages handed off now. */
  ready: Map<number, MessageRecord>;
}

/**
 * Picks up to `limit` due rows of `phoneIds` and, in the same transaction, writes
 * the batched ones and leases the others for `leaseMs`; null when nothing is due.
 */
export async function takeRound(
  s: StepContext,
  query: { phoneIds: readonly string[] | 'all'; limit: number; leaseMs: number },
  concurrency: number,
  pacer: RoundPacer,
): Promise<TakenRound | null> {
  return runUnitOfWork(s.ctx, async (uow) => {
    const now = s.ctx.clock.now();
    const { phoneIds, limit } = query;
    const rows = await uow.tx.pickDue({ now, phoneIds, limit, claimer: s.claimer });
    if (rows.length === 0) return null;
    const picked = await loadRound(uow.tx, rows, concurrency);
    const { batch, lanes } = splitBatch(picked, laneRows(picked), now);
    const rest = [...lanes.paced, ...lanes.threads].flat();
    const lease = { leaseOwner: s.claimer, leaseUntil: now + query.leaseMs };
    const leased = await uow.tx.transitionMany(
      rest.map((index) => {
        const row = rows[index] as MessageRecord;
        return { id: row.id, expected: [row.status], patch: lease, current: row };
      }),
    );
    const updated = [...rows];
    for (const [k, index] of rest.entries()) {
      const row = leased[k];
      if (row) updated[index] = row;
    }
    const round = { ...picked, rows: updated };
    const ready = await workBatch(s, round, batch, pacer, uow, false);
    return { round, lanes, ready };
  });
}
