/**
 * What a hostile request is (route, headers, payload, how it is sent, what it may
 * get back) and what came back, with the API's limits and small encoding helpers
 * the generator and the senders share.
 */
export const MIB = 1024 * 1024;
/** Body limits: JSON routes, the phone's receive route, the bulk upload. */
export const JSON_LIMIT = MIB;
export const RECEIVE_LIMIT = 5 * MIB;
export const BULK_LIMIT = 5_000_000 + 256 * 1024;
export const UUID_RULE =
  /^[a-f0-9]{8}-[a-f0-9]{4}-[47][a-f0-9]{3}-[89aAbB][a-f0-9]{3}-[a-f0-9]{12}$/;
export const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export type Headers = Record<string, string | string[]>;

export type Payload =
  | { kind: 'none' }
  /** Raw bytes (sent with a Content-Length; `chunked`: Transfer-Encoding over HTTP). */
  | { kind: 'bytes'; data: Buffer; chunked?: boolean }
  /** `json` padded with spaces to `size` bytes, built when sent (bodies over a limit). */
  | { kind: 'padded'; json: string; size: number; chunked: boolean; asString: boolean }
  /** In process: a string body, as a text body parser gives it. */
  | { kind: 'string'; text: string }
  /** In process: what a JSON body parser already decoded. */
  | { kind: 'parsed'; value: unknown };

export type Via = 'http' | 'api' | 'raw';

export interface Hostile {
  family: string;
  via: Via;
  method: string;
  /** Percent-encoded path (raw Unicode only in process). */
  path: string;
  /** The raw query string, or in process an adapter's parsed query object. */
  query?: string | Record<string, unknown>;
  headers: Headers;
  payload: Payload;
  /** Raw socket: the bytes; `abort`: the connection is dropped after them. */
  raw?: { bytes: Buffer; abort: boolean };
  /** Statuses the request may get; absent: any 4xx. */
  expect?: readonly number[];
  /** A read naming another account's numbers or ids: the answer holds no rows. */
  empty?: boolean;
}

export interface Outcome {
  status: number | null;
  contentType?: string | undefined;
  body: string;
  /** Every status line seen on a raw socket. */
  statuses?: number[];
  /** In process: no route took it (an adapter passes it on; the node handler answers 404). */
  passedOn?: boolean;
  error?: string;
}

export function utf8Length(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/** Percent-encodes everything but unreserved characters (lone surrogates become U+FFFD). */
export function pct(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function queryString(
  params: readonly (readonly [string, string])[],
  raw: string[] = [],
): string {
  return [...params.map(([k, v]) => `${pct(k)}=${pct(v)}`), ...raw].join('&');
}

export function jsonBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** What an HTTP client can put in a header: UTF-8 bytes read as Latin-1, no control characters. */
export function latin1Header(value: string): string {
  const latin1 = Buffer.from(value, 'utf8').toString('latin1');
  return [...latin1].map((c) => (c === '\t' || (c >= ' ' && c !== '\x7f') ? c : '?')).join('');
}
