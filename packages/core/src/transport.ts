/**
 * The Transport contract: how a due message reaches a phone. A transport is
 * written from this file alone.
 *
 * Writing an implementation
 * - `start(host)` is called by `gateway.start()`; the `TransportHost` is all a
 *   transport may use: wake-ups, the phone API (what phones call over the
 *   transport's own channel), key authentication, clearing a dead push token,
 *   gateway events (e.g. `message.api.canceled`, to tell the phone), key changes,
 *   a signal between nodes (`signal()` / `onSignal`: "re-read the state this
 *   transport shares through its store", e.g. events to deliver to phones held by
 *   other nodes), a few read-only lookups, the logger and the clock. `stop()` by `gateway.stop()`;
 *   a stopped transport can be started again.
 * - `reach()` says which phones this node can hand messages to right now: a list
 *   of phone ids (a WebSocket transport: the phones connected to this node), or
 *   `'any'` with `has(phone)` checking one phone (FCM: a phone with a push token).
 *   Phones listed in `busy` are linked but take no new messages for now (flow
 *   control); the transport wakes the host once they have room.
 * - `notify(phone, messages)` hands messages to the phone, or wakes it so it fetches
 *   them (FCM: one push per message), and resolves to one `NotifyOutcome` per
 *   message, in order: a message whose push failed does not hold back those that
 *   went out. A failure carries a `TransportError`: `retryable: true` when trying
 *   later may work (timeouts, 429, 5xx), false when it never will (no token,
 *   unregistered). Rejecting fails the whole batch with that error. "Handed off"
 *   starts the expiry clock. An empty batch resolves to no outcomes.
 * - `requestHeartbeat(phone)` asks the phone to post a heartbeat now.
 * - When a phone becomes reachable and `host.lookups.hasDueWork([phone.id])`,
 *   call `host.wake()` so its backlog goes out at once.
 * - Run `runTransportConformance` from `@textport/core/testing` against it.
 */
import type { Clock } from './clock.js';
import type { MessageRecord, PhoneRecord } from './domain/records.js';
import { GatewayError } from './errors.js';
import type { GatewayEventListener, GatewayEventType } from './events/events.js';
import type { Logger } from './logger.js';
import type { PhoneApi, Principal } from './phone-api.js';

/**
 * Which phones a transport can hand messages to right now. Return the same object
 * while nothing changed and a new one when something did (never change one
 * returned): the dispatcher reuses what it made of an answer it has seen.
 */
export interface Reach {
  /** The ids of the phones reachable through this node, or `'any'` (check each with `has`). */
  readonly phoneIds: readonly string[] | 'any';
  has(phone: PhoneRecord): boolean;
  /**
   * Phones of `phoneIds` that hold as much as they may take now (e.g. a socket whose
   * acks lag behind its pushes): no new messages are claimed for them. A transport
   * that sets it calls `host.wake()` once one has room again.
   */
  readonly busy?: ReadonlySet<string>;
}

/** What became of one message of a `notify` batch. */
export type NotifyOutcome = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

/** The outcome of a message handed off. */
export const HANDED_OFF: NotifyOutcome = Object.freeze({ ok: true });

/** Every message of a batch handed off. */
export function handedOffAll(messages: readonly unknown[]): NotifyOutcome[] {
  return messages.map(() => HANDED_OFF);
}

/** Read-only questions a transport may ask about phones and their messages. */
export interface TransportLookups {
  /** Every phone of an account. */
  phonesOf(accountId: string): Promise<PhoneRecord[]>;
  phoneByNumber(accountId: string, phoneNumber: string): Promise<PhoneRecord | null>;
  /** Messages handed off to the phone and not yet taken (pushed again on reconnect), oldest first. */
  handedOff(phone: PhoneRecord): Promise<MessageRecord[]>;
  /** One message of the account, whatever its status; null when there is none. */
  message(accountId: string, id: string): Promise<MessageRecord | null>;
  /** Whether any message of these phones is due now or later (worth a wake-up). */
  hasDueWork(phoneIds: readonly string[]): Promise<boolean>;
  /**
   * The numbers a phone API key serves (those it was created for, else those bound
   * to it by logins); null when the key no longer exists (revoked) or is not a phone key.
   */
  phoneKeyNumbers(accountId: string, keyId: string): Promise<string[] | null>;
}

/** Everything a transport may use, handed to `start(host)`. */
export interface TransportHost {
  /** Call when phones became reachable (or work may be due): the dispatcher looks at once. */
  wake(): void;
  /** What a phone may call over the transport's own channel. */
  readonly phoneApi: PhoneApi;
  /** Resolves an API key to who is calling; null when unknown or revoked. */
  authenticate(apiKey: string): Promise<Principal | null>;
  /**
   * Forgets a push token the push service rejected for good, through the gateway
   * (`phone.updated` fires); a token that changed meanwhile is kept. Resolves to
   * whether the token was cleared.
   */
  clearPushToken(phoneId: string, token: string): Promise<boolean>;
  /** Listens to a gateway event of this node; returns the unsubscribe. */
  subscribe<T extends GatewayEventType>(type: T, listener: GatewayEventListener<T>): () => void;
  /** Called when API keys may have been revoked or changed on any node; returns the unsubscribe. */
  onKeysChanged(listener: () => void): () => void;
  /**
   * Tells every node (this one included) that state the transport shares through
   * its own store changed: call it after the write. Payload-less and best effort
   * (a failure is logged): listeners re-read what changed, and a transport keeps a
   * slow poll of its own for a lost signal.
   */
  signal(): void;
  /** Called after `signal()` on any node; returns the unsubscribe. */
  onSignal(listener: () => void): () => void;
  readonly lookups: TransportLookups;
  readonly logger: Logger;
  readonly clock: Clock;
}

export interface Transport {
  readonly name: string;
  start(host: TransportHost): Promise<void>;
  stop(): Promise<void>;
  reach(): Reach;
  notify(phone: PhoneRecord, messages: readonly MessageRecord[]): Promise<readonly NotifyOutcome[]>;
  requestHeartbeat(phone: PhoneRecord): Promise<void>;
}

/**
 * The longest wait a transport's `retryAfterMs` can ask for before the next hand-off
 * of a message: a longer one (a broken proxy's `Retry-After`) waits this long.
 */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * A transport failure; `retryable` decides between a retry and a failed message, and
 * `retryAfterMs` (at most `MAX_RETRY_AFTER_MS`) how long a retry waits at least.
 */
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
