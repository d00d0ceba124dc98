/**
 * The SENT, DELIVERED and FAILED reports the phone still owes the server. A report the server
 * could not take for a transient reason (a server-side fault, no reply in time) is sent again
 * with backoff until it is answered, refused for good, or out of tries; one waiting for its next
 * try goes at once after a new `welcome`. The reports of one message go one at a time, in the
 * order they were made, so at most one is in flight per message and a `DELIVERED` never
 * overtakes its `SENT`. Pending reports are bounded: beyond `capacity` messages the oldest
 * message's reports are dropped (its retry after expiry is answered from the journal).
 */
import type { GatewayErrorCode, RetryPolicy } from '@textport/core';
import { GATEWAY_ERROR_CODES, GatewayError, isServerFault, retryDelay } from '@textport/core';
import { DisconnectedError, PhoneRequestError } from './link.js';

export type ReportedEvent = 'SENT' | 'DELIVERED' | 'FAILED';

export interface ReportOptions {
  reason?: string;
  at?: Date | number;
}

/** How a report the server could not take is tried again. */
export interface ReportRetryPolicy extends RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
}

export const DEFAULT_REPORT_RETRY_POLICY: ReportRetryPolicy = Object.freeze({
  minDelayMs: 1000,
  maxDelayMs: 30_000,
  multiplier: 2,
  jitter: 0.2,
  attempts: 10,
});

/** Whether sending the report again may succeed: a server-side fault or no reply in time. */
export function isRetryableReportError(error: unknown): boolean {
  if (error instanceof DisconnectedError) return true;
  if (!(error instanceof PhoneRequestError) || !(error.code in GATEWAY_ERROR_CODES)) return false;
  return isServerFault(new GatewayError(error.code as GatewayErrorCode, error.message));
}

export interface ReportsHost {
  /** Sends one report; rejects with the server's error or a `DisconnectedError`. */
  send(messageId: string, event: ReportedEvent, options: ReportOptions): Promise<unknown>;
  /** A report given up on: out of tries, or dropped beyond the bound. */
  gaveUp(error: unknown, context: string): void;
  /** Whether the client was closed: nothing more is sent. */
  closed(): boolean;
  random(): number;
}

interface Owed {
  event: ReportedEvent;
  options: ReportOptions;
}

interface MessageReports {
  owed: Owed[];
  /** Set while the next try waits for its backoff. */
  wake?: () => void;
  timer?: NodeJS.Timeout;
}

export class PendingReports {
  private readonly messages = new Map<string, MessageReports>();

  constructor(
    private readonly capacity: number,
    private readonly policy: ReportRetryPolicy,
    private readonly host: ReportsHost,
  ) {}

  /** Queues a report; an identical one already owed for the message is not sent twice. */
  report(messageId: string, event: ReportedEvent, options: ReportOptions = {}): void {
    const queued = this.messages.get(messageId);
    if (queued) {
      if (!queued.owed.some((o) => o.event === event)) queued.owed.push({ event, options });
      return;
    }
    const entry: MessageReports = { owed: [{ event, options }] };
    this.messages.set(messageId, entry);
    if (this.messages.size > this.capacity) this.dropOldest();
    void this.run(messageId, entry);
  }

  /** The link is back: the reports waiting for their next try go now. */
  resumed(): void {
    for (const entry of this.messages.values()) entry.wake?.();
  }

  /** Reports still owed (waiting or in flight), for every message. */
  get size(): number {
    let n = 0;
    for (const entry of this.messages.values()) n += entry.owed.length;
    return n;
  }

  /** Stops the waiting tries (the client closes). */
  clear(): void {
    for (const entry of this.messages.values()) {
      clearTimeout(entry.timer);
      entry.wake?.();
    }
    this.messages.clear();
  }

  private dropOldest(): void {
    const [oldest, entry] = this.messages.entries().next().value ?? [];
    if (oldest === undefined || !entry) return;
    this.messages.delete(oldest);
    clearTimeout(entry.timer);
    entry.wake?.();
    this.host.gaveUp(new Error('too many reports pending'), `reports of ${oldest}`);
  }

  private async run(messageId: string, entry: MessageReports): Promise<void> {
    while (this.messages.get(messageId) === entry && entry.owed.length > 0) {
      const owed = entry.owed[0] as Owed;
      await this.deliver(messageId, entry, owed);
      entry.owed.shift();
    }
    if (this.messages.get(messageId) === entry) this.messages.delete(messageId);
  }

  /** Sends one report until it is answered, refused for good, or out of tries. */
  private async deliver(messageId: string, entry: MessageReports, owed: Owed): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (this.host.closed() || this.messages.get(messageId) !== entry) return;
      try {
        await this.host.send(messageId, owed.event, owed.options);
        return;
      } catch (error) {
        // A refusal for good was reported already; a transient failure may still pass.
        if (!isRetryableReportError(error)) return;
        if (attempt >= this.policy.attempts) {
          this.host.gaveUp(error, `event ${owed.event} of ${messageId} (given up)`);
          return;
        }
      }
      await new Promise<void>((resolve) => {
        entry.wake = resolve;
        entry.timer = setTimeout(resolve, retryDelay(attempt, this.policy, this.host.random()));
        entry.timer.unref?.();
      });
      clearTimeout(entry.timer);
      entry.wake = undefined;
    }
  }
}
