/**
 * FCM failures, read from an HTTP v1 error response or a firebase-admin error, and
 * the decision each one leads to (see the table in the README).
 */
import { MAX_RETRY_AFTER_MS, RETRYABLE_ERROR_CODES } from '@textport/core/transport';

/** What went wrong with one push, whichever way it was sent. */
export interface FcmFailure {
  /** FCM's `errorCode` (`UNREGISTERED`, `QUOTA_EXCEEDED`, …), else the Google status, else `HTTP_<n>` or a network code. */
  code: string;
  message: string;
  /** HTTP status of the answer; null when none came (network error, timeout). */
  httpStatus: number | null;
  /** The server's `Retry-After`, in milliseconds from now. */
  retryAfterMs: number | undefined;
  /** The failure is about the registration token itself (not the payload or the project). */
  aboutToken: boolean;
}

/** A push that did not go through; `failure` says why. */
export class FcmSendError extends Error {
  override readonly name = 'FcmSendError';
  constructor(
    readonly failure: FcmFailure,
    options?: { cause?: unknown },
  ) {
    super(failure.message, options);
  }
}

/**
 * `Retry-After` as milliseconds from `now`: delta seconds (`7`) or an HTTP date
 * (`Wed, 21 Oct 2026 07:28:00 GMT`), at most `MAX_RETRY_AFTER_MS` (the longest wait a
 * transport may ask for). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, MAX_RETRY_AFTER_MS);
  // An HTTP date starts with the day name (`Sun, 06 Nov 1994 08:49:37 GMT`).
  const at = /^[A-Za-z]{3}/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}

interface GoogleErrorBody {
  error?: {
    code?: number;
    message?: string;
    status?: string;
    details?: { '@type'?: string; errorCode?: string; fieldViolations?: { field?: string }[] }[];
  };
}

const FCM_ERROR_TYPE = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
const TOKEN_PATTERN = /registration token/i;

function isObject<T>(value: T): value is T & object {
  return typeof value === 'object' && value !== null;
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Reads an HTTP v1 error answer (`{ error: { status, message, details } }`). */
export function failureFromResponse(
  status: number,
  retryAfter: string | null,
  body: string,
  now: number,
): FcmFailure {
  let parsed: GoogleErrorBody = {};
  try {
    parsed = JSON.parse(body) as GoogleErrorBody;
  } catch {
    // A proxy's HTML page or an empty body: the status says enough.
  }
  const found = typeof parsed === 'object' && parsed !== null ? parsed.error : undefined;
  const error = typeof found === 'object' && found !== null ? found : undefined;
  const details = (Array.isArray(error?.details) ? error.details : []).filter(isObject);
  const fcmCode = stringOr(details.find((d) => d['@type'] === FCM_ERROR_TYPE)?.errorCode);
  const tokenViolation = details.some(
    (d) =>
      Array.isArray(d.fieldViolations) &&
      d.fieldViolations.some((v) => isObject(v) && v.field === 'message.token'),
  );
  const message = stringOr(error?.message) ?? (body.trim().slice(0, 200) || `HTTP ${status}`);
  return {
    code: fcmCode ?? stringOr(error?.status) ?? `HTTP_${status}`,
    message,
    httpStatus: status,
    retryAfterMs: parseRetryAfter(retryAfter, now),
    aboutToken: fcmCode === 'UNREGISTERED' || tokenViolation || TOKEN_PATTERN.test(message),
  };
}

