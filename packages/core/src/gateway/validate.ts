/**
 * Field validation with httpSMS-style messages, collecting every problem before
 * failing, and the rule for text every store can hold (`storableMethods`).
 */
import {
  contactNumberMessage,
  isContactPhoneNumber,
  isPhoneNumber,
  phoneNumberMessage,
  sanitizeAddress,
} from '../domain/phone-number.js';
import { toTimestamp } from '../domain/time.js';
import type { FieldErrors } from '../errors.js';
import { addFieldError, GatewayError } from '../errors.js';
import type { Sim } from '../lifecycle/status.js';

/**
 * The httpSMS `uuid` rule (lowercase, RFC 9562 variant), with version 7 beside 4:
 * new rows get time-ordered v7 ids, rows stored before keep their v4 ids.
 */
const UUID_V4_OR_V7 = /^[a-f0-9]{8}-[a-f0-9]{4}-[47][a-f0-9]{3}-[89aAbB][a-f0-9]{3}-[a-f0-9]{12}$/;
const encoder = new TextEncoder();

export function byteLength(value: string): number {
  return encoder.encode(value).length;
}

export function isUuid(value: string): boolean {
  return UUID_V4_OR_V7.test(value);
}

export class Checker {
  readonly fields: FieldErrors = {};

  add(field: string, message: string): void {
    addFieldError(this.fields, field, message);
  }

  get ok(): boolean {
    return Object.keys(this.fields).length === 0;
  }

  /** Trims, requires non-empty, checks the byte length. Returns the trimmed value. */
  text(field: string, value: unknown, min: number, max: number, required = true): string {
    if (value === undefined || value === null || value === '') {
      if (required) this.add(field, `The ${field} field is required`);
      return '';
    }
    if (typeof value !== 'string') {
      this.add(field, `The ${field} field must be a string`);
      return '';
    }
    const bytes = byteLength(value);
    if (bytes < min || bytes > max) {
      this.add(field, `The ${field} field must be between ${min} and ${max} characters`);
    }
    return value;
  }

  /** Text from a document cell: NUL refused, lone surrogates as U+FFFD (see `storableMethods`). */
  storable(field: string, value: string): string {
    if (value.includes('\u0000')) this.add(field, nulMessage(field));
    return wellFormed(value);
  }

  /** A sender/owner number: sanitised to E.164 and checked with the phoneNumber rule. */
  phoneNumber(field: string, value: unknown): string {
    if (typeof value !== 'string' || value.trim() === '') {
      this.add(field, `The ${field} field is required`);
      return '';
    }
    const sanitized = sanitizeAddress(value);
    if (!isPhoneNumber(sanitized)) this.add(field, phoneNumberMessage(field));
    return sanitized;
  }

  /** A recipient number: sanitised, digits only (short codes allowed). */
  contactNumber(field: string, value: unknown): string {
    if (typeof value !== 'string' || value.trim() === '') {
      this.add(field, `The ${field} field is required`);
      return '';
    }
    const sanitized = sanitizeAddress(value);
    if (!isContactPhoneNumber(sanitized)) this.add(field, contactNumberMessage(field));
    return sanitized;
  }

  uuid(field: string, value: unknown): string {
    if (typeof value !== 'string' || !isUuid(value)) {
      this.add(field, `The ${field} field must be a valid UUID`);
      return '';
    }
    return value;
  }

  /** Attachment URLs: blanks dropped, at most `max`, each http(s) with a host. */
  urls(field: string, value: readonly string[] | null | undefined, max = 10): string[] | null {
    if (value === undefined || value === null) return null;
    const urls = value.map((u) => u.trim()).filter((u) => u !== '');
    if (urls.length > max) this.add(field, `The ${field} field must have at most ${max} items`);
    urls.forEach((url, index) => {
      if (!isHttpUrl(url)) {
        this.add(field, `The ${field} field must contain http or https URLs: index [${index}]`);
      }
    });
    return urls.length > 0 ? urls : null;
  }

