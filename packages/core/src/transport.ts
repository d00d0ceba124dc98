/**
 * The Transport contract: how a due message reaches a phone.
 *
 * Writing an implementation
 * - `reachablePhones()` says which phones this node can hand messages to: a list of
 *   phone ids (a WebSocket transport: the phones connected to this node), or `'all'`
 *   (FCM: any phone, checked per phone by `canReach`).
 * - `notify(phone, messages)` hands messages to the phone, or wakes it so it fetches
 *   them (FCM: one `KEY_MESSAGE_ID` push per message). Throw `TransportError` on
 *   failure: `retryable: true` when trying later may work (timeouts, 429, 5xx),
 *   false when it never will (no token, unregistered); the dispatcher retries or
 *   fails the message accordingly. Resolving means "handed off": the expiry clock runs.
 * - `requestHeartbeat(phone)` asks the phone to post a heartbeat now.
 * - Phones answer through the gateway's phone API (`takeOutstanding`, `reportEvent`,
 *   `receive`, `heartbeat`) over HTTP or over the transport's own channel.
 * - `start(host)` is called by `gateway.start()`; `stop()` by `gateway.stop()`.
 * - Run `runTransportConformance` from `@textport/core/testing` against it.
 */
import type { MessageRecord, PhoneRecord } from './domain/records.js';
import { GatewayError } from './errors.js';

export interface TransportHost {
  /** Call when phones became reachable (or work may be due): the dispatcher looks at once. */
  wake(): void;
}

export interface Transport {
  readonly name: string;
  start(host: TransportHost): Promise<void>;
  stop(): Promise<void>;
  reachablePhones(): readonly string[] | 'all';
  /** Whether this transport can hand messages to `phone` right now. */
  canReach(phone: PhoneRecord): boolean;
  notify(phone: PhoneRecord, messages: readonly MessageRecord[]): Promise<void>;
  requestHeartbeat(phone: PhoneRecord): Promise<void>;
  /** Optional: tell the phone a message it holds was canceled. */
  cancel?(phone: PhoneRecord, message: MessageRecord): Promise<void>;
}

/** A transport failure; `retryable` decides between a retry and a failed message. */
export class TransportError extends GatewayError {
  constructor(
    message: string,
    options: { retryable: boolean; cause?: unknown; retryAfterMs?: number },
  ) {
    super('transport', message, { retryable: options.retryable, cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
  }
  readonly retryAfterMs: number | undefined;
}

/** Error codes (Node system errors, HTTP statuses) after which a retry may succeed. */
export const RETRYABLE_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'HTTP_408',
  'HTTP_429',
  'HTTP_500',
  'HTTP_502',
  'HTTP_503',
  'HTTP_504',
]);

/** Classifies anything a transport threw: TransportError as is, else by error code. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof TransportError) return error.retryable;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_ERROR_CODES.has(code);
}
