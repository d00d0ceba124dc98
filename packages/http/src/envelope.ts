/**
 * The httpSMS response envelope `{status, message, data}` and the mapping of
 * errors to status codes and bodies (the error envelope in docs/http-api.md).
 */
import { type Logger, toGatewayError } from '@textport/core';
import type { HttpRequest, HttpResponse } from './types.js';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
export const MALFORMED_MESSAGE = "The request isn't properly formed";
export const UNAUTHORIZED_MESSAGE = 'You are not authorized to carry out this request.';
export const UNAUTHORIZED_DETAIL =
  'Make sure your API key is set in the [x-api-key] header in the request';
export const INTERNAL_MESSAGE = 'We ran into an internal error while handling the request.';
export const UNAVAILABLE_MESSAGE = 'The gateway cannot reach its database; try again shortly.';
/** Seconds a client is asked to wait after a 503. */
export const UNAVAILABLE_RETRY_AFTER = '5';

export function json(status: number, value: unknown): HttpResponse {
  return { status, headers: { 'content-type': JSON_CONTENT_TYPE }, body: JSON.stringify(value) };
}

/** `{status: 'success', message, data}`; `data` is left out when undefined (202 of a bulk-message upload). */
export function success(status: number, message: string, data?: unknown): HttpResponse {
  return json(
    status,
    data === undefined ? { status: 'success', message } : { status: 'success', message, data },
  );
}

export function failure(status: number, message: string, data?: unknown): HttpResponse {
  return json(
    status,
    data === undefined ? { status: 'error', message } : { status: 'error', message, data },
  );
}

export function noContent(): HttpResponse {
  return { status: 204, headers: {} };
}

/** httpSMS's naive pluralizer: `fetched 0 messages`, `fetched 1 message`. */
export function fetched(count: number, noun: string, verb = 'fetched'): string {
  return `${verb} ${count} ${count === 1 ? noun : `${noun}s`}`;
}

export function unauthorized(): HttpResponse {
  return failure(401, UNAUTHORIZED_MESSAGE, UNAUTHORIZED_DETAIL);
}

export function routeNotFound(method: string, path: string): HttpResponse {
  return failure(404, `Cannot ${method} ${path}`);
}

/**
 * The response for anything thrown while handling a request. A 5xx is logged
 * with its cause and answered with the generic httpSMS text.
 */
export function errorResponse(error: unknown, logger: Logger, request: HttpRequest): HttpResponse {
  const e = toGatewayError(error);
  const status = e.httpStatus;
  switch (e.code) {
    case 'validation':
      return failure(422, e.message, e.fields ?? {});
    case 'bad_request':
      return failure(400, MALFORMED_MESSAGE, e.detail ?? e.message);
    case 'unauthorized':
      return failure(401, e.message, e.detail ?? UNAUTHORIZED_DETAIL);
    default:
      if (status < 500) return failure(status, e.message);
  }
  logger.error({ err: error, method: request.method, path: request.path }, 'request failed');
  if (e.code === 'unavailable') {
    const response = failure(503, UNAVAILABLE_MESSAGE);
    return {
      ...response,
      headers: { ...response.headers, 'retry-after': UNAVAILABLE_RETRY_AFTER },
    };
  }
  return failure(status, INTERNAL_MESSAGE);
}