  /**
   * A time given as epoch ms, Date or RFC 3339 string, as whole milliseconds in
   * years 0000–9999 UTC (`toTimestamp`); null when absent.
   */
  time(field: string, value: Date | string | number | null | undefined): number | null {
    if (value === undefined || value === null || value === '') return null;
    const ms = toTimestamp(value);
    if (ms === null) {
      this.add(
        field,
        `The ${field} field must be an RFC 3339 timestamp between years 0000 and 9999 (UTC)`,
      );
      return null;
    }
    return ms;
  }

  sim(field: string, value: unknown): Sim {
    if (value === undefined || value === null || value === '' || value === 'DEFAULT') return 'SIM1';
    if (value === 'SIM1' || value === 'SIM2') return value;
    this.add(field, `The ${field} field must be one of SIM1, SIM2`);
    return 'SIM1';
  }

  integer(field: string, value: unknown, min: number, max: number): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.add(field, `The ${field} field must be a whole number between ${min} and ${max}`);
      return undefined;
    }
    return value;
  }

  throwIfInvalid(): void {
    if (!this.ok) throw GatewayError.validation(this.fields);
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** `text` with every lone surrogate replaced by U+FFFD, as UTF-8 (and so every store) keeps it. */
export function wellFormed(text: string): string {
  return LONE_SURROGATE.test(text) ? text.replace(LONE_SURROGATES, '\ufffd') : text;
}

export function nulMessage(field: string): string {
  return `The ${field} field must not contain the NUL character (\\u0000)`;
}

/** Input keys whose wire name is not their snake_case spelling. */
const WIRE_NAMES: Readonly<Record<string, string>> = {
  event: 'event_name',
  sendScheduleId: 'message_send_schedule_id',
  fileName: 'document',
  contentType: 'document',
};

/** Wire names already worked out: the same few input keys come with every call. */
const wireNames = new Map<string, string>();

function wireName(key: string): string {
  let name = wireNames.get(key);
  if (name === undefined) {
    name = WIRE_NAMES[key] ?? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    // Keys come from code and from callers' objects: bounded all the same.
    if (wireNames.size >= 1000) wireNames.clear();
    wireNames.set(key, name);
  }
  return name;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A copy of `value` with storable strings (see `storableMethods`); NUL is reported under `field`. */
function storableValue(value: unknown, field: string, check: Checker): unknown {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) check.add(field, nulMessage(field));
    return wellFormed(value);
  }
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => storableValue(item, field, check));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = storableValue(item, field, check);
  return out;
}

/**
 * The one rule for text on its way to a store, applied where every channel
 * (HTTP, WebSocket, a direct call) enters the gateway: Postgres holds neither
 * NUL in TEXT nor NUL or lone surrogates in JSONB, and SQLite turns a lone
 * surrogate into U+FFFD. So every string in the arguments of `group`'s methods
 * (plain objects and arrays are walked; Dates and bytes are left alone) is
 * checked first: a NUL is a 422 under the field's wire name (`fcmToken` →
 * `fcm_token`; a bare string argument is `id`), a lone surrogate becomes U+FFFD,
 * so the answer echoes what was stored. `except` names methods left as they are.
 */
export function storableMethods<T extends object>(group: T, except: readonly string[] = []): T {
  const out: Record<string, unknown> = { ...(group as Record<string, unknown>) };
  for (const [name, method] of Object.entries(group as Record<string, unknown>)) {
    if (typeof method !== 'function' || except.includes(name)) continue;
    out[name] = (...args: unknown[]) => {
      const check = new Checker();
      const clean = args.map((arg) => {
        if (typeof arg === 'string') return storableValue(arg, 'id', check);
        if (typeof arg !== 'object' || arg === null || !isPlainObject(arg)) return arg;
        const fields: Record<string, unknown> = {};
        for (const [key, item] of Object.entries(arg)) {
          fields[key] = storableValue(item, wireName(key), check);
        }
        return fields;
      });
      if (!check.ok) return Promise.reject(GatewayError.validation(check.fields));
      return (method as (...a: unknown[]) => unknown).apply(group, clean);
    };
  }
  return out as T;
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
