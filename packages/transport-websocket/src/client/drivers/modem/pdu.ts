/**
 * SMS PDUs for a GSM modem in PDU mode (AT+CMGF=0), 3GPP TS 23.040 §9.2 with the alphabets of
 * TS 23.038: SMS-SUBMIT out; SMS-DELIVER and SMS-STATUS-REPORT in. Hex is as the modem prints
 * it, starting with the SMSC field. `encodeDeliver` and `encodeStatusReport` make what a modem
 * receives, for emulators and tests.
 */
import { gsm7Groups, isGsm7, packSeptets, septetsToText, unpackSeptets } from './gsm7.js';

export type Alphabet = 'gsm7' | 'ucs2';

export interface SubmitPart {
  /** The whole PDU in upper-case hex, starting with the SMSC field "00" (use the SIM's SMSC). */
  hex: string;
  /** TPDU length in octets (excludes the SMSC field): the number AT+CMGS=<length> needs. */
  length: number;
}

export interface SubmitOptions {
  /** Recipient: E.164 with "+" (international, TON 1) or national digits (TON unknown/ISDN). */
  to: string;
  text: string;
  /** Ask for a status report (TP-SRR). Default true. */
  statusReport?: boolean;
  /** Concatenation reference 0–255 for multipart messages (8-bit IEI 0x00). Default 0. */
  reference?: number;
  /** Relative validity period in minutes (TP-VPF relative); default none (TP-VPF 00). */
  validityMinutes?: number;
}

export interface Concat {
  reference: number;
  total: number;
  part: number;
}

export interface DeliverPdu {
  type: 'deliver';
  smsc: string | null;
  /** "+<digits>" for international numbers, the digits otherwise, the decoded text for alphanumeric senders. */
  from: string;
  /** TP-SCTS, with its time zone applied. */
  timestamp: Date;
  text: string;
  alphabet: Alphabet | '8bit';
  concat: Concat | null;
}

export interface SubmitPduDecoded {
  type: 'submit';
  to: string;
  messageReference: number;
  statusReport: boolean;
  text: string;
  alphabet: Alphabet | '8bit';
  concat: Concat | null;
}

export interface StatusReportPdu {
  type: 'status-report';
  smsc: string | null;
  messageReference: number;
  recipient: string;
  /** When the SMSC got the message (TP-SCTS). */
  submittedAt: Date;
  /** TP-DT: when it was delivered, or the status last changed. */
  dischargedAt: Date;
  /** TP-ST, 0–255. */
  status: number;
  /** 0x00–0x1F delivered/completed; 0x20–0x3F still trying; 0x40 and above: failed (no more tries). */
  outcome: 'delivered' | 'pending' | 'failed';
}

export type DecodedPdu = DeliverPdu | SubmitPduDecoded | StatusReportPdu;

/** Input to `encodeDeliver`: what an SMSC hands a modem. */
export interface DeliverOptions {
  /** "+<digits>", national digits, or an alphanumeric sender of at most 11 GSM-7 characters. */
  from: string;
  text: string;
  timestamp: Date;
  /** The SMSC's time zone in quarters of an hour (−79…79). Default 0. */
  timeZoneQuarters?: number;
  /** Default: no SMSC field ("00"). */
  smsc?: string;
  /** Concatenation reference for multipart messages (8-bit IEI). Default 0. */
  reference?: number;
}

/** Input to `encodeStatusReport`. */
export interface StatusReportOptions {
  messageReference: number;
  recipient: string;
  submittedAt: Date;
  dischargedAt: Date;
  status: number;
  timeZoneQuarters?: number;
  smsc?: string;
}

/** Longest PDU accepted: SMSC length octet, a 12-octet SMSC field and the 176-octet maximum TPDU. */
export const MAX_PDU_HEX_LENGTH = 2 * (1 + 12 + 176);
const MAX_PARTS = 255;
const GSM7_SINGLE = 160;
const GSM7_PART = 153;
const UCS2_SINGLE = 70;
const UCS2_PART = 67;
const DIGITS = '0123456789*#abc';
const QUARTER_HOUR_MS = 15 * 60_000;

