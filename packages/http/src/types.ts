/**
 * The neutral request and response every framework adapter translates to and
 * from. Nothing here depends on a framework: an adapter copies the method, the
 * path below its mount point, the query, the headers and the body in, and writes
 * the status, headers and body out.
 */

import type { Readable } from 'node:stream';

/** Header values as Node gives them; names in lower case. */
export type HttpHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** The raw query string (without `?`), URLSearchParams, or a parsed object of strings. */
export type HttpQuery = string | URLSearchParams | Readonly<Record<string, unknown>>;

/**
 * The body, in whichever form the adapter has it:
 * - `undefined`: no body;
 * - a `Uint8Array` (Buffer) or a string: the raw bytes;
 * - an `AsyncIterable<Uint8Array>` (a Node `IncomingMessage`): the unread body,
 *   which the API reads up to the route's size limit, and only when the route has a body;
 * - anything else: JSON a body parser already decoded (`express.json()`).
 */
export type HttpBody = Uint8Array | string | AsyncIterable<Uint8Array> | unknown;

export interface HttpRequest {
  method: string;
  /** The path below the adapter's mount point, e.g. `/v1/messages/send` (no query). */
  path: string;
  /**
   * The adapter's mount point, e.g. `/sms` (absent or '' at the root): the API
   * writes it into links it serves (the OpenAPI `servers`, the reference page).
   */
  basePath?: string;
  query?: HttpQuery;
  headers: HttpHeaders;
  body?: HttpBody;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** Absent for 204 and for bodiless answers. */
  body?: string | Uint8Array;
  /**
   * Instead of `body`, a stream that stays open (the server-sent events of `GET /v1/events`):
   * the adapter pipes it to the socket and destroys it when the client goes away (Node's
   * `pipeline` does both).
   */
  stream?: Readable;
}

/** The caller's identity as an application with its own authentication sees it. */
export interface HostIdentity {
  accountId: string;
}

/**
 * Resolves the caller from the application's own auth (session cookie, JWT, …).
 * Returning null or undefined falls back to the `x-api-key` header.
 */
export type HostAuthenticate = (
  request: HttpRequest,
) => HostIdentity | null | undefined | Promise<HostIdentity | null | undefined>;
