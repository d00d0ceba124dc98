/**
 * Parsers for the modem's answers and URCs (TS 27.007 / 27.005, PDU mode). Each takes the lines
 * `AtChannel` returned and never throws: what it cannot read is left out.
 */
import type { RadioStatus } from '../driver.js';

/** A message in the modem's storage, as `+CMGL:` / `+CMGR:` list it. */
export interface StoredPdu {
  index: number;
  /** 0 received unread, 1 received read, 2 stored unsent, 3 stored sent. */
  stat: number;
  pdu: string;
}

const HEX = /^[0-9A-Fa-f]+$/;

/** The fields after `prefix`, split at commas outside quotes, quotes removed. */
export function fields(line: string, prefix: string): string[] | null {
  if (!line.startsWith(prefix)) return null;
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of line.slice(prefix.length).trim()) {
    if (char === '"') quoted = !quoted;
    else if (char === ',' && !quoted) {
      out.push(current.trim());
      current = '';
    } else current += char;
  }
  out.push(current.trim());
  return out;
}

function integer(text: string | undefined): number | null {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : null;
}

/** `+CMGL: <index>,<stat>,[<alpha>],<length>` lines, each followed by its PDU line. */
export function parseList(lines: readonly string[]): StoredPdu[] {
  const stored: StoredPdu[] = [];
  for (let i = 0; i < lines.length; i++) {
    const head = fields(lines[i]!, '+CMGL:');
    if (!head) continue;
    const index = integer(head[0]);
    const pdu = lines[i + 1];
    if (index === null || pdu === undefined || !HEX.test(pdu)) continue;
    stored.push({ index, stat: integer(head[1]) ?? 0, pdu });
    i++;
  }
  return stored;
}

/** `+CMGR: <stat>,[<alpha>],<length>` then the PDU; null when the index held nothing. */
export function parseRead(index: number, lines: readonly string[]): StoredPdu | null {
  const at = lines.findIndex((line) => line.startsWith('+CMGR:'));
  if (at === -1) return null;
  const head = fields(lines[at]!, '+CMGR:')!;
  const pdu = lines[at + 1];
  if (pdu === undefined || !HEX.test(pdu)) return null;
  return { index, stat: integer(head[0]) ?? 0, pdu };
}

/** `+CMTI: "SM",3` / `+CDSI: "SM",3` → the storage and index. */
export function parseStoredNotice(line: string): { memory: string; index: number } | null {
  const prefix = line.startsWith('+CMTI:') ? '+CMTI:' : line.startsWith('+CDSI:') ? '+CDSI:' : null;
  if (!prefix) return null;
  const [memory, index] = fields(line, prefix)!;
  const parsed = integer(index);
  return memory && parsed !== null ? { memory: memory.toUpperCase(), index: parsed } : null;
}

/** `+CLIP: "<number>",<type>,…` → the number ("" when withheld). */
export function parseClip(line: string): string | null {
  const clip = fields(line, '+CLIP:');
  return clip ? (clip[0] ?? '') : null;
}

/** `+CSQ: <rssi>,<ber>`: rssi 0–31 is −113 + 2·rssi dBm; 99 is unknown. */
export function parseSignal(lines: readonly string[]): number | undefined {
  for (const line of lines) {
    const rssi = integer(fields(line, '+CSQ:')?.[0]);
    if (rssi !== null && rssi <= 31) return -113 + 2 * rssi;
  }
  return undefined;
}

const REGISTRATION: Readonly<Record<number, NonNullable<RadioStatus['registration']>>> = {
  0: 'unregistered',
  1: 'home',
  2: 'searching',
  3: 'denied',
  4: 'unknown',
  5: 'roaming',
};

/** `+CREG: <n>,<stat>[,…]` (the answer to AT+CREG?; a URC `+CREG: <stat>` also reads). */
export function parseRegistration(
  lines: readonly string[],
): NonNullable<RadioStatus['registration']> | undefined {
  let found: NonNullable<RadioStatus['registration']> | undefined;
  for (const line of lines) {
    const parts = fields(line, '+CREG:');
    if (!parts) continue;
    const stat = integer(parts.length >= 2 ? parts[1] : parts[0]);
    // 6–10 are the SMS-only and emergency variants of home/roaming (TS 27.007 §7.2).
    if (stat !== null)
      found = REGISTRATION[stat] ?? (stat === 6 ? 'home' : stat === 7 ? 'roaming' : 'unknown');
  }
  return found;
}

/** `+COPS: <mode>[,<format>,"<operator>"[,<act>]]` → the operator, when given. */
export function parseOperator(lines: readonly string[]): string | undefined {
  for (const line of lines) {
    const name = fields(line, '+COPS:')?.[2];
    if (name) return name;
  }
  return undefined;
}

/**
 * `+CBC: <bcs>,<bcl>[,<voltage>]`. SIM800-class modems print the voltage and mean by bcs 0 "not
 * charging", 1 "charging", 2 "charged" (on power); TS 27.007 (two fields) means 0 "on battery",
 * 1 "on power with a battery", 2 "no battery", 3 "power fault": then the level means nothing.
 */
export function parseBattery(
  lines: readonly string[],
): Pick<RadioStatus, 'batteryLevel' | 'charging'> {
  for (const line of lines) {
    const parts = fields(line, '+CBC:');
    if (!parts) continue;
    const bcs = integer(parts[0]);
    const bcl = integer(parts[1]);
    if (bcs === null || bcl === null || bcl > 100) return {};
    if (parts.length >= 3) return { batteryLevel: bcl, charging: bcs !== 0 };
    return bcs <= 1 ? { batteryLevel: bcl, charging: bcs === 1 } : {};
  }
  return {};
}

/** The octets after the SMSC field: the `<length>` of `+CMGS`, `+CMGL` and `+CMT`. */
export function tpduLength(pdu: string): number {
  const smscLength = Number.parseInt(pdu.slice(0, 2), 16) || 0;
  return pdu.length / 2 - 1 - smscLength;
}
