/**
 * SMS PDU encoding (TS 23.040 §9.2, alphabets of TS 23.038): SMS-SUBMIT for sending, and the
 * SMS-DELIVER and SMS-STATUS-REPORT a modem receives, for emulators and tests. Text is split
 * into concatenated parts; the output is hex as a modem takes it, with the SMSC field.
 */
import { gsm7Groups, isGsm7, packSeptets } from '../gsm7.js';
import { QUARTER_HOUR_MS, semiOctets } from './semi-octets.js';
import type {
  Alphabet,
  DeliverOptions,
  StatusReportOptions,
  SubmitOptions,
  SubmitPart,
} from './types.js';

const MAX_PARTS = 255;
const GSM7_SINGLE = 160;
const GSM7_PART = 153;
const UCS2_SINGLE = 70;
const UCS2_PART = 67;

/** 'gsm7' when every character is in the GSM 7-bit default alphabet or its extension table, else 'ucs2'. */
export function alphabetOf(text: string): Alphabet {
  return isGsm7(text) ? 'gsm7' : 'ucs2';
}

/**
 * One SMS-SUBMIT per part: GSM-7 160 septets single / 153 per part (an escape pair never split across parts);
 * UCS-2 70 chars single / 67 per part (a UTF-16 surrogate pair never split). Throws RangeError over 255 parts
 * or on an invalid number.
 */
export function encodeSubmit(options: SubmitOptions): SubmitPart[] {
  const address = encodeAddress(options.to, 'recipient');
  const reference = checkByte(options.reference ?? 0, 'reference');
  const validity =
    options.validityMinutes === undefined ? null : relativeValidity(options.validityMinutes);
  const statusReport = options.statusReport ?? true;
  return userDataParts(options.text, reference).map(({ dcs, udh, userData }) => {
    const firstOctet =
      0x01 | (validity === null ? 0 : 0x10) | (statusReport ? 0x20 : 0) | (udh ? 0x40 : 0);
    // TP-MR 00: the modem numbers the message and answers +CMGS: <mr>.
    const tpdu = [firstOctet, 0x00, ...address, 0x00, dcs];
    if (validity !== null) tpdu.push(validity);
    tpdu.push(...userData);
    return { hex: `00${toHex(tpdu)}`, length: tpdu.length };
  });
}

/** SMS-DELIVER PDUs (with the SMSC field), one per part, split as `encodeSubmit` splits. */
export function encodeDeliver(options: DeliverOptions): string[] {
  const smsc = options.smsc === undefined ? [0x00] : encodeSmsc(options.smsc);
  const originator = encodeOriginator(options.from);
  const timestamp = encodeTimestamp(options.timestamp, options.timeZoneQuarters ?? 0);
  const reference = checkByte(options.reference ?? 0, 'reference');
  return userDataParts(options.text, reference).map(({ dcs, udh, userData }) => {
    // TP-MMS set: no more messages are waiting at the SMSC.
    const firstOctet = 0x04 | (udh ? 0x40 : 0);
    return toHex([...smsc, firstOctet, ...originator, 0x00, dcs, ...timestamp, ...userData]);
  });
}

/** An SMS-STATUS-REPORT PDU (with the SMSC field). */
export function encodeStatusReport(options: StatusReportOptions): string {
  const zone = options.timeZoneQuarters ?? 0;
  const bytes = [
    ...(options.smsc === undefined ? [0x00] : encodeSmsc(options.smsc)),
    0x06, // SMS-STATUS-REPORT, TP-MMS set
    checkByte(options.messageReference, 'messageReference'),
    ...encodeAddress(options.recipient, 'recipient'),
    ...encodeTimestamp(options.submittedAt, zone),
    ...encodeTimestamp(options.dischargedAt, zone),
    checkByte(options.status, 'status'),
  ];
  return toHex(bytes);
}

/**
 * TP-VP in the relative format (TS 23.040 §9.2.3.12.1): the shortest period at least `minutes`
 * long (5 minutes at least), capped at 63 weeks.
 */
export function relativeValidity(minutes: number): number {
  if (!Number.isFinite(minutes) || minutes <= 0) {
    throw new RangeError(`validityMinutes must be a positive number of minutes, got ${minutes}`);
  }
  if (minutes <= 12 * 60) return Math.max(0, Math.ceil(minutes / 5) - 1);
  if (minutes <= 24 * 60) return 143 + Math.ceil((minutes - 12 * 60) / 30);
  if (minutes <= 30 * 24 * 60) return 166 + Math.ceil(minutes / (24 * 60));
  return Math.min(255, 192 + Math.ceil(minutes / (7 * 24 * 60)));
}

// ---- encoding helpers ----

interface EncodedPart {
  dcs: number;
  udh: boolean;
  /** TP-UDL followed by TP-UD. */
  userData: number[];
}

/** Splits `text` into parts and encodes each one's TP-UDL and TP-UD. */
function userDataParts(text: string, reference: number): EncodedPart[] {
  if (typeof text !== 'string') throw new TypeError('text must be a string');
  // Each character takes at least one septet: longer text cannot fit in 255 parts.
  if (text.length > MAX_PARTS * GSM7_PART) throw tooManyParts(text.length);
  const groups = gsm7Groups(text);
  if (groups !== null) {
    const parts = splitGsm7(groups);
    return parts.map((septets, i) => {
      const header = concatHeader(reference, parts.length, i + 1);
      if (header === null) {
        return { dcs: 0x00, udh: false, userData: [septets.length, ...packSeptets(septets)] };
      }
      // Six header octets are 48 bits: one fill bit brings the text to the 7th septet boundary.
      const userData = [7 + septets.length, ...header, ...packSeptets(septets, 1)];
      return { dcs: 0x00, udh: true, userData };
    });
  }
  const parts = splitUcs2(text);
  return parts.map((units, i) => {
    const header = concatHeader(reference, parts.length, i + 1) ?? [];
    const body = [...header, ...utf16be(units)];
    return { dcs: 0x08, udh: header.length > 0, userData: [body.length, ...body] };
  });
}