/** firebase-admin's `messaging/*` codes, mapped back to FCM's error codes. */
const ADMIN_CODES: Readonly<Record<string, string>> = {
  'messaging/registration-token-not-registered': 'UNREGISTERED',
  'messaging/invalid-registration-token': 'INVALID_ARGUMENT',
  'messaging/invalid-argument': 'INVALID_ARGUMENT',
  'messaging/message-rate-exceeded': 'QUOTA_EXCEEDED',
  'messaging/device-message-rate-exceeded': 'QUOTA_EXCEEDED',
  'messaging/server-unavailable': 'UNAVAILABLE',
  'messaging/internal-error': 'INTERNAL',
  'messaging/unknown-error': 'UNAVAILABLE',
  'messaging/mismatched-credential': 'SENDER_ID_MISMATCH',
  'messaging/third-party-auth-error': 'THIRD_PARTY_AUTH_ERROR',
  'messaging/authentication-error': 'UNAUTHENTICATED',
  'messaging/payload-size-limit-exceeded': 'INVALID_ARGUMENT',
  'app/network-error': 'UNAVAILABLE',
  'app/network-timeout': 'UNAVAILABLE',
};

function headerOf(headers: unknown, name: string): string | null {
  if (typeof headers !== 'object' || headers === null) return null;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') return (get.call(headers, name) as string | null) ?? null;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : null;
}

/** Reads what an injected firebase-admin `Messaging` threw. */
export function failureFromAdminError(error: unknown, now: number): FcmFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    message?: unknown;
    httpResponse?: { status?: unknown; headers?: unknown };
  };
  const rawCode = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : String(error);
  const code = ADMIN_CODES[rawCode] ?? (rawCode || 'UNKNOWN');
  const status = e.httpResponse?.status;
  return {
    code,
    message,
    httpStatus: typeof status === 'number' ? status : null,
    retryAfterMs: parseRetryAfter(headerOf(e.httpResponse?.headers, 'retry-after'), now),
    aboutToken:
      code === 'UNREGISTERED' ||
      rawCode === 'messaging/invalid-registration-token' ||
      (code === 'INVALID_ARGUMENT' && TOKEN_PATTERN.test(message)),
  };
}

/** FCM asks for at least a minute before retrying after `QUOTA_EXCEEDED`. */
export const QUOTA_BACKOFF_MS = 60_000;

/** Codes after which a retry may work; `NETWORK` and `TIMEOUT` are ours (no answer came). */
const RETRYABLE_CODES = new Set([
  'UNAVAILABLE',
  'INTERNAL',
  'QUOTA_EXCEEDED',
  'UNAUTHENTICATED',
  'NETWORK',
  'TIMEOUT',
  ...RETRYABLE_ERROR_CODES,
]);

/** Codes a retry cannot fix, whatever their HTTP status (`THIRD_PARTY_AUTH_ERROR` comes as a 401). */
const PERMANENT_CODES = new Set([
  'INVALID_ARGUMENT',
  'SENDER_ID_MISMATCH',
  'THIRD_PARTY_AUTH_ERROR',
  'PERMISSION_DENIED',
]);

function retryableStatus(status: number | null): boolean {
  return status === 401 || status === 408 || status === 429 || (status !== null && status >= 500);
}

/** What to do about a failure. */
export type FcmVerdict =
  /** The phone's token is dead: clear it and fail the message. */
  | { kind: 'invalid-token'; code: 'UNREGISTERED' | 'INVALID_ARGUMENT' }
  /** Try again later (after `retryAfterMs` when given). */
  | { kind: 'retry'; retryAfterMs: number | undefined }
  /** Trying again will not help. */
  | { kind: 'fail' };

export function judge(failure: FcmFailure): FcmVerdict {
  const { code, httpStatus } = failure;
  if (code === 'UNREGISTERED') return { kind: 'invalid-token', code };
  if (code === 'INVALID_ARGUMENT' && failure.aboutToken) return { kind: 'invalid-token', code };
  if (PERMANENT_CODES.has(code)) return { kind: 'fail' };
  if (code === 'QUOTA_EXCEEDED') {
    return { kind: 'retry', retryAfterMs: failure.retryAfterMs ?? QUOTA_BACKOFF_MS };
  }
  if (RETRYABLE_CODES.has(code) || retryableStatus(httpStatus)) {
    return { kind: 'retry', retryAfterMs: failure.retryAfterMs };
  }
  return { kind: 'fail' };
}
