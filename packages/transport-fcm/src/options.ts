/**
 * Options of `fcmTransport()`, checked once at construction: every problem is
 * reported at once, each with what to do about it.
 */
import type { Clock, Logger, PhoneRecord } from '@textport/core';
import { consoleLogger, GatewayError, systemClock } from '@textport/core';
import type { ServiceAccount, ServiceAccountCredentials } from './credentials.js';
import { loadServiceAccount } from './credentials.js';
import type { MessagingLike } from './senders.js';

export const DEFAULT_FCM_ENDPOINT = 'https://fcm.googleapis.com';

/** Told when FCM says a phone's token is dead (`UNREGISTERED`, or `INVALID_ARGUMENT` on the token). */
export interface InvalidTokenEvent {
  phone: PhoneRecord;
  token: string;
  code: 'UNREGISTERED' | 'INVALID_ARGUMENT';
  /**
   * Whether the token was cleared through the gateway (false if the phone registered
   * a new one meanwhile, or before the transport was started).
   */
  cleared: boolean;
}

export interface FcmTransportOptions {
  /**
   * The service-account JSON (the object, or the path of the file) of the Firebase
   * project the Android app was built with. Give this or `messaging`.
   */
  credentials?: ServiceAccountCredentials | string;
  /** A firebase-admin `Messaging` (`getMessaging(app)`) to send through instead of our own HTTP client. */
  messaging?: MessagingLike;
  /** The Firebase project; default `project_id` of the credentials. */
  projectId?: string;
  /** FCM's base URL (with `credentials`); a local stand-in in tests. Default `https://fcm.googleapis.com`. */
  endpoint?: string;
  /** Called after a dead token was seen and cleared through the gateway (`phone.updated` fires). */
  onInvalidToken?: (event: InvalidTokenEvent) => void | Promise<void>;
  /** Pushes in flight at once, over all phones. Default 50. */
  concurrency?: number;
  /** Timeout of one HTTP request (push or token), in milliseconds. Default 10 000. */
  timeoutMs?: number;
  /** Time source for token expiry, JWT claims and `Retry-After` dates; pass the gateway's clock. */
  clock?: Clock;
  /** The `fetch` to use (default: Node's global fetch, which keeps connections alive). */
  fetch?: typeof fetch;
  logger?: Logger;
}

export interface ResolvedFcmOptions {
  account: ServiceAccount | null;
  messaging: MessagingLike | null;
  projectId: string;
  endpoint: string;
  onInvalidToken: FcmTransportOptions['onInvalidToken'] | null;
  concurrency: number;
  timeoutMs: number;
  clock: Clock;
  fetch: typeof fetch;
  logger: Logger;
}

function isFunction(value: unknown, method?: string): boolean {
  if (method === undefined) return typeof value === 'function';
  return typeof (value as Record<string, unknown> | null)?.[method] === 'function';
}

function integer(value: number | undefined, fallback: number, min: number, max: number) {
  const n = value ?? fallback;
  return Number.isInteger(n) && n >= min && n <= max ? n : null;
}

function endpointOf(value: string | undefined, problems: string[]): string {
  const endpoint = (value ?? DEFAULT_FCM_ENDPOINT).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(endpoint) || !URL.canParse(endpoint)) {
    problems.push(`endpoint: must be an http(s) URL such as ${DEFAULT_FCM_ENDPOINT}`);
  }
  return endpoint;
}

function checkHooks(input: FcmTransportOptions, problems: string[]): void {
  if (input.onInvalidToken !== undefined && !isFunction(input.onInvalidToken)) {
    problems.push('onInvalidToken: must be a function');
  }
  if (input.clock !== undefined && !isFunction(input.clock, 'now')) {
    problems.push('clock: must be an object with a now() method returning epoch milliseconds');
  }
  if (input.fetch !== undefined && !isFunction(input.fetch))
    problems.push('fetch: must be a function');
}

/** Calls `fn` unbound, as a plain function: a `fetch` must never see the options object as `this`. */
function boundFetch(fn: typeof fetch): typeof fetch {
  return (url, init) => fn(url, init);
}

export function resolveOptions(input: FcmTransportOptions): ResolvedFcmOptions {
  const problems: string[] = [];
  const hasCredentials = input.credentials !== undefined && input.credentials !== null;
  const hasMessaging = input.messaging !== undefined && input.messaging !== null;
  if (hasCredentials === hasMessaging) {
    problems.push(
      hasCredentials
        ? 'credentials / messaging: give one of them, not both'
        : 'credentials: pass the service-account JSON (object or file path) of the Firebase project the Android app was built with, or messaging: getMessaging(app) from firebase-admin',
    );
  }
  if (hasMessaging && !isFunction(input.messaging, 'send')) {
    problems.push(
      'messaging: must have a send(message) method, like firebase-admin getMessaging(app)',
    );
  }
  const account =
    hasCredentials && input.credentials ? loadServiceAccount(input.credentials, problems) : null;
  const concurrency = integer(input.concurrency, 50, 1, 1000);
  if (concurrency === null) problems.push('concurrency: must be an integer from 1 to 1000');
  const timeoutMs = integer(input.timeoutMs, 10_000, 100, 300_000);
  if (timeoutMs === null) problems.push('timeoutMs: must be an integer from 100 to 300000');
  const endpoint = endpointOf(input.endpoint, problems);
  checkHooks(input, problems);
  if (problems.length > 0) {
    const list = problems.map((p) => `  - ${p}`).join('\n');
    throw new GatewayError('config', `Invalid FCM transport configuration:\n${list}`);
  }
  return {
    account,
    messaging: hasMessaging ? (input.messaging ?? null) : null,
    projectId: input.projectId ?? account?.projectId ?? '',
    endpoint,
    onInvalidToken: input.onInvalidToken ?? null,
    concurrency: concurrency ?? 50,
    timeoutMs: timeoutMs ?? 10_000,
    clock: input.clock ?? systemClock,
    fetch: boundFetch(input.fetch ?? globalThis.fetch),
    logger: input.logger ?? consoleLogger,
  };
}
