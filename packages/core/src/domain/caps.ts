/**
 * Hand-off caps per phone: at most `messagesPerHour` SMS segments in an hour and
 * `messagesPerDay` in a day (0 = no cap). Each cap counts in a window that opens
 * with the first hand-off after the previous window ended and lasts the cap's
 * length; the window's start and its segments live on the phone row, so every
 * node counts the same hand-offs (the store's `reservePhoneBudget`).
 */
import type { PhoneRecord } from './records.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The cap settings and the counting windows of a phone. */
export type PhoneCaps = Pick<
  PhoneRecord,
  | 'messagesPerHour'
  | 'messagesPerDay'
  | 'hourWindowStart'
  | 'hourWindowSegments'
  | 'dayWindowStart'
  | 'dayWindowSegments'
>;

/** The cap-related fields of a new phone: no cap, no window. */
export const NO_CAPS = Object.freeze({
  messagesPerHour: 0,
  messagesPerDay: 0,
  hourWindowStart: null,
  hourWindowSegments: 0,
  dayWindowStart: null,
  dayWindowSegments: 0,
} as const satisfies PhoneCaps);

interface Window {
  cap: number;
  start: number | null;
  segments: number;
  lengthMs: number;
}

function windowsOf(phone: PhoneCaps): [hour: Window, day: Window] {
  return [
    {
      cap: phone.messagesPerHour,
      start: phone.hourWindowStart,
      segments: phone.hourWindowSegments,
      lengthMs: HOUR_MS,
    },
    {
      cap: phone.messagesPerDay,
      start: phone.dayWindowStart,
      segments: phone.dayWindowSegments,
      lengthMs: DAY_MS,
    },
  ];
}

/** True when the window has ended (or never began) at `at`: it starts anew. */
function isOver(w: Window, at: number): boolean {
  return w.start === null || w.start <= at - w.lengthMs;
}

/** Segments counted in the window at `at` (0 once it has ended). */
function counted(w: Window, at: number): number {
  return isOver(w, at) ? 0 : w.segments;
}

/**
 * Whether `segments` more fit the window at `at`. A message longer than a
 * whole cap still goes, alone, in an empty window (else it could never go).
 */
function fits(w: Window, at: number, segments: number): boolean {
  const used = counted(w, at);
  return w.cap === 0 || used === 0 || used + segments <= w.cap;
}

/** True when the phone has an hourly or daily cap. */
export function hasCaps(phone: PhoneCaps): boolean {
  return phone.messagesPerHour > 0 || phone.messagesPerDay > 0;
}

/**
 * The budget rule of `reservePhoneBudget`: when `segments` fit both windows at
 * `at`, the counting fields after counting them in; else null.
 */
export function reserveBudget(phone: PhoneCaps, at: number, segments: number): PhoneCaps | null {
  const [hour, day] = windowsOf(phone);
  if (!fits(hour, at, segments) || !fits(day, at, segments)) return null;
  return {
    messagesPerHour: phone.messagesPerHour,
    messagesPerDay: phone.messagesPerDay,
    hourWindowStart: isOver(hour, at) ? at : hour.start,
    hourWindowSegments: counted(hour, at) + segments,
    dayWindowStart: isOver(day, at) ? at : day.start,
    dayWindowSegments: counted(day, at) + segments,
  };
}

/**
 * When `segments` fit the phone's caps again: the end of every window they do
 * not fit at `at` (the latest of them); `at` itself when they fit now.
 */
export function budgetFreesAt(phone: PhoneCaps, at: number, segments: number): number {
  let freesAt = at;
  for (const w of windowsOf(phone)) {
    if (!fits(w, at, segments) && w.start !== null) {
      freesAt = Math.max(freesAt, w.start + w.lengthMs);
    }
  }
  return freesAt;
}

/** Segments the phone may still hand off in its current hour and day windows; null = no cap. */
export function remainingBudget(
  phone: PhoneCaps,
  at: number,
): { hourly: number | null; daily: number | null } {
  const [hour, day] = windowsOf(phone);
  const left = (w: Window) => (w.cap === 0 ? null : Math.max(0, w.cap - counted(w, at)));
  return { hourly: left(hour), daily: left(day) };
}
