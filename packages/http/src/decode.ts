/**
 * Reading a request: headers, query values and the body (size limit, content
 * type, JSON), with the status codes of httpSMS: an unreadable body or a value of
 * the wrong JSON type is 400, a body over the limit 413.
 */

import { GatewayError } from '@textport/core';
import type { z } from 'zod';
import type { HttpHeaders, HttpQuery, HttpRequest } from './types.js';

/** Bytes read past the limit (and thrown away) before the connection is given up. */
const DRAIN_BYTES = 16 * 1024 * 1024;

export function headerValue(headers: HttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : value?.[0];
}

/** Every value of the query parameter `name`, in order. */
export function queryValues(query: HttpQuery | undefined, name: string): string[] {
  if (query === undefined || query === '') return [];
  if (typeof query === 'string') return new URLSearchParams(query).getAll(name);
  if (query instanceof URLSearchParams) return query.getAll(name);
  const value = query[name];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function queryParams(query: HttpQuery | undefined): URLSearchParams {
  if (query === undefined) return new URLSearchParams();
  if (typeof query === 'string' || query instanceof URLSearchParams) {
    return new URLSearchParams(query);
  }
  const params = new URLSearchParams();
  for (const key of Object.keys(query)) {
    for (const value of queryValues(query, key)) params.append(key, value);
  }
  return params;
}

export function badRequest(detail: string): GatewayError {
  return new GatewayError('bad_request', detail, { detail });
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError('payload_too_large', `the request body is larger than ${limit} bytes`);
}

/** The media type without parameters, in lower case (`application/json`). */
export function mediaType(request: HttpRequest): string {
  const value = headerValue(request.headers, 'content-type') ?? '';
  const semicolon = value.indexOf(';');
  return (semicolon < 0 ? value : value.slice(0, semicolon)).trim().toLowerCase();
}

export function isJsonType(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array | string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

async function collect(
  stream: AsyncIterable<Uint8Array | string>,
  limit: number,
): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const piece of stream) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece) : (piece as Buffer);
    size += chunk.length;
    if (size > limit + DRAIN_BYTES) break;
    if (size <= limit) chunks.push(chunk);
  }
  if (size > limit) throw tooLarge(limit);
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
}

interface EventStream {
  readonly readableEnded?: boolean;
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
  destroy?(): unknown;
}

function isEventStream(value: object): value is EventStream {
  const v = value as Partial<EventStream>;
  return typeof v.on === 'function' && typeof v.off === 'function';
}

/** A Node stream read through its events: cheaper than its async iterator on the hot path. */
function collectEvents(stream: EventStream, limit: number): Promise<Uint8Array> {
  if (stream.readableEnded) return Promise.resolve(new Uint8Array(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (error?: unknown) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (error) reject(error);
      else if (size > limit) reject(tooLarge(limit));
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onData = (piece: Buffer | string) => {
      const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > limit + DRAIN_BYTES) {
        stream.destroy?.();
        done(tooLarge(limit));
      }
    };
    const onEnd = () => done();
    // The client went away mid-body (Node: `aborted`): its request is cut short, no server fault.
    const onError = (error: Error) =>
      done(badRequest(`the request body was cut short: ${error.message}`));
    const onClose = () => done(badRequest('the request body was cut short'));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

export type Body = { raw: Uint8Array } | { parsed: unknown };

/** The body as raw bytes, or the value a body parser already decoded. */
export async function readBody(request: HttpRequest, limit: number): Promise<Body> {
  const body = request.body;
  if (body === undefined || body === null) return { raw: new Uint8Array(0) };
  const declared = Number(headerValue(request.headers, 'content-length'));
  if (declared > limit) throw tooLarge(limit);
  if (typeof body === 'string') {
    const raw = Buffer.from(body);
    if (raw.length > limit) throw tooLarge(limit);
    return { raw };
  }
  if (body instanceof Uint8Array) {
    if (body.length > limit) throw tooLarge(limit);
    return { raw: body };
  }
  if (isAsyncIterable(body)) {
    return { raw: await (isEventStream(body) ? collectEvents(body, limit) : collect(body, limit)) };
  }
  return { parsed: body };
}

export function utf8(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : 'body';
      return `json: cannot decode [${path}]: ${issue.message}`;
    })
    .join('; ');
}

/**
 * Decodes a JSON body and checks its JSON types against `schema` (unknown keys are
 * dropped). `lenient` may rescue a body that is not valid JSON.
 */
export async function decodeJson<T>(
  request: HttpRequest,
  schema: z.ZodType<T>,
  limit: number,
  lenient?: (text: string) => unknown,
): Promise<T> {
  if (!isJsonType(mediaType(request))) {
    throw badRequest('the Content-Type must be application/json');
  }
  const body = await readBody(request, limit);
  let value: unknown;
  if ('parsed' in body) {
    value = body.parsed;
  } else {
    const text = utf8(body.raw);
    try {
      value = JSON.parse(text);
    } catch (error) {
      value = lenient?.(text);
      if (value === undefined) throw badRequest(`invalid JSON: ${(error as Error).message}`);
    }
  }
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest(describeIssues(result.error));
  return result.data;
}
