/**
 * What the phone does with each message the server pushes: it acks it (which moves it to
 * `sending`), hands it to the `SmsSender` once, in push order, and reports SENT, DELIVERED or
 * FAILED. Duplicates are dropped by id; a message the journal already holds (pushed again after
 * a restart) is acked and reported from the journal, never handed to the sender again. A retry
 * of a message taken in this run (a later attempt: it expired before its report was applied)
 * is acked too, and reported from the journal or by the send still under way. A report the
 * server could not take for a transient reason is sent again with backoff (reports.ts).
 */
import type { EventEmitter } from 'node:events';
import type { WireMessage } from '@textport/core';
import { decrypt } from '@textport/core';
import type { ResultData } from '../protocol.js';
import { BoundedMap } from './bounded-set.js';
import type { JournalEntry, SendJournal } from './journal.js';
import { MemoryJournal } from './journal.js';
import type { PhoneLink } from './link.js';
import type {
  DeliveryReport,
  OutgoingSms,
  PhoneClientEvents,
  PhoneClientOptions,
  SendResult,
} from './phone-types.js';
import type { ReportedEvent, ReportOptions } from './reports.js';
import { DEFAULT_REPORT_RETRY_POLICY, PendingReports } from './reports.js';

export const NO_ENCRYPTION_KEY =
  'Outgoing message is encrypted but mobile app has no encryption key';
export const CANNOT_DECRYPT =
  'Cannot decrypt the outgoing message. Check your encryption key on the Android app.';
/** The FAILED reason for a message the radio had when an earlier run of the phone stopped. */
export const INTERRUPTED =
  'The phone stopped while sending this message; it is not sent again, to avoid a duplicate';

/** What `PushedMessages` needs of the `PhoneClient` it works for. */
export interface PushedHost {
  /** The client, whose events are emitted. */
  readonly events: EventEmitter<PhoneClientEvents>;
  /** Reports SENT, DELIVERED or FAILED once; waits for a connection when offline. */
  reportEvent(messageId: string, event: ReportedEvent, options?: ReportOptions): Promise<unknown>;
  /** Emits `problem` without letting a throwing listener break the send queue. */
  report(error: unknown, context: string): void;
  /** Whether the client was closed: nothing more goes to the sender. */
  closed(): boolean;
}

