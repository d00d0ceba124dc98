/**
 * SMS PDU decoding (TS 23.040 §9.2, alphabets of TS 23.038): SMS-DELIVER, SMS-SUBMIT and
 * SMS-STATUS-REPORT, from hex as a modem prints it (+CMGR/+CMT/+CDS:, with the SMSC field).
 * Every field is bounds-checked: malformed or truncated input throws `PduError`.
 */
import { septetsToText, unpackSeptets } from '../gsm7.js';
import { formatNumber, QUARTER_HOUR_MS } from './semi-octets.js';
import type {
  Alphabet,
  Concat,
  DecodedPdu,
  DeliverPdu,
  StatusReportPdu,
  SubmitPduDecoded,
} from './types.js';

/** Longest PDU accepted: SMSC length octet, a 12-octet SMSC field and the 176-octet maximum TPDU. */
export const MAX_PDU_HEX_LENGTH = 2 * (1 + 12 + 176);

/** A PDU that cannot be decoded: malformed, truncated, or of a kind this codec does not read. */
export class PduError extends Error {
  override readonly name = 'PduError';
}

/** 0x00–0x1F delivered/completed; 0x20–0x3F still trying; 0x40 and above failed (TS 23.040 §9.2.3.15). */
export function outcomeOf(status: number): StatusReportPdu['outcome'] {
  if (status < 0x20) return 'delivered';
  return status < 0x40 ? 'pending' : 'failed';
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
