/**
 * Arbitraries of odd values: odd Unicode text (NUL, lone surrogates, joiners,
 * right-to-left marks, …), and values every field rule of the API refuses: phone
 * numbers, recipients, times, time zones, SIMs, UUIDs, URLs, media types.
 */
import {
  isContactPhoneNumber,
  isPhoneNumber,
  isValidTimeZone,
  parseTimestamp,
  sanitizeAddress,
} from '@textport/core';
import fc from 'fast-check';
import { isHttpUrl, UUID_RULE, utf8Length } from './request.js';

const ODD = [
  '\u0000',
  '\ud800',
  '\udfff',
  '\udc00\ud800',
  '\u202e',
  '\u200f',
  '\u200b',
  '\u2028',
  '\ufeff',
  '\uffff',
  '\ufffd',
  '\u0301\u0301\u0301',
  '💥',
  '👨‍👩‍👧‍👦',
  '🏳️‍🌈',
  '𝕏',
  'ﷺ',
  'Ω',
  'İ',
  'ß',
  '\r\n',
  '\t',
  '"',
  "'",
  '\\',
  '%',
  '_',
  '%00',
  '<script>',
  '\u0024{x}',
  '{{x}}',
  '../',
  '; DROP TABLE x; --',
  '__proto__',
  'constructor',
];

const oddChar = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ODD) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 6 }) },
);

/** Odd Unicode text of `min`–`max` pieces. */
export function odd(min = 0, max = 10): fc.Arbitrary<string> {
  return fc.array(oddChar, { minLength: min, maxLength: max }).map((p) => p.join(''));
}

/** Valid text holds no NUL: the gateway refuses it in every field (lone surrogates are kept as U+FFFD). */
export const noNul = (text: string) => text.replaceAll('\u0000', '');

/** `base` with a NUL inserted somewhere: invalid in any text field, whatever else it holds. */
export function withNul(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(base, fc.nat()).map(([text, n]) => {
    const at = n % (text.length + 1);
    return `${text.slice(0, at)}\u0000${text.slice(at)}`;
  });
}

/** Odd text of at most `bytes` UTF-8 bytes and at least one character, without NUL. */
export function oddWithin(bytes: number): fc.Arbitrary<string> {
  return odd(1, 8).map((text) => {
    let s = noNul(text);
    while (s.length > 0 && utf8Length(s) > bytes) s = [...s].slice(0, -1).join('');
    return s === '' ? 'x' : s;
  });
}

/** Odd text of more than `bytes` UTF-8 bytes, with a visible character at each end (trimming keeps it long). */
export function oddOver(bytes: number): fc.Arbitrary<string> {
  return fc.tuple(odd(1, 4), fc.nat(600)).map(([unit, extra]) => {
    const piece = unit === '' ? 'x' : unit;
    // Measured on the result: repeated lone surrogates may pair up into shorter characters.
    let count = Math.ceil((bytes + 1 + extra) / utf8Length(piece));
    let text = `x${piece.repeat(count)}x`;
    while (utf8Length(text) <= bytes) {
      count *= 2;
      text = `x${piece.repeat(count)}x`;
    }
    return text;
  });
}

const noDecimalDigit = (s: string) => !/\p{Nd}/u.test(s);

const isInvalidPhone = (s: string) => s.trim() === '' || !isPhoneNumber(sanitizeAddress(s));

/** Never a phone number the gateway accepts (blank, or not E.164 once sanitised). */
export const invalidPhone = fc
  .oneof(
    odd(0, 8).filter(noDecimalDigit),
    fc.stringMatching(/^\+[0-9]{18,24}$/),
    fc.stringMatching(/^\+0[0-9]{6,12}$/),
    fc.constantFrom('+', '+1', '00', 'tel:+1800', '+１８００５５５０１００x', 'N/A', ' '),
    oddOver(40),
  )
  .filter(isInvalidPhone);

/** As a file's UTF-8 bytes carry it: lone surrogates become U+FFFD. */
export const wellFormed = (s: string) => Buffer.from(s, 'utf8').toString('utf8');
export const invalidPhoneInFile = invalidPhone.map(wellFormed).filter(isInvalidPhone);

/** Never a recipient the gateway accepts. */
export const invalidContact = fc
  .oneof(
    odd(0, 8).filter(noDecimalDigit),
    fc.stringMatching(/^\+?[0-9]{18,24}$/),
    fc.constantFrom('+', '1', '+1', 'MPESA', '+1-800-FLOWERS', ' '),
  )
  .filter((s) => s.trim() === '' || !isContactPhoneNumber(sanitizeAddress(s)));

/** Never a time the gateway parses (blank counts as absent, and bulk files trim: never blank). */
export const invalidTime = fc
  .oneof(
    odd(1, 6),
    fc.constantFrom('yesterday', 'now', 'NaN', 'T', '--:--', '2026-13-45T99:99:99Z', '12/24/2026'),
    // Well-formed, but outside years 0000–9999 once the offset is applied.
    fc.constantFrom(
      '9999-12-31T23:59:59-23:59',
      '9999-12-31T23:59:59.999-00:01',
      '0000-01-01T00:00:00+00:01',
      '0000-01-01T00:00:00.000000001+23:59',
    ),
  )
  .filter((s) => s.trim() !== '' && parseTimestamp(s) === null);

export const invalidZone = fc
  .oneof(odd(0, 6), fc.constantFrom('Mars/Olympus', 'UTC+25', 'Europe/Berlin ', '', ' '))
  .filter((s) => s.trim() === '' || !isValidTimeZone(s.trim()));

export const invalidSim = odd(1, 4).filter((s) => !['SIM1', 'SIM2', 'DEFAULT', ''].includes(s));

/** Never a lowercase UUID of version 4 or 7 (the `uuid` rule). */
export const notUuid = fc
  .oneof(
    fc.uuid({ version: 4 }).map((u) => u.toUpperCase()),
    fc.uuid({ version: 1 }),
    fc.uuid({ version: 4 }).map((u) => `{${u}}`),
    fc.uuid({ version: 4 }).map((u) => u.slice(1)),
    fc.uuid({ version: 4 }).map((u) => `${u}\n`),
    fc.uuid({ version: 4 }).map((u) => ` ${u}`),
    fc.uuid({ version: 4 }).map((u) => u.replaceAll('-', '')),
    odd(1, 8),
    fc.constantFrom('null', 'undefined', '0', '-1', '..', '%', 'me', 'x'.repeat(2000)),
  )
  .filter((s) => s !== '' && !UUID_RULE.test(s));

export const invalidUrl = fc
  .oneof(
    fc.constantFrom(
      'ftp://example.com/a.png',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'mailto:a@example.com',
      'https://',
      'http://[::1',
      '//example.com/a.png',
      'data:image/png;base64,AAAA',
    ),
    odd(1, 6).filter((s) => !/^[a-z][a-z0-9+.-]*:/i.test(s)),
  )
  .filter((s) => s.trim() !== '' && !isHttpUrl(s.trim()));

export const validUrl = fc.constantFrom(
  'https://example.com/a.png',
  'http://cdn.example.org/x?y=1',
  'https://例え.jp/画像.png',
);

export const PROTOTYPE_NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
];

export const unsupportedMediaType = fc.oneof(
  fc.constantFrom(
    ...PROTOTYPE_NAMES,
    'image/svg+xml',
    'text/html',
    'IMAGE/PNG',
    'image/png ',
    'application/octet-stream',
    '',
  ),
  odd(1, 4),
);
