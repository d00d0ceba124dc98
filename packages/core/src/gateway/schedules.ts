/**
 * Send schedules (`/v1/send-schedules` in docs/http-api.md): weekly windows, in an IANA time zone, during
 * which a phone may be handed messages. A phone points at one schedule through
 * `sendScheduleId`.
 */

import type { SendScheduleRecord, SendWindow } from '../domain/records.js';
import { isValidTimeZone } from '../domain/windows.js';
import { GatewayError } from '../errors.js';
import type { GatewayContext } from '../uow/context.js';
import { runUnitOfWork } from '../uow/context.js';
import { eachRow } from './pages.js';
import { Checker } from './validate.js';

export interface SendScheduleInput {
  name: string;
  timezone: string;
  /** `[startMinute, endMinute)` after local midnight on `dayOfWeek` (0 = Sunday). */
  windows: readonly SendWindow[];
}

const MAX_WINDOWS_PER_DAY = 6;
const ANY_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function notFound(id: string): GatewayError {
  return GatewayError.notFound(`cannot find send schedule with ID [${id}]`);
}

/** Schedule ids that cannot be parsed as a UUID are a malformed request (400), as upstream. */
function requireParseableId(id: string): void {
  if (!ANY_UUID.test(id)) {
    throw new GatewayError('bad_request', `cannot parse [${id}] as a send schedule ID`);
  }
}

function within(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

function checkWindows(check: Checker, windows: readonly SendWindow[] | null | undefined) {
  const list = windows ?? [];
  if (list.length === 0) check.add('windows', 'The windows field must contain at least one window');
  const byDay = new Map<number, SendWindow[]>();
  list.forEach((w, i) => {
    const { dayOfWeek: day, startMinute: start, endMinute: end } = w;
    if (!within(day, 0, 6) || !within(start, 0, 1439) || !within(end, 1, 1440)) {
      check.add(
        'windows',
        `window [${i}] needs day_of_week 0–6, start_minute 0–1439, end_minute 1–1440`,
      );
      return;
    }
    if (end <= start) check.add('windows', `window [${i}] must end after it starts`);
    byDay.set(day, [...(byDay.get(day) ?? []), w]);
  });
  for (const [day, dayWindows] of byDay) {
    if (dayWindows.length > MAX_WINDOWS_PER_DAY) {
      check.add('windows', `day [${day}] has more than ${MAX_WINDOWS_PER_DAY} windows`);
    }
    const sorted = [...dayWindows].sort((a, b) => a.startMinute - b.startMinute);
    for (let i = 1; i < sorted.length; i++) {
      const previous = sorted[i - 1];
      const current = sorted[i];
      if (previous && current && current.startMinute < previous.endMinute) {
        check.add('windows', `windows of day [${day}] overlap`);
        break;
      }
    }
  }
  return list.map((w) => ({
    dayOfWeek: w.dayOfWeek,
    startMinute: w.startMinute,
    endMinute: w.endMinute,
  }));
}

function checkSchedule(input: SendScheduleInput) {
  const check = new Checker();
  const name = check.text('name', input.name?.trim(), 2, 100);
  const timezone = check.text('timezone', input.timezone?.trim(), 2, 100);
  if (timezone !== '' && !isValidTimeZone(timezone)) {
    check.add('timezone', 'The timezone field must be a valid IANA time zone e.g Europe/Berlin');
  }
  const windows = checkWindows(check, input.windows);
  check.throwIfInvalid();
  return { name, timezone, windows };
}

export function listSchedules(ctx: GatewayContext, accountId: string) {
  return ctx.store.listSendSchedules(accountId);
}

export async function getSchedule(
  ctx: GatewayContext,
  accountId: string,
  id: string,
): Promise<SendScheduleRecord> {
  requireParseableId(id);
  const schedule = await ctx.store.getSendSchedule(accountId, id);
  if (!schedule) throw notFound(id);
  return schedule;
}

export async function createSchedule(
  ctx: GatewayContext,
  accountId: string,
  input: SendScheduleInput,
): Promise<SendScheduleRecord> {
  const fields = checkSchedule(input);
  const now = ctx.clock.now();
  const schedule: SendScheduleRecord = {
    id: ctx.random.uuid(),
    accountId,
    ...fields,
    createdAt: now,
    updatedAt: now,
  };
  await ctx.store.insertSendSchedule(schedule);
  return schedule;
}

export async function updateSchedule(
  ctx: GatewayContext,
  accountId: string,
  id: string,
  input: SendScheduleInput,
): Promise<SendScheduleRecord> {
  await getSchedule(ctx, accountId, id);
  const fields = checkSchedule(input);
  const updated = await ctx.store.updateSendSchedule(id, { ...fields, updatedAt: ctx.clock.now() });
  if (!updated) throw notFound(id);
  return updated;
}

/** Deletes the schedule; the account's phones that used it fall back to "any time". */
export async function deleteSchedule(
  ctx: GatewayContext,
  accountId: string,
  id: string,
): Promise<void> {
  requireParseableId(id);
  await runUnitOfWork(ctx, async (uow) => {
    if (!(await uow.tx.deleteSendSchedule(accountId, id))) throw notFound(id);
    for await (const phone of eachRow((page) => uow.tx.listPhones({ accountId, ...page }))) {
      if (phone.sendScheduleId !== id) continue;
      await uow.tx.updatePhone(phone.id, { sendScheduleId: null, updatedAt: uow.now });
    }
  });
}
