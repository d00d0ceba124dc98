/** Field validation with httpSMS-style messages, collecting every problem before failing. */
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

const UUID_V4 = /^[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89aAbB][a-f0-9]{3}-[a-f0-9]{12}$/;
const encoder = new TextEncoder();

export function byteLength(value: string): number {
  return encoder.encode(value).length;
}

export function isUuid(value: string): boolean {
  return UUID_V4.test(value);
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

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
