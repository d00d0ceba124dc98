/**
 * Send-schedule windows (`/v1/send-schedules` in docs/http-api.md): `[startMinute, endMinute)` after local
 * midnight on `dayOfWeek` (0 = Sunday), resolved in the schedule's IANA time zone,
 * across midnight and daylight-saving changes.
 */
import type { SendWindow } from './records.js';

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock fields of instant `ms` in `timeZone`. */
function wallClock(ms: number, timeZone: string) {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Offset of `timeZone` from UTC at instant `ms`, in milliseconds. */
function offsetAt(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The instant of local `date` + `minute` minutes in `timeZone`. A wall time that a
 * DST jump skips resolves to the same distance after the jump.
 */
export function localToInstant(date: LocalDate, minute: number, timeZone: string): number {
  const naive = Date.UTC(date.year, date.month - 1, date.day) + minute * 60_000;
  const first = naive - offsetAt(naive, timeZone);
  const second = naive - offsetAt(first, timeZone);
  return first === second ? first : Math.max(first, second);
}

function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * The earliest instant at or after `at` that falls inside one of the windows. Looks
 * at today and up to 7 days ahead; with no windows (or an unknown zone) returns `at`.
 */
export function nextWindowStart(
  at: number,
  timeZone: string,
  windows: readonly SendWindow[],
): number {
  if (windows.length === 0 || !isValidTimeZone(timeZone)) return at;
  const w = wallClock(at, timeZone);
  const today: LocalDate = { year: w.year, month: w.month, day: w.day };
  for (let offset = 0; offset <= 7; offset++) {
    const date = addDays(today, offset);
    const dayOfWeek = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
    const candidates = windows
      .filter((win) => win.dayOfWeek === dayOfWeek)
      .sort((a, b) => a.startMinute - b.startMinute);
    for (const win of candidates) {
      const start = localToInstant(date, win.startMinute, timeZone);
      const end = localToInstant(date, win.endMinute, timeZone);
      if (at >= start && at < end) return at;
      if (start > at) return start;
    }
  }
  return at;
}
