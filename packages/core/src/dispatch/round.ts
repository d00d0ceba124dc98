/**
 * One dispatch round in named steps: load the round's phones and schedules, lay
 * its rows out in lanes (paced phones one by one; everything else by thread), and
 * work the lanes, collecting the messages ready to be handed off. The dispatcher
 * (dispatcher.ts) claims the rows and hands the ready ones to transports.
 */
import { hasCaps } from '../domain/caps.js';
import { hasRecipientCap } from '../domain/recipients.js';
import type { MessageRecord, PhoneRecord, SendScheduleRecord } from '../domain/records.js';
import type { Store } from '../store.js';
import type { GatewayContext, UnitOfWork } from '../uow/context.js';
import { runUnitOfWork } from '../uow/context.js';
import { pacingMs } from './plan.js';

/** Transactions that share the unpaced rows of one round. */
const ROUND_TRANSACTIONS = 4;

/** The claimed rows of a round with their phones and send schedules. */
export interface Round {
  rows: readonly MessageRecord[];
  phones: Map<string, PhoneRecord | null>;
  schedules: Map<string, SendScheduleRecord | null>;
}

/** Row indexes by lane: a paced phone's rows, or one thread's unpaced rows. */
export interface Lanes {
  paced: number[][];
  /** In thread order: concurrent transactions (here or on other nodes) lock threads in one order. */
  threads: number[][];
}

/** Decides what one row needs; returns it when it is to be handed off now. */
export type Act = (
  row: MessageRecord,
  phone: PhoneRecord | null,
  schedules: Map<string, SendScheduleRecord | null>,
  uow?: UnitOfWork,
) => Promise<MessageRecord | null>;

export interface WorkedRound {
  /** Per row: the message to hand off now, or null. */
  ready: (MessageRecord | null)[];
  /** The first step that failed; no row was taken up after it. */
  failure: { error: unknown } | undefined;
}

/** Runs `fn` on every item, at most `limit` at once. */
async function eachConcurrently<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function threadKey(row: MessageRecord): string {
  return `${row.accountId}\u0000${row.owner}\u0000${row.contact}`;
}

export function phoneOf(round: Round, row: MessageRecord): PhoneRecord | null {
  return row.phoneId === null ? null : (round.phones.get(row.phoneId) ?? null);
}

/**
 * Reads the round's phones in one read, and their send schedules concurrently (a
 * round of scheduled messages often spans many phones with a few rows each).
 */
export async function loadRound(
  store: Store,
  rows: readonly MessageRecord[],
  concurrency: number,
): Promise<Round> {
  const phones = new Map<string, PhoneRecord | null>();
  const schedules = new Map<string, SendScheduleRecord | null>();
  const phoneIds = [...new Set(rows.map((r) => r.phoneId))].filter((id) => id !== null);
  for (const id of phoneIds) phones.set(id, null);
  for (const phone of await store.getPhones(phoneIds)) phones.set(phone.id, phone);
  const scheduleKeys = new Map<string, string>();
  for (const phone of phones.values()) {
    if (phone?.sendScheduleId) scheduleKeys.set(phone.sendScheduleId, phone.accountId);
  }
  await eachConcurrently([...scheduleKeys], concurrency, async ([id, account]) => {
    schedules.set(id, await store.getSendSchedule(account, id));
  });
  return { rows, phones, schedules };
}

/**
 * Paced and capped phones get a lane each (each row reserves the next slot or
 * budget in a transaction of its own); other rows a lane per thread.
 */
export function laneRows(round: Round): Lanes {
  const paced = new Map<string, number[]>();
  const threads = new Map<string, number[]>();
  for (const [index, row] of round.rows.entries()) {
    const phone = phoneOf(round, row);
    if (
      phone &&
      (pacingMs(phone.messagesPerMinute) > 0 || hasCaps(phone) || hasRecipientCap(phone))
    ) {
      append(paced, phone.id, index);
    } else append(threads, threadKey(row), index);
  }
  return {
    paced: [...paced.values()],
    threads: [...threads.keys()].sort().map((key) => threads.get(key) ?? []),
  };
}

/**
 * Works the lanes: each paced row in its own transaction, one after another per
 * phone; the thread lanes shared by a few transactions (`ROUND_TRANSACTIONS`) that
 * commit many steps at once. After a failed step no more rows are taken up.
 */
export async function workLanes(
  ctx: GatewayContext,
  round: Round,
  lanes: Lanes,
  act: Act,
  concurrency: number,
): Promise<WorkedRound> {
  const { rows, schedules } = round;
  const ready: (MessageRecord | null)[] = rows.map(() => null);
  let failure: { error: unknown } | undefined;
  const pacedLanes = [...lanes.paced];
  const threadLanes = [...lanes.threads];
  const pacedWorker = async () => {
    try {
      while (!failure) {
        const lane = pacedLanes.shift();
        if (!lane) break;
        for (const index of lane) {
          if (failure) return;
          const row = rows[index] as MessageRecord;
          ready[index] = await act(row, phoneOf(round, row), schedules);
        }
      }
    } catch (error) {
      failure ??= { error };
    }
  };
  const unitWorker = async () => {
    try {
      const done = await runUnitOfWork(ctx, async (uow) => {
        const mine: [number, MessageRecord][] = [];
        while (!failure) {
          const lane = threadLanes.shift();
          if (!lane) break;
          for (const index of lane) {
            const row = rows[index] as MessageRecord;
            try {
              const handoff = await act(row, phoneOf(round, row), schedules, uow);
              if (handoff) mine.push([index, handoff]);
            } catch (error) {
              // Before the rollback lets the next transaction in: it must take no more rows.
              failure ??= { error };
              throw error;
            }
          }
        }
        return mine;
      });
      for (const [index, handoff] of done) ready[index] = handoff;
    } catch (error) {
      failure ??= { error };
    }
  };
  await Promise.all([
    ...Array.from({ length: Math.min(concurrency, pacedLanes.length) }, pacedWorker),
    ...Array.from(
      { length: Math.min(concurrency, ROUND_TRANSACTIONS, threadLanes.length) },
      unitWorker,
    ),
  ]);
  return { ready, failure };
}

/** The ready messages by phone, each phone's in claim order. */
export function readyByPhone(
  round: Round,
  ready: readonly (MessageRecord | null)[],
): [PhoneRecord, MessageRecord[]][] {
  const byPhone = new Map<string, MessageRecord[]>();
  for (const message of ready) if (message?.phoneId) append(byPhone, message.phoneId, message);
  const out: [PhoneRecord, MessageRecord[]][] = [];
  for (const [phoneId, messages] of byPhone) {
    const phone = round.phones.get(phoneId);
    if (phone) out.push([phone, messages]);
  }
  return out;
}