/** A PDU that cannot be decoded: malformed, truncated, or of a kind this codec does not read. */
export class PduError extends Error {
  override readonly name = 'PduError';
}

/** 'gsm7' when every character is in the GSM 7-bit default alphabet or its extension table, else 'ucs2'. */
export function alphabetOf(text: string): Alphabet {
  return isGsm7(text) ? 'gsm7' : 'ucs2';
}

/** 0x00–0x1F delivered/completed; 0x20–0x3F still trying; 0x40 and above failed (TS 23.040 §9.2.3.15). */
export function outcomeOf(status: number): StatusReportPdu['outcome'] {
  if (status < 0x20) return 'delivered';
  return status < 0x40 ? 'pending' : 'failed';
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

/** Decodes a PDU as a modem prints it (+CMGR/+CMT/+CDS: with the SMSC field). Throws PduError on malformed input. */
export function decodePdu(hex: string): DecodedPdu {
  if (typeof hex !== 'string' || hex.length === 0) throw new PduError('PDU is empty');
  if (hex.length > MAX_PDU_HEX_LENGTH) {
    throw new PduError(`PDU is ${hex.length} hex characters long; at most ${MAX_PDU_HEX_LENGTH}`);
  }
  if (hex.length % 2 !== 0) throw new PduError('PDU has an odd number of hex characters');
  if (!/^[0-9A-Fa-f]+$/.test(hex)) throw new PduError('PDU contains a character that is not hex');
  const reader = new Reader(Buffer.from(hex, 'hex'));
  const smsc = readSmsc(reader);
  const firstOctet = reader.byte('first octet');
  switch (firstOctet & 0x03) {
    case 0x00:
      return readDeliver(reader, smsc, firstOctet);
    case 0x01:
      return readSubmit(reader, firstOctet);
    case 0x02:
      return readStatusReport(reader, smsc);
    default:
      throw new PduError('PDU has the reserved message type (TP-MTI 3)');
  }
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

/** Swapped nibbles, F filler after an odd last digit. */
function semiOctets(digits: string): number[] {
  const octets: number[] = [];
  for (let i = 0; i < digits.length; i += 2) {
    const low = DIGITS.indexOf(digits[i]!);
    const high = i + 1 < digits.length ? DIGITS.indexOf(digits[i + 1]!) : 0x0f;
    octets.push((high << 4) | low);
  }
  return octets;
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

// ---- decoding helpers ----

class Reader {
  private offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  byte(field: string): number {
    const value = this.bytes[this.offset];
    if (value === undefined) throw new PduError(`PDU ends before its ${field}`);
    this.offset++;
    return value;
  }

  take(count: number, field: string): Uint8Array {
    if (count > this.remaining) {
      throw new PduError(`PDU ends inside its ${field} (${count} octets, ${this.remaining} left)`);
    }
    const slice = this.bytes.subarray(this.offset, this.offset + count);
    this.offset += count;
    return slice;
  }

  /** The user data is the last field of a SUBMIT or DELIVER: anything after it is an error. */
  end(): void {
    if (this.remaining > 0) {
      throw new PduError(`PDU has ${this.remaining} octets after its user data`);
    }
  }
}

function readDeliver(reader: Reader, smsc: string | null, firstOctet: number): DeliverPdu {
  const from = readAddress(reader, 'originating address');
  reader.byte('TP-PID');
  const dcs = reader.byte('TP-DCS');
  const timestamp = readTimestamp(reader, 'TP-SCTS');
  const { text, alphabet, concat } = readUserData(reader, firstOctet, dcs);
  reader.end();
  return { type: 'deliver', smsc, from, timestamp, text, alphabet, concat };
}

function readSubmit(reader: Reader, firstOctet: number): SubmitPduDecoded {
  const messageReference = reader.byte('TP-MR');
  const to = readAddress(reader, 'destination address');
  reader.byte('TP-PID');
  const dcs = reader.byte('TP-DCS');
  // TP-VPF: none, enhanced (7 octets), relative (1), absolute (7).
  const validityOctets = [0, 7, 1, 7][(firstOctet >> 3) & 0x03]!;
  reader.take(validityOctets, 'TP-VP');
  const { text, alphabet, concat } = readUserData(reader, firstOctet, dcs);
  reader.end();
  const statusReport = (firstOctet & 0x20) !== 0;
  return { type: 'submit', to, messageReference, statusReport, text, alphabet, concat };
}

function readStatusReport(reader: Reader, smsc: string | null): StatusReportPdu {
  const messageReference = reader.byte('TP-MR');
  const recipient = readAddress(reader, 'recipient address');
  const submittedAt = readTimestamp(reader, 'TP-SCTS');
  const dischargedAt = readTimestamp(reader, 'TP-DT');
  const status = reader.byte('TP-ST');
  const outcome = outcomeOf(status);
  // Optional TP-PI, TP-PID, TP-DCS and TP-UD may follow; nothing here needs them.
  const times = { submittedAt, dischargedAt };
  return { type: 'status-report', smsc, messageReference, recipient, ...times, status, outcome };
}

function readSmsc(reader: Reader): string | null {
  const length = reader.byte('SMSC length');
  if (length === 0) return null;
  if (length > 12) throw new PduError(`SMSC field of ${length} octets; at most 12`);
  const toa = reader.byte('SMSC type of address');
  const octets = reader.take(length - 1, 'SMSC address');
  return formatNumber(toa, octets, octets.length * 2);
}

/** TP-OA/TP-DA/TP-RA: the length counts useful semi-octets. */
function readAddress(reader: Reader, field: string): string {
  const semiOctetCount = reader.byte(`${field} length`);
  if (semiOctetCount > 20) throw new PduError(`${field} of ${semiOctetCount} digits; at most 20`);
  const toa = reader.byte(`${field} type`);
  const octets = reader.take(Math.ceil(semiOctetCount / 2), field);
  if (((toa >> 4) & 0x07) === 5) {
    // Alphanumeric: GSM-7 septets packed into the semi-octets.
    return septetsToText(unpackSeptets(octets, 0, Math.floor((semiOctetCount * 4) / 7)));
  }
  return formatNumber(toa, octets, semiOctetCount);
}

function formatNumber(toa: number, octets: Uint8Array, semiOctetCount: number): string {
  let digits = '';
  for (let i = 0; i < semiOctetCount; i++) {
    const nibble = i % 2 === 0 ? octets[i >> 1]! & 0x0f : octets[i >> 1]! >> 4;
    if (nibble === 0x0f) continue; // filler
    digits += DIGITS[nibble]!;
  }
  return ((toa >> 4) & 0x07) === 1 ? `+${digits}` : digits;
}

function readTimestamp(reader: Reader, field: string): Date {
  const octets = reader.take(7, field);
  // Swapped-nibble BCD: year, month, day, hour, minute, second.
  const bcd = (index: number): number => {
    const tens = octets[index]! & 0x0f;
    const units = octets[index]! >> 4;
    if (tens > 9 || units > 9) throw new PduError(`${field} has a non-decimal digit`);
    return tens * 10 + units;
  };
  const [yy, month, day, hour, minute, second] = [bcd(0), bcd(1), bcd(2), bcd(3), bcd(4), bcd(5)];
  const zoneOctet = octets[6]!;
  if (zoneOctet >> 4 > 9) throw new PduError(`${field} has a non-decimal time zone`);
  // Quarters of an hour; bit 3 is the sign, bits 0–2 the tens digit, the high nibble the units.
  const quarters = ((zoneOctet & 0x07) * 10 + (zoneOctet >> 4)) * (zoneOctet & 0x08 ? -1 : 1);
  const local = new Date(
    Date.UTC(yy >= 90 ? 1900 + yy : 2000 + yy, month - 1, day, hour, minute, second),
  );
  // Date.UTC rolls over out-of-range fields: a field that changed was not a valid date.
  const fields = [
    local.getUTCMonth() + 1,
    local.getUTCDate(),
    local.getUTCHours(),
    local.getUTCMinutes(),
    local.getUTCSeconds(),
  ];
  if (fields.join() !== [month, day, hour, minute, second].join()) {
    throw new PduError(`${field} is not a valid date and time`);
  }
  return new Date(local.getTime() - quarters * QUARTER_HOUR_MS);
}

interface UserData {
  text: string;
  alphabet: Alphabet | '8bit';
  concat: Concat | null;
}

/** The alphabet a TP-DCS names (TS 23.038 §4); reserved codings read as GSM-7. */
function dcsAlphabet(dcs: number): Alphabet | '8bit' {
  const group = dcs >> 4;
  if (group < 0x8) {
    if (dcs & 0x20) throw new PduError('compressed user data (TS 23.042) is not supported');
    return (['gsm7', '8bit', 'ucs2', 'gsm7'] as const)[(dcs >> 2) & 0x03]!;
  }
  if (group === 0xe) return 'ucs2';
  if (group === 0xf) return dcs & 0x04 ? '8bit' : 'gsm7';
  return 'gsm7';
}

function readUserData(reader: Reader, firstOctet: number, dcs: number): UserData {
  const alphabet = dcsAlphabet(dcs);
  const length = reader.byte('TP-UDL');
  const octetCount = alphabet === 'gsm7' ? Math.ceil((length * 7) / 8) : length;
  if (octetCount > 140) throw new PduError(`TP-UDL ${length} is more than 140 octets of user data`);
  const userData = reader.take(octetCount, 'user data');
  const header = firstOctet & 0x40 ? readHeader(userData) : { octets: 0, concat: null };
  if (alphabet === 'gsm7') {
    const headerSeptets = Math.ceil((header.octets * 8) / 7);
    if (headerSeptets > length) throw new PduError('user data header is longer than TP-UDL');
    const septets = unpackSeptets(userData, headerSeptets * 7, length - headerSeptets);
    return { text: septetsToText(septets), alphabet, concat: header.concat };
  }
  const body = userData.subarray(header.octets);
  if (alphabet === '8bit') {
    // Latin-1: one character per octet, so the octets can be recovered from the text.
    return { text: String.fromCharCode(...body), alphabet, concat: header.concat };
  }
  if (body.length % 2 !== 0) throw new PduError('UCS-2 user data has an odd number of octets');
  let text = '';
  for (let i = 0; i < body.length; i += 2)
    text += String.fromCharCode((body[i]! << 8) | body[i + 1]!);
  return { text, alphabet, concat: header.concat };
}

/** TP-UDH: concatenation (8-bit IEI 0x00 or 16-bit IEI 0x08) is read, other elements skipped. */
function readHeader(userData: Uint8Array): { octets: number; concat: Concat | null } {
  const headerLength = userData[0];
  if (headerLength === undefined || 1 + headerLength > userData.length) {
    throw new PduError('user data header is longer than the user data');
  }
  let concat: Concat | null = null;
  for (let i = 1; i < 1 + headerLength; ) {
    const iei = userData[i]!;
    const length = userData[i + 1];
    if (length === undefined || i + 2 + length > 1 + headerLength) {
      throw new PduError(
        `information element 0x${iei.toString(16)} runs past the user data header`,
      );
    }
    const data = userData.subarray(i + 2, i + 2 + length);
    let found: Concat | null = null;
    if (iei === 0x00 && length === 3)
      found = { reference: data[0]!, total: data[1]!, part: data[2]! };
    if (iei === 0x08 && length === 4) {
      found = { reference: (data[0]! << 8) | data[1]!, total: data[2]!, part: data[3]! };
    }
    // TS 23.040 §9.2.3.24.1: an element with total 0 or part outside 1…total is ignored;
    // of repeated elements the last one counts.
    if (found && found.total >= 1 && found.part >= 1 && found.part <= found.total) concat = found;
    i += 2 + length;
  }
  return { octets: 1 + headerLength, concat };
}
