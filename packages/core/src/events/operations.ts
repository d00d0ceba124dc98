/**
 * Operational events: what the engine did, for metrics and logs (`gateway.operations`).
 * They are not the httpSMS domain events of events.ts (no webhooks, no payload
 * contract): they carry counts, durations and outcomes, and no message content.
 * Nothing is built when nobody listens; a listener that throws never reaches the engine.
 */
import { EventEmitter } from 'eventemitter3';
import type { MessageStatus } from '../lifecycle/status.js';

export interface OperationEventData {
  /** Messages handed to a transport (one event a message). */
  'dispatch.handoff': {
    accountId: string;
    messageId: string;
    /** The phone number that sends the message. */
    owner: string;
    /** The transport's name, or null when no transport reaches the phone. */
    transport: string | null;
    /** Milliseconds from the API request to this hand-off. */
    sinceRequestMs: number;
    ok: boolean;
    /** With `ok: false`: whether the hand-off will be tried again. */
    retryable: boolean;
    error: unknown;
  };
  /** One dispatch round that claimed rows. */
  'dispatch.round': { claimed: number; durationMs: number };
  /**
   * A committed status change of a message. `from` is null when the message was
   * created, and when a phone took it (the atomic take moves it from pending,
   * scheduled or expired without saying which).
   */
  'message.status': {
    accountId: string;
    messageId: string;
    from: MessageStatus | null;
    to: MessageStatus;
    /** With `sent` and `delivered`: milliseconds from the API request to the phone's report. */
    sinceRequestMs: number | null;
  };
  /** One webhook delivery attempt and what came of it. */
  'webhook.attempt': {
    webhookId: string;
    eventType: string;
    /** `retry`: tried again later; `gave_up`: attempts used up; `failed`: never retried. */
    outcome: 'delivered' | 'failed' | 'retry' | 'gave_up';
    /** The receiver's HTTP status, when it answered. */
    httpStatus: number | null;
    error: string | null;
    durationMs: number;
  };
  /**
   * A background loop's store work failed (it tries again on its next round).
   * `operation`: `dispatch.round`, `dispatch.stranded`, `heartbeat.check`,
   * `webhook.round`, `webhook.bookkeeping` or `webhook.release`.
   */
  'store.error': { operation: string; error: unknown };
}

export type OperationEventType = keyof OperationEventData;

export type OperationListener<T extends OperationEventType> = (data: OperationEventData[T]) => void;

type OperationMap = { [T in OperationEventType]: [OperationEventData[T]] };

/** A typed emitter whose listeners cannot break the engine (errors go to `onListenerError`). */
export class OperationsEmitter extends EventEmitter<OperationMap> {
  constructor(private readonly onListenerError: (error: unknown, type: string) => void) {
    super();
  }

  /** Whether anyone listens: callers skip building the event when nobody does. */
  has(type: OperationEventType): boolean {
    return this.listenerCount(type) > 0;
  }

  /** Tells the listeners; never throws. `data` may be a thunk, built only when someone listens. */
  report<T extends OperationEventType>(
    type: T,
    data: OperationEventData[T] | (() => OperationEventData[T]),
  ): void {
    if (!this.has(type)) return;
    const value = typeof data === 'function' ? data() : data;
    for (const listener of this.listeners(type)) {
      try {
        (listener as (d: OperationEventData[T]) => unknown)(value);
      } catch (error) {
        this.onListenerError(error, type);
      }
    }
  }
}

/** What embedders subscribe to: `gateway.operations.on('dispatch.handoff', …)`. */
export interface GatewayOperations {
  on<T extends OperationEventType>(type: T, listener: OperationListener<T>): GatewayOperations;
  off<T extends OperationEventType>(type: T, listener: OperationListener<T>): GatewayOperations;
}
