import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY } from '../../src/config/config.js';
import { isValidTimeZone, localToInstant, nextWindowStart } from '../../src/domain/windows.js';
import { retryDelay } from '../../src/jobs/backoff.js';

const iso = (s: string) => Date.parse(s);

describe('nextWindowStart', () => {
  // Weekdays 09:00-17:00 in New York.
  const weekdays = [1, 2, 3, 4, 5].map((d) => ({
    dayOfWeek: d,
    startMinute: 540,
    endMinute: 1020,
  }));

  it('inside a window: now', () => {
    const at = iso('2026-11-24T15:00:00Z'); // Tue 10:00 EST
    expect(nextWindowStart(at, 'America/New_York', weekdays)).toBe(at);
  });

  it('before the window today: its start', () => {
    const at = iso('2026-11-24T12:00:00Z'); // Tue 07:00 EST
    expect(nextWindowStart(at, 'America/New_York', weekdays)).toBe(iso('2026-11-24T14:00:00Z'));
  });

  it('after the last window on Friday: Monday morning', () => {
    const at = iso('2026-11-27T23:00:00Z'); // Fri 18:00 EST
    expect(nextWindowStart(at, 'America/New_York', weekdays)).toBe(iso('2026-11-30T14:00:00Z'));
  });

  it('the end minute is exclusive', () => {
    const at = iso('2026-11-24T22:00:00Z'); // Tue 17:00 EST sharp
    expect(nextWindowStart(at, 'America/New_York', weekdays)).toBe(iso('2026-11-25T14:00:00Z'));
  });

  it('the start minute is inside the window', () => {
    const at = iso('2026-11-24T14:00:00Z'); // Tue 09:00 EST sharp
    expect(nextWindowStart(at, 'America/New_York', weekdays)).toBe(at);
    // One millisecond before it: the start.
    expect(nextWindowStart(at - 1, 'America/New_York', weekdays)).toBe(at);
  });

  it('two windows on one day, given out of order: the earlier one first', () => {
    const tuesday = [
      { dayOfWeek: 2, startMinute: 840, endMinute: 900 }, // 14:00-15:00
      { dayOfWeek: 2, startMinute: 540, endMinute: 600 }, // 09:00-10:00
    ];
    expect(nextWindowStart(iso('2026-11-24T08:00:00Z'), 'UTC', tuesday)).toBe(
      iso('2026-11-24T09:00:00Z'),
    );
    expect(nextWindowStart(iso('2026-11-24T09:30:00Z'), 'UTC', tuesday)).toBe(
      iso('2026-11-24T09:30:00Z'),
    );
    // Between the two: the afternoon window.
    expect(nextWindowStart(iso('2026-11-24T10:00:00Z'), 'UTC', tuesday)).toBe(
      iso('2026-11-24T14:00:00Z'),
    );
  });

  it('a weekly window already passed today: the same day next week', () => {
    const tuesday = [{ dayOfWeek: 2, startMinute: 540, endMinute: 600 }]; // 09:00-10:00
    expect(nextWindowStart(iso('2026-11-24T11:00:00Z'), 'UTC', tuesday)).toBe(
      iso('2026-12-01T09:00:00Z'),
    );
  });

  it('windows that never open (no such weekday): now', () => {
    const at = iso('2026-11-24T11:00:00Z');
    expect(nextWindowStart(at, 'UTC', [{ dayOfWeek: 7, startMinute: 0, endMinute: 60 }])).toBe(at);
  });

  it('windows across midnight (22:00-24:00 then 00:00-06:00 next day)', () => {
    const night = [
      { dayOfWeek: 2, startMinute: 1320, endMinute: 1440 },
      { dayOfWeek: 3, startMinute: 0, endMinute: 360 },
    ];
    expect(nextWindowStart(iso('2026-11-24T23:30:00Z'), 'UTC', night)).toBe(
      iso('2026-11-24T23:30:00Z'),
    );
    expect(nextWindowStart(iso('2026-11-25T03:00:00Z'), 'UTC', night)).toBe(
      iso('2026-11-25T03:00:00Z'),
    );
    expect(nextWindowStart(iso('2026-11-25T07:00:00Z'), 'UTC', night)).toBe(
      iso('2026-12-01T22:00:00Z'),
    );
  });

  it('across the spring-forward DST change (Berlin, 2026-03-29)', () => {
    const sunday = [{ dayOfWeek: 0, startMinute: 180, endMinute: 240 }]; // 03:00-04:00 local
    // Saturday noon UTC: the next window is Sunday 03:00 CEST = 01:00 UTC (not 02:00).
    expect(nextWindowStart(iso('2026-03-28T12:00:00Z'), 'Europe/Berlin', sunday)).toBe(
      iso('2026-03-29T01:00:00Z'),
    );
    // A window starting inside the skipped hour (02:30) opens right after the jump.
    const gap = [{ dayOfWeek: 0, startMinute: 150, endMinute: 240 }];
    expect(nextWindowStart(iso('2026-03-28T12:00:00Z'), 'Europe/Berlin', gap)).toBe(
      iso('2026-03-29T01:30:00Z'),
    );
  });

  it('across the fall-back DST change (New York, 2026-11-01)', () => {
    const sunday = [{ dayOfWeek: 0, startMinute: 540, endMinute: 600 }]; // 09:00 local
    // Before the change 09:00 would be 13:00 UTC (EDT); on the day it is 14:00 UTC (EST).
    expect(nextWindowStart(iso('2026-10-31T20:00:00Z'), 'America/New_York', sunday)).toBe(
      iso('2026-11-01T14:00:00Z'),
    );
  });

  it('no windows or an unknown zone: now', () => {
    const at = iso('2026-11-24T12:00:00Z');
    expect(nextWindowStart(at, 'UTC', [])).toBe(at);
    expect(
      nextWindowStart(at, 'Mars/Olympus', [{ dayOfWeek: 1, startMinute: 0, endMinute: 1 }]),
    ).toBe(at);
  });

  it('isValidTimeZone: an IANA zone is, an unknown name is not', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });

  it('localToInstant keeps the seconds of a local mean time offset (New York 1880, -4:56:02)', () => {
    expect(localToInstant({ year: 1880, month: 6, day: 1 }, 9 * 60, 'America/New_York')).toBe(
      iso('1880-06-01T13:56:02Z'),
    );
  });

  it('localToInstant handles a half-hour zone', () => {
    expect(localToInstant({ year: 2026, month: 11, day: 24 }, 9 * 60, 'Asia/Kolkata')).toBe(
      iso('2026-11-24T03:30:00Z'),
    );
  });
});

describe('retryDelay', () => {
  it('grows exponentially, is capped, and jitter stays within bounds', () => {
    const p = { ...DEFAULT_RETRY_POLICY, jitter: 0 };
    expect([1, 2, 3, 4].map((a) => retryDelay(a, p, 0.5))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelay(50, p, 0.5)).toBe(p.maxDelayMs);
    const j = DEFAULT_RETRY_POLICY;
    expect(retryDelay(1, j, 0)).toBe(800);
    expect(retryDelay(1, j, 0.999999)).toBe(1200);
  });
});
