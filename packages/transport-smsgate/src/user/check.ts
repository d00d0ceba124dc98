/** Small readers for SMSGate request fields: each answers 400 with a readable text. */
import { GatewayError } from '@textport/core';
import { badRequest, SmsGateHttpError } from '../http/io.js';
import { parseDate } from '../wire.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/**
 * An RFC 3339 date-time (what SMSGate's Go server parses), or null. In a query a
 * `+` offset that arrived unencoded reads as a space; it is taken back.
 */
export function parseRfc3339(value: unknown, inQuery = false): number | null {
  if (typeof value !== 'string') return null;
  const text = inQuery ? value.replace(/ (\d{2}:\d{2})$/, '+$1') : value;
  return RFC3339.test(text) ? parseDate(text) : null;
}

export type JsonObject = Record<string, unknown>;

/** The body as an object (400 otherwise). */
export function objectBody(value: unknown, what = 'request body'): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(`${what} must be a JSON object`);
  }
  return value as JsonObject;
}

const absent = (value: unknown) => value === undefined || value === null;

/** An optional string of at most `max` characters; `""` counts as absent. */
export function optionalString(body: JsonObject, field: string, max: number): string | null {
  const value = body[field];
  if (absent(value) || value === '') return null;
  if (typeof value !== 'string') throw badRequest(`${field} must be a string`);
  if (value.length > max) throw badRequest(`${field} must be at most ${max} characters`);
  return value;
}

export function optionalBoolean(body: JsonObject, field: string): boolean | null {
  const value = body[field];
  if (absent(value)) return null;
  if (typeof value !== 'boolean') throw badRequest(`${field} must be a boolean`);
  return value;
}

/** An optional integer in [min, max]. */
export function optionalInt(
  body: JsonObject,
  field: string,
  min: number,
  max: number,
): number | null {
  const value = body[field];
  if (absent(value)) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw badRequest(`${field} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** An optional RFC 3339 date (epoch ms). */
export function optionalDate(body: JsonObject, field: string): number | null {
  const value = body[field];
  if (absent(value)) return null;
  const ms = parseRfc3339(value);
  if (ms === null) throw badRequest(`${field} must be an RFC 3339 date`);
  return ms;
}

/** Go's `strconv.ParseBool` spellings, which SMSGate's server accepts in queries. */
export function queryBool(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const value = query.get(name);
  if (value === null || value === '') return fallback;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw badRequest(`${name} must be a boolean`);
}

/** A non-negative integer query parameter, or `fallback` when absent. */
export function queryInt(query: URLSearchParams, name: string, fallback: number): number {
  const value = query.get(name);
  if (value === null || value === '') return fallback;
  if (!/^-?\d{1,15}$/.test(value)) throw badRequest(`${name} must be an integer`);
  return Number(value);
}

export function queryDate(query: URLSearchParams, name: string): number | null {
  const value = query.get(name);
  if (value === null || value === '') return null;
  const ms = parseRfc3339(value, true);
  if (ms === null) throw badRequest(`${name} must be an RFC 3339 date`);
  return ms;
}

/**
 * Turns a gateway refusal into SMSGate's error: validation problems become one
 * 400 text (`field: problem; …`), other client errors keep their status.
 */
export function fromGatewayError(error: unknown): unknown {
  if (!(error instanceof GatewayError)) return error;
  if (error.code === 'validation' || error.code === 'bad_request') {
    const fields = Object.entries(error.fields ?? {}).map(([k, v]) => `${k}: ${v.join('; ')}`);
    return badRequest(fields.length > 0 ? fields.join('; ') : error.message);
  }
  const status = error.httpStatus;
  return status >= 400 && status < 500 ? new SmsGateHttpError(status, error.message) : error;
}
