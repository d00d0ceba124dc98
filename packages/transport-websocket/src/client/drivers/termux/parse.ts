/**
 * Reads what the `termux-*` commands print (JSON written by the Termux:API app)
 * into the driver's terms. Each reader takes `unknown` and checks every field it
 * uses: an app version that prints something else must not crash the driver.
 */
import { createHash } from 'node:crypto';
import type { RadioStatus } from '../driver.js';

/** One entry of `termux-sms-list` or `termux-call-log`, as the inbound feed needs it. */
export interface FeedEntry {
  /** What the entry is remembered by once reported. */
  key: string;
  /** Other keys it may have been remembered by (e.g. before `_id` was printed). */
  altKeys: readonly string[];
  /** When the phone received it (epoch ms); `now` when the tool's date was unreadable. */
  timeMs: number;
  timeKnown: boolean;
  /** Orders entries of the same second (the SMS row id), when known. */
  order?: number;
  /** Reported at all (a missed call); other entries only bound the paging. */
  relevant: boolean;
}

export interface ListedSms extends FeedEntry {
  from: string;
  content: string;
}

export interface ListedCall extends FeedEntry {
  from: string;
  type: string;
}

/** The longest tool text quoted in an error or a failure reason. */
export const MAX_QUOTED = 300;

export function quote(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > MAX_QUOTED ? `${trimmed.slice(0, MAX_QUOTED)}…` : trimmed;
}

/**
 * The JSON a command printed. Termux:API answers a missing permission (and other
 * refusals) with `{"error": "…"}` and exit status 0, so that object is an error.
 */
export function parseJsonOutput(command: string, stdout: string): unknown {
  const text = stdout.trim();
  if (!text) throw new Error(`${command} printed nothing`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${command} printed something that is not JSON: ${quote(text)}`);
  }
  const error = toolError(value);
  if (error !== undefined) throw new Error(`${command}: ${error}`);
  return value;
}

/** The `error` text of a `{"error": "…"}` answer. */
export function toolError(value: unknown): string | undefined {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const error = (value as { error?: unknown }).error;
    if (typeof error === 'string') return quote(error);
  }
  return undefined;
}

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * The tools print dates as `yyyy-MM-dd HH:mm:ss` in the phone's time zone, which
 * is this process's too (Node under Termux reads Android's zone). Epoch
 * milliseconds and ISO strings are taken as well.
 */
export function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const local = LOCAL_TIME.exec(value.trim());
  if (local) {
    const [, y, mo, d, h, mi, s] = local.map(Number) as number[];
    const ms = new Date(y!, mo! - 1, d, h, mi, s ?? 0).getTime();
    return Number.isNaN(ms) ? undefined : ms;
  }
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function hashKey(...parts: unknown[]): string {
  return `h:${createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32)}`;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return '';
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export interface Parsed<T> {
  entries: T[];
  /** Elements that were not objects (left out). */
  skipped: number;
}

function list(command: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${command} printed JSON that is not a list`);
  return value;
}

/** `termux-sms-list`: objects with `number` (newer: `address` too), `received`, `body`, `_id` (newer). */
export function parseSmsList(value: unknown, now: number): Parsed<ListedSms> {
  const entries: ListedSms[] = [];
  let skipped = 0;
  for (const item of list('termux-sms-list', value)) {
    const sms = record(item);
    if (!sms) {
      skipped++;
      continue;
    }
    const from = text(sms.number ?? sms.address);
    const content = text(sms.body);
    const time = parseTime(sms.received);
    const hash = hashKey(from, text(sms.received), content);
    const id = sms._id;
    const hasId = (typeof id === 'number' && Number.isFinite(id)) || (typeof id === 'string' && id);
    entries.push({
      key: hasId ? `id:${id}` : hash,
      altKeys: hasId ? [hash] : [],
      timeMs: time ?? now,
      timeKnown: time !== undefined,
      ...(hasId && Number.isFinite(Number(id)) ? { order: Number(id) } : {}),
      relevant: true,
      from,
      content,
    });
  }
  return { entries, skipped };
}

/** `termux-call-log`: objects with `phone_number`, `type` (`MISSED`, `INCOMING`…), `date`. */
export function parseCallLog(value: unknown, now: number): Parsed<ListedCall> {
  const entries: ListedCall[] = [];
  let skipped = 0;
  for (const item of list('termux-call-log', value)) {
    const call = record(item);
    if (!call) {
      skipped++;
      continue;
    }
    const from = text(call.phone_number);
    const type = text(call.type).toUpperCase();
    const time = parseTime(call.date);
    entries.push({
      key: hashKey(from, text(call.date), type),
      altKeys: [],
      timeMs: time ?? now,
      timeKnown: time !== undefined,
      relevant: type === 'MISSED',
      from,
      type,
    });
  }
  return { entries, skipped };
}

/**
 * `termux-battery-status`: `percentage` (or `level`/`scale`), `plugged`
 * (`UNPLUGGED`, `PLUGGED_AC`, `PLUGGED_USB`…) and `status` (`CHARGING`, `FULL`…).
 * Charging means on a charger (FULL while plugged included) or `CHARGING`.
 */
export function parseBattery(value: unknown): RadioStatus {
  const battery = record(value);
  if (!battery) throw new Error('termux-battery-status printed JSON that is not an object');
  const status: RadioStatus = {};
  const level = batteryLevel(battery);
  if (level !== undefined) status.batteryLevel = level;
  const plugged = typeof battery.plugged === 'string' ? battery.plugged.toUpperCase() : undefined;
  const state = typeof battery.status === 'string' ? battery.status.toUpperCase() : undefined;
  // `PLUGGED_-1`: Android did not say.
  const knownPlug = plugged !== undefined && plugged !== 'PLUGGED_-1';
  if (knownPlug) status.charging = plugged !== 'UNPLUGGED' || state === 'CHARGING';
  else if (state !== undefined && state !== 'UNKNOWN') status.charging = state === 'CHARGING';
  return status;
}

function batteryLevel(battery: Record<string, unknown>): number | undefined {
  const { percentage, level, scale } = battery;
  let value: number | undefined;
  if (typeof percentage === 'number' && Number.isFinite(percentage)) value = percentage;
  else if (typeof level === 'number' && typeof scale === 'number' && level >= 0 && scale > 0) {
    value = (level / scale) * 100;
  }
  if (value === undefined || value < 0 || value > 100) return undefined;
  return Math.round(value);
}
