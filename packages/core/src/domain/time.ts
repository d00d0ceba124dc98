/**
 * RFC 3339 timestamps as used on the wire, converted to and from epoch
 * milliseconds (UTC).
 */

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

/** The earliest and latest instants with a four-digit year (0000-01-01 and 9999-12-31, UTC). */
export const MIN_TIMESTAMP = -62_167_219_200_000;
export const MAX_TIMESTAMP = 253_402_300_799_999;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    return isLeapYear(year) ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to the given proleptic Gregorian date (any year, including 0–99). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * Parses an RFC 3339 timestamp (`2026-11-24T15:20:45Z`,
 * `2022-06-05T14:26:09.527976+03:00`) into epoch milliseconds.
 *
 * Accepts `T`/`t` as date-time separator, `Z`/`z` or a `±HH:MM` offset, and a
 * fraction of 1 to 9 digits, truncated to milliseconds. Returns `null` for
 * anything else: missing offset, out-of-range fields (month 13, Feb 30, hour
 * 24, second 60, offset hour 24), wrong digit counts, surrounding text, or an
 * instant outside years 0000–9999 UTC once the offset is applied
 * (`9999-12-31T23:59:59-23:59`), which `formatTimestamp` could not write back.
 */
export function parseTimestamp(value: string): number | null {
  const match = RFC3339.exec(value);
  if (match === null) {
    return null;
  }
  const [, y, mo, d, h, mi, s, fraction, zulu, sign, oh, om] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return null;
  }
  if (hour > 23 || minute > 59 || second > 59) {
    return null;
  }
  let offsetMinutes = 0;
  if (zulu === undefined) {
    const offsetHour = Number(oh);
    const offsetMinute = Number(om);
    if (offsetHour > 23 || offsetMinute > 59) {
      return null;
    }
    offsetMinutes = (sign === '-' ? -1 : 1) * (offsetHour * 60 + offsetMinute);
  }
  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const secondsOfDay = hour * 3600 + minute * 60 + second;
  const ms =
    daysFromCivil(year, month, day) * MS_PER_DAY +
    secondsOfDay * 1000 +
    millis -
    offsetMinutes * MS_PER_MINUTE;
  return ms < MIN_TIMESTAMP || ms > MAX_TIMESTAMP ? null : ms;
}

/**
 * An instant given as epoch milliseconds, a `Date` or an RFC 3339 string, as
 * whole epoch milliseconds within years 0000–9999 UTC: what `formatTimestamp`
 * writes back and every store keeps (a BIGINT of milliseconds). A fraction of a
 * millisecond is dropped (floored, as `parseTimestamp` drops digits past the
 * third); anything else (not finite, out of range, unparsable) is `null`.
 */
export function toTimestamp(value: Date | string | number): number | null {
  const ms =
    value instanceof Date
      ? value.getTime()
      : typeof value === 'number'
        ? Math.floor(value)
        : parseTimestamp(value);
  if (ms === null || !Number.isFinite(ms) || ms < MIN_TIMESTAMP || ms > MAX_TIMESTAMP) return null;
  return ms;
}

/**
 * Formats epoch milliseconds as an RFC 3339 timestamp in UTC: `Z` suffix, the
 * millisecond fraction with trailing zeros trimmed and no fraction at all when
 * it is zero (`2026-01-01T00:00:00Z`, `2026-01-01T00:00:00.5Z`,
 * `2026-01-01T00:00:00.123Z`).
 *
 * Throws a `RangeError` for a value that is not finite or falls outside years
 * 0000–9999, which RFC 3339 cannot express.
 */
export function formatTimestamp(ms: number): string {
  // One record carries the same instant several times (created, updated, ordered…).
  if (ms === lastFormatted.ms) return lastFormatted.text;
  if (!Number.isFinite(ms) || ms < MIN_TIMESTAMP || ms > MAX_TIMESTAMP) {
    throw new RangeError(`Timestamp out of the RFC 3339 range: ${ms}`);
  }
  const iso = new Date(ms).toISOString();
  const seconds = iso.slice(0, 19);
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  const text = fraction === '' ? `${seconds}Z` : `${seconds}.${fraction}Z`;
  lastFormatted = { ms, text };
  return text;
}

let lastFormatted = { ms: Number.NaN, text: '' };

/** `formatTimestamp` for an optional time: `null` stays `null`. */
export function formatNullable(ms: number | null): string | null {
  return ms === null ? null : formatTimestamp(ms);
}