function ackOf(message: WireMessage) {
  return { type: 'ack', message_id: message.id, attempt: message.send_attempt_count };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

/** The pushed messages of one `PhoneClient`: acked, deduplicated, journaled, sent one at a time. */
export class PushedMessages {
  /** The messages taken in this run: message id → the attempt acked. */
  private readonly seen: BoundedMap<string, number>;
  private readonly journal: SendJournal;
  private readonly acking = new Set<string>();
  private sending: Promise<void> = Promise.resolve();
  private readonly reports: PendingReports;

  constructor(
    private readonly link: PhoneLink,
    private readonly options: PhoneClientOptions,
    private readonly host: PushedHost,
  ) {
    this.seen = new BoundedMap(options.dedupeSize ?? 10_000);
    this.journal = options.journal ?? new MemoryJournal(options.dedupeSize ?? 10_000);
    this.reports = new PendingReports(
      options.dedupeSize ?? 10_000,
      { ...DEFAULT_REPORT_RETRY_POLICY, ...options.reportRetry },
      {
        send: (messageId, event, reportOptions) =>
          host.reportEvent(messageId, event, reportOptions),
        gaveUp: (error, context) => host.report(error, context),
        closed: () => host.closed(),
        random: options.random ?? Math.random,
      },
    );
  }

  /** The link is back: reports waiting for their next try go now. */
  resumed(): void {
    this.reports.resumed();
  }

  /** The client closes: reports still owed are left to the gateway's retry and the journal. */
  close(): void {
    this.reports.clear();
  }

  /** A pushed `message` frame: acked once, then queued for the sender (or recovered). */
  received(message: WireMessage): void {
    const taken = this.seen.get(message.id);
    const earlier = taken === undefined ? this.journal.get(message.id) : undefined;
    const duplicate = taken !== undefined || this.acking.has(message.id) || !!earlier;
    this.host.events.emit('push', message, duplicate);
    if (this.acking.has(message.id)) return;
    if (earlier) {
      this.recover(message, earlier);
      return;
    }
    if (taken !== undefined && message.send_attempt_count > taken) {
      this.retake(message);
      return;
    }
    if (duplicate) return;
    this.acking.add(message.id);
    this.link
      .request<ResultData['ack']>(ackOf(message), true)
      .then(
        (data) => {
          this.seen.set(message.id, message.send_attempt_count);
          this.sending = this.sending
            .then(() => this.deliver(data.message))
            .catch((error: unknown) => this.host.report(error, `send of ${message.id}`));
        },
        (error: unknown) => this.host.report(error, `ack of ${message.id}`),
      )
      .finally(() => this.acking.delete(message.id));
  }

  /**
   * A message an earlier run took (it was pushed again: a retry after it expired, or
   * its report was lost with that run). Take it and report what the journal knows;
   * never hand it to the radio again.
   */
  private recover(message: WireMessage, entry: JournalEntry): void {
    this.take(message, () => {
      this.host.events.emit('recovered', message.id, entry);
      if (entry.state === 'sending') this.fail(message.id, INTERRUPTED);
      else this.replay(message.id, entry);
    });
  }

  /**
   * A later attempt of a message taken in this run: it expired before its report was
   * applied. Take it again; what the journal says is final is reported again, and a
   * message still queued or with the radio is reported when the radio answers.
   */
  private retake(message: WireMessage): void {
    this.take(message, () => {
      const entry = this.journal.get(message.id);
      if (entry && entry.state !== 'sending') this.replay(message.id, entry);
    });
  }

  /** Acks a message pushed again; `taken` runs once the ack is answered. */
  private take(message: WireMessage, taken: () => void): void {
    this.acking.add(message.id);
    this.link
      .request<ResultData['ack']>(ackOf(message), true)
      .then(
        () => {
          this.seen.set(message.id, message.send_attempt_count);
          taken();
        },
        (error: unknown) => this.host.report(error, `ack of ${message.id}`),
      )
      .finally(() => this.acking.delete(message.id));
  }

  /** Reports the final outcome the journal holds. */
  private replay(messageId: string, entry: JournalEntry): void {
    if (entry.state === 'failed') {
      this.fail(messageId, entry.reason ?? 'GENERIC_FAILURE');
      return;
    }
    const at = entry.at || undefined;
    this.reports.report(messageId, 'SENT', { at });
    if (entry.state === 'delivered') this.reports.report(messageId, 'DELIVERED', { at });
  }

  private note(messageId: string, state: JournalEntry['state'], reason?: string): void {
    try {
      this.journal.record(messageId, { state, at: Date.now(), ...(reason ? { reason } : {}) });
    } catch (error) {
      this.host.report(error, `journal of ${messageId}`);
    }
  }

  /** Decrypts, hands the SMS to the sender once, and reports the outcome. */
  private async deliver(message: WireMessage): Promise<void> {
    if (this.host.closed()) return;
    let content = message.content;
    if (message.encrypted) {
      const key = this.options.encryptionKey;
      if (!key) return this.fail(message.id, NO_ENCRYPTION_KEY);
      try {
        content = decrypt(key, content);
      } catch {
        return this.fail(message.id, CANNOT_DECRYPT);
      }
    }
    const sms: OutgoingSms = {
      id: message.id,
      from: message.owner,
      to: message.contact,
      content,
      sim: message.sim,
      attachments: message.attachments,
      message,
    };
    let reported = false;
    const held: (() => void)[] = [];
    const later = (fn: () => void) => (reported ? fn() : held.push(fn));
    const report: DeliveryReport = {
      delivered: (at) =>
        later(() => {
          this.note(message.id, 'delivered');
          this.host.events.emit('delivered', message.id);
          this.reports.report(message.id, 'DELIVERED', { at });
        }),
      failed: (reason, at) =>
        later(() => {
          this.note(message.id, 'failed', reason);
          this.reports.report(message.id, 'FAILED', { reason, at });
        }),
    };
    let result: SendResult;
    this.note(message.id, 'sending');
    try {
      result = await this.options.sender.send(sms, report);
    } catch (error) {
      result = { ok: false, reason: errorText(error) };
    }
    if (result.ok) {
      this.note(message.id, 'sent');
      this.host.events.emit('sent', sms);
      this.reports.report(message.id, 'SENT');
    } else {
      this.fail(message.id, result.reason);
    }
    reported = true;
    for (const fn of held) fn();
  }

  private fail(messageId: string, reason: string): void {
    this.note(messageId, 'failed', reason);
    this.host.events.emit('failed', messageId, reason);
    this.reports.report(messageId, 'FAILED', { reason });
  }
}
