import { describe, expect, it } from 'vitest';
import {
  formatNullable,
  formatTimestamp,
  MAX_TIMESTAMP,
  MIN_TIMESTAMP,
  parseTimestamp,
  toTimestamp,
} from '../../src/domain/time.js';

describe('parseTimestamp', () => {
  it.each([
    ['2026-11-24T15:20:45.435000000Z', Date.UTC(2026, 10, 24, 15, 20, 45, 435)],
    ['2026-11-24T15:20:45Z', Date.UTC(2026, 10, 24, 15, 20, 45)],
    ['2022-06-05T14:26:09.527976+03:00', Date.UTC(2022, 5, 5, 11, 26, 9, 527)],
    ['1970-01-01T00:00:00Z', 0],
    ['2026-01-01t00:00:00z', Date.UTC(2026, 0, 1)],
  ])('parses %s', (input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });

  it('truncates fractions of 1 to 9 digits to milliseconds', () => {
    const base = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(parseTimestamp('2026-01-01T12:00:00.1Z')).toBe(base + 100);
    expect(parseTimestamp('2026-01-01T12:00:00.12Z')).toBe(base + 120);
    expect(parseTimestamp('2026-01-01T12:00:00.123Z')).toBe(base + 123);
    expect(parseTimestamp('2026-01-01T12:00:00.1239Z')).toBe(base + 123);
    expect(parseTimestamp('2026-01-01T12:00:00.12399Z')).toBe(base + 123);
    expect(parseTimestamp('2026-01-01T12:00:00.999999Z')).toBe(base + 999);
    expect(parseTimestamp('2026-01-01T12:00:00.0000009Z')).toBe(base);
    expect(parseTimestamp('2026-01-01T12:00:00.00000009Z')).toBe(base);
    expect(parseTimestamp('2026-01-01T12:00:00.999999999Z')).toBe(base + 999);
    expect(parseTimestamp('2026-01-01T12:00:00.0Z')).toBe(base);
  });

  it('applies positive, negative and zero offsets', () => {
    const instant = Date.UTC(2026, 2, 1, 12, 0, 0);
    expect(parseTimestamp('2026-03-01T15:00:00+03:00')).toBe(instant);
    expect(parseTimestamp('2026-03-01T06:30:00-05:30')).toBe(instant);
    expect(parseTimestamp('2026-03-01T12:00:00+00:00')).toBe(instant);
    expect(parseTimestamp('2026-03-01T12:00:00-00:00')).toBe(instant);
    expect(parseTimestamp('2026-03-02T11:59:00+23:59')).toBe(instant);
  });

  it('crosses day, month and year boundaries with offsets', () => {
    expect(parseTimestamp('2026-01-01T01:00:00+02:00')).toBe(Date.UTC(2025, 11, 31, 23));
    expect(parseTimestamp('2024-02-28T23:00:00-02:00')).toBe(Date.UTC(2024, 1, 29, 1));
  });

  it('accepts leap days of leap years only', () => {
    expect(parseTimestamp('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(parseTimestamp('2000-02-29T00:00:00Z')).toBe(Date.UTC(2000, 1, 29));
    expect(parseTimestamp('2026-02-29T00:00:00Z')).toBeNull();
    expect(parseTimestamp('1900-02-29T00:00:00Z')).toBeNull();
  });

  it('handles years before 1970 and two-digit years literally', () => {
    expect(parseTimestamp('1969-12-31T23:59:59.999Z')).toBe(-1);
    expect(parseTimestamp('0001-01-01T00:00:00Z')).toBe(-62_135_596_800_000);
    expect(parseTimestamp('0000-01-01T00:00:00Z')).toBe(-62_167_219_200_000);
    expect(parseTimestamp('0099-12-31T00:00:00Z')).toBe(new Date('0099-12-31T00:00:00Z').getTime());
    expect(parseTimestamp('9999-12-31T23:59:59.999Z')).toBe(253_402_300_799_999);
  });

  it('agrees with Date.parse on every day from 1896 to 2104', () => {
    const start = Date.UTC(1896, 0, 1, 7, 8, 9, 10);
    const end = Date.UTC(2104, 11, 31);
    const mismatches: string[] = [];
    for (let ms = start; ms <= end; ms += 86_400_000) {
      const iso = new Date(ms).toISOString();
      if (parseTimestamp(iso) !== ms) {
        mismatches.push(iso);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it.each([
    '2026-02-30T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-01-00T00:00:00Z',
    '2026-01-32T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T12:60:00Z',
    '2026-01-01T12:00:60Z',
    '2026-01-01T12:00:00+24:00',
    '2026-01-01T12:00:00+03:60',
    '2026-01-01T12:00:00',
    '2026-01-01T12:00:00.5',
    '2026-01-01T12:00:00+0300',
    '2026-01-01T12:00:00+03',
    '2026-01-01T12:00:00.Z',
    '2026-01-01T12:00:00.1234567890Z',
    '2026-01-01 12:00:00Z',
    '2026-01-01T12:00Z',
    '2026-1-01T12:00:00Z',
    '26-01-01T12:00:00Z',
    '+2026-01-01T12:00:00Z',
    ' 2026-01-01T12:00:00Z',
    '2026-01-01T12:00:00Z ',
    '2026-01-01',
    '2026-01-01T12:00:00,5Z',
    '２０２６-01-01T12:00:00Z',
    '',
    'not a date',
    '9999-12-31T23:59:59-23:59',
    '9999-12-31T23:59:59.999-00:01',
    '0000-01-01T00:00:00+00:01',
  ])('rejects %j', (input) => {
    expect(parseTimestamp(input)).toBeNull();
  });
});

describe('formatTimestamp', () => {
  it.each([
    [Date.UTC(2026, 0, 1), '2026-01-01T00:00:00Z'],
    [Date.UTC(2026, 0, 1, 0, 0, 0, 500), '2026-01-01T00:00:00.5Z'],
    [Date.UTC(2026, 0, 1, 0, 0, 0, 120), '2026-01-01T00:00:00.12Z'],
    [Date.UTC(2026, 0, 1, 0, 0, 0, 123), '2026-01-01T00:00:00.123Z'],
    [Date.UTC(2026, 0, 1, 0, 0, 0, 5), '2026-01-01T00:00:00.005Z'],
    [Date.UTC(2026, 10, 24, 15, 20, 45, 435), '2026-11-24T15:20:45.435Z'],
    [0, '1970-01-01T00:00:00Z'],
    [-1, '1969-12-31T23:59:59.999Z'],
    [-62_167_219_200_000, '0000-01-01T00:00:00Z'],
    [253_402_300_799_999, '9999-12-31T23:59:59.999Z'],
  ])('formats %d as %s', (ms, expected) => {
    expect(formatTimestamp(ms)).toBe(expected);
  });

  it('round-trips through parseTimestamp', () => {
    for (const ms of [0, 1, 10, 100, 1_764_000_000_123, -86_400_001]) {
      expect(parseTimestamp(formatTimestamp(ms))).toBe(ms);
    }
  });

  it('rejects values RFC 3339 cannot express', () => {
    expect(() => formatTimestamp(Number.NaN)).toThrow(RangeError);
    expect(() => formatTimestamp(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => formatTimestamp(253_402_300_800_000)).toThrow(RangeError);
    expect(() => formatTimestamp(-62_167_219_200_001)).toThrow(RangeError);
  });
});

describe('formatNullable', () => {
  it('keeps null and formats numbers', () => {
    expect(formatNullable(null)).toBeNull();
    expect(formatNullable(Date.UTC(2026, 0, 1, 0, 0, 0, 500))).toBe('2026-01-01T00:00:00.5Z');
  });
});

describe('toTimestamp', () => {
  it('takes numbers, Dates and RFC 3339 text as whole milliseconds', () => {
    expect(toTimestamp(1_764_000_000_123)).toBe(1_764_000_000_123);
    expect(toTimestamp(1_764_000_000_123.9)).toBe(1_764_000_000_123);
    expect(toTimestamp(-0.5)).toBe(-1);
    expect(toTimestamp(new Date(5))).toBe(5);
    expect(toTimestamp('2026-01-01T00:00:00.0019Z')).toBe(Date.UTC(2026, 0, 1) + 1);
    expect(toTimestamp(MIN_TIMESTAMP)).toBe(MIN_TIMESTAMP);
    expect(toTimestamp(MAX_TIMESTAMP + 0.5)).toBe(MAX_TIMESTAMP);
  });

  it('refuses what formatTimestamp could not write back', () => {
    for (const value of [
      MAX_TIMESTAMP + 1,
      MIN_TIMESTAMP - 0.5,
      1e15,
      -1e15,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      new Date(Number.NaN),
      new Date(8.64e15),
      '9999-12-31T23:59:59-23:59',
      'soon',
    ]) {
      const ms = toTimestamp(value);
      expect(ms, String(value)).toBeNull();
    }
    for (const ms of [MIN_TIMESTAMP, MAX_TIMESTAMP, 0, 1.5, -1.5]) {
      const stored = toTimestamp(ms);
      expect(stored).not.toBeNull();
      expect(() => formatTimestamp(stored ?? Number.NaN)).not.toThrow();
    }
  });
});
