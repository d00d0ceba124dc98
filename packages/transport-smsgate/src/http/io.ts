/**
 * The little HTTP the SMSGate APIs need on `node:http`: a route table matched on
 * method and path (a trailing or doubled slash is tolerated: the app appends to
 * what the user typed), bounded JSON bodies, and replies in SMSGate's shapes
 * (`application/json`, errors as `{"message": …}`). Express hosts mount the
 * handler as middleware: an unmatched request goes to `next`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SmsGateErrorBody } from '../wire.js';

/** An error answered with its status and `{"message"}`. */
export class SmsGateHttpError extends Error {
  override readonly name = 'SmsGateHttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new SmsGateHttpError(400, message);
export const unauthorized = (message = 'Unauthorized') => new SmsGateHttpError(401, message);
export const forbidden = (message: string) => new SmsGateHttpError(403, message);
export const notFound = (message: string) => new SmsGateHttpError(404, message);
export const conflict = (message: string) => new SmsGateHttpError(409, message);

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** The path below the API's prefix, with duplicate slashes folded and no trailing slash. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

/** Routes under one prefix (`/smsgate/mobile/v1`), matched in order. */
export class RouteTable {
  private readonly routes: Route[] = [];
  constructor(readonly prefix: string) {}

  /** `path` like `/messages/:id`. */
  on(method: string, path: string, handler: Handler): this {
    const names: string[] = [];
    const source = path.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), names, handler });
    return this;
  }

  /** The route for a request, or null when the path is not under the prefix or unknown. */
  match(req: IncomingMessage): {
    handler: Handler;
    path: string;
    params: Record<string, string>;
    query: URLSearchParams;
  } | null {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = (q < 0 ? url : url.slice(0, q)).replace(/\/{2,}/g, '/');
    const prefix = this.prefix.replace(/\/+$/, '');
    if (rawPath !== prefix && !rawPath.startsWith(`${prefix}/`)) return null;
    const path = rawPath.slice(prefix.length).replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        const value = decodeURIComponent(m[i + 1] ?? '');
        // No store keeps a NUL (Postgres refuses it in text): the path is not valid.
        if (value.includes('\u0000')) throw new URIError('NUL in a path parameter');
        params[name] = value;
      });
      return {
        handler: route.handler,
        path,
        params,
        query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
      };
    }
    if (pathMatched) {
      return {
        handler: () => {
          throw new SmsGateHttpError(405, 'Method Not Allowed');
        },
        path,
        params: {},
        query: new URLSearchParams(),
      };
    }
    return null;
  }
}

/** Sends JSON (`application/json; charset=utf-8`). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** An empty reply (204 and the like). */
export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'cache-control': 'no-store' });
  res.end();
}

export function sendError(res: ServerResponse, error: SmsGateHttpError): void {
  const body: SmsGateErrorBody = { message: error.message };
  sendJson(res, error.status, body, error.headers);
}

/** Bytes read past the limit (and thrown away) before the connection is given up. */
const DRAIN_BYTES = 16 * 1024 * 1024;

/**
 * Reads the raw body up to `limit` bytes (413 beyond it). A body over the limit is
 * read to its end and thrown away (up to `DRAIN_BYTES` more; then the connection is
 * closed), so a keep-alive connection stays usable after the 413.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new SmsGateHttpError(413, `request body is larger than ${limit} bytes`);
  }
  if (req.readableEnded) return Buffer.alloc(0);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = () => new SmsGateHttpError(413, `request body is larger than ${limit} bytes`);
    const done = (error?: unknown) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (error) reject(error);
      else if (size > limit) reject(tooLarge());
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > limit + DRAIN_BYTES) {
        req.destroy();
        done(tooLarge());
      }
    };
    const onEnd = () => done();
    const onError = (error: Error) =>
      done(badRequest(`the request body was cut short: ${error.message}`));
    const onClose = () => done(badRequest('the request body was cut short'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a parsed JSON value holds a string (or key) with a NUL or a lone surrogate. */
function hasBadText(value: unknown, depth = 0): boolean {
  if (depth > 32) return true;
  if (typeof value === 'string') return value.includes('\u0000') || LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.some((v) => hasBadText(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([k, v]) => hasBadText(k) || hasBadText(v, depth + 1));
  }
  return false;
}

/**
 * Parses a JSON body: 400 when it is not JSON, nests deeper than 32 levels, or holds
 * a NUL or a lone surrogate in any string (no store keeps those as sent).
 */
export function parseJson(raw: Buffer): unknown {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest('request body must be valid JSON');
  }
  if (hasBadText(value)) {
    throw badRequest('strings must not contain NUL characters or lone surrogates');
  }
  return value;
}

export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  return parseJson(await readBody(req, limit));
}

/** The credentials of an `Authorization` header, by scheme (case-insensitive). */
export function authorization(
  req: IncomingMessage,
): { scheme: 'bearer' | 'basic' | 'code'; value: string } | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return null;
  const m = /^(bearer|basic|code)\s+(.+)$/i.exec(header.trim());
  if (!m) return null;
  return { scheme: (m[1] ?? '').toLowerCase() as 'bearer' | 'basic' | 'code', value: m[2] ?? '' };
}

/**
 * Runs a matched route: errors become SMSGate error bodies; anything unexpected is a
 * 500 (logged by `onError`).
 */
export async function runRoute(
  ctx: RequestContext,
  handler: Handler,
  onError: (error: unknown) => void,
): Promise<void> {
  try {
    await handler(ctx);
  } catch (error) {
    if (ctx.res.headersSent) {
      ctx.res.destroy();
      return;
    }
    if (error instanceof SmsGateHttpError) {
      sendError(ctx.res, error);
      return;
    }
    onError(error);
    sendError(ctx.res, new SmsGateHttpError(500, 'Internal Server Error'));
  }
}