function splitGsm7(groups: number[][]): number[][] {
  const total = groups.reduce((sum, group) => sum + group.length, 0);
  if (total <= GSM7_SINGLE) return [groups.flat()];
  const parts: number[][] = [];
  let current: number[] = [];
  for (const group of groups) {
    // An escape and its character stay together: the part ends one septet short instead.
    if (current.length + group.length > GSM7_PART) {
      parts.push(current);
      current = [];
    }
    current.push(...group);
  }
  parts.push(current);
  if (parts.length > MAX_PARTS) throw tooManyParts(parts.length);
  return parts;
}

function splitUcs2(text: string): string[] {
  if (text.length <= UCS2_SINGLE) return [text];
  const parts: string[] = [];
  for (let start = 0; start < text.length; ) {
    let end = Math.min(start + UCS2_PART, text.length);
    if (end < text.length && splitsSurrogatePair(text, end)) end--;
    parts.push(text.slice(start, end));
    start = end;
  }
  if (parts.length > MAX_PARTS) throw tooManyParts(parts.length);
  return parts;
}

function tooManyParts(count: number): RangeError {
  return new RangeError(`text needs more than ${MAX_PARTS} SMS parts (${count}); shorten it`);
}

/** UDHL and the 8-bit concatenation element, or null for a single part. */
function concatHeader(reference: number, total: number, part: number): number[] | null {
  return total > 1 ? [0x05, 0x00, 0x03, reference, total, part] : null;
}

function utf16be(text: string): number[] {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    bytes.push(unit >> 8, unit & 0xff);
  }
  return bytes;
}

/** Whether a cut before `index` would separate a high surrogate from its low one. */
function splitsSurrogatePair(text: string, index: number): boolean {
  return /^[\uD800-\uDBFF][\uDC00-\uDFFF]$/.test(text.slice(index - 1, index + 1));
}

/** TP-DA/TP-OA/TP-RA: length in digits, type of address, semi-octets. */
function encodeAddress(number: string, what: string): number[] {
  const { digits, toa } = parseNumber(number, what);
  return [digits.length, toa, ...semiOctets(digits)];
}

/** The SMSC field: its length counts octets (type of address included), not digits. */
function encodeSmsc(number: string): number[] {
  const { digits, toa } = parseNumber(number, 'smsc');
  const octets = semiOctets(digits);
  return [1 + octets.length, toa, ...octets];
}

function parseNumber(number: string, what: string): { digits: string; toa: number } {
  if (typeof number === 'string' && /^\+[0-9]{1,20}$/.test(number)) {
    return { digits: number.slice(1), toa: 0x91 }; // international, ISDN
  }
  if (typeof number === 'string' && /^[0-9*#]{1,20}$/.test(number)) {
    return { digits: number, toa: 0x81 }; // unknown, ISDN
  }
  throw new RangeError(
    `${what} must be "+" and 1–20 digits (international) or 1–20 digits, "*" or "#" (national), got ${JSON.stringify(number)}`,
  );
}

function encodeOriginator(from: string): number[] {
  if (/^\+?[0-9*#]+$/.test(from)) return encodeAddress(from, 'from');
  const septets = gsm7Groups(from)?.flat();
  if (!septets || septets.length === 0 || septets.length > 11) {
    throw new RangeError(
      `from must be a number or 1–11 GSM-7 characters, got ${JSON.stringify(from)}`,
    );
  }
  // Alphanumeric (TON 5): the length counts the semi-octets the packed septets fill.
  return [Math.ceil((septets.length * 7) / 4), 0xd0, ...packSeptets(septets)];
}

function encodeTimestamp(date: Date, quarters: number): number[] {
  if (!Number.isInteger(quarters) || Math.abs(quarters) > 79) {
    throw new RangeError(`timeZoneQuarters must be an integer from -79 to 79, got ${quarters}`);
  }
  const local = new Date(date.getTime() + quarters * QUARTER_HOUR_MS);
  if (Number.isNaN(local.getTime())) throw new RangeError('timestamp is not a valid date');
  const fields = [
    local.getUTCFullYear() % 100,
    local.getUTCMonth() + 1,
    local.getUTCDate(),
    local.getUTCHours(),
    local.getUTCMinutes(),
    local.getUTCSeconds(),
  ];
  const zone = Math.abs(quarters);
  const zoneOctet = ((zone % 10) << 4) | (quarters < 0 ? 0x08 : 0) | Math.floor(zone / 10);
  return [...fields.map((n) => ((n % 10) << 4) | Math.floor(n / 10)), zoneOctet];
}

function checkByte(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 255) {
    throw new RangeError(`${what} must be an integer from 0 to 255, got ${value}`);
  }
  return value;
}

function toHex(bytes: readonly number[]): string {
  return Buffer.from(bytes).toString('hex').toUpperCase();
}
