/**
 * Which sent message a status report is about. The modem numbers each part it submits
 * (`+CMGS: <mr>`, 0–255, wrapping); a report names that number and the recipient. Entries are
 * bounded in count and age, so reports that never come cost nothing for long.
 */
import type { DeliveryReport } from '../../phone-types.js';
import { reportFailure } from './codes.js';
import type { StatusReportPdu } from './pdu.js';

export interface TrackerOptions {
  /** Parts remembered at most (default 10,000); the oldest are dropped first. */
  capacity?: number;
  /** A part is forgotten this long after it was sent (default 7 days). */
  maxAgeMs?: number;
  now: () => number;
}

interface Tracked {
  report: DeliveryReport;
  parts: number;
  delivered: Set<number>;
  /** Latest discharge time among delivered parts. */
  latest: number;
  done: boolean;
  keys: string[];
}

interface PartEntry {
  message: Tracked;
  part: number;
  sentAt: number;
}

export type ReportOutcome = 'delivered' | 'part-delivered' | 'failed' | 'pending' | 'unknown';

const DEFAULT_CAPACITY = 10_000;
const DEFAULT_MAX_AGE_MS = 7 * 24 * 60 * 60_000;
/** Digits compared when the report writes the recipient differently (national vs E.164). */
const SUFFIX_DIGITS = 8;

function digits(number: string): string {
  return number.replace(/\D/g, '');
}

function sameNumber(a: string, b: string): boolean {
  const x = digits(a);
  const y = digits(b);
  if (x === y) return true;
  const n = Math.min(SUFFIX_DIGITS, x.length, y.length);
  return n > 0 && x.slice(-n) === y.slice(-n);
}

export class DeliveryTracker {
  /** Key `<mr>/<recipient digits>`; Map order is send order. */
  private readonly parts = new Map<string, PartEntry>();
  private readonly capacity: number;
  private readonly maxAgeMs: number;

  constructor(private readonly options: TrackerOptions) {
    this.capacity = options.capacity ?? DEFAULT_CAPACITY;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  }

  get size(): number {
    return this.parts.size;
  }

  /** Remembers the parts of a message the modem accepted, `mrs` in part order. */
  track(recipient: string, mrs: readonly number[], report: DeliveryReport): void {
    const sentAt = this.options.now();
    const message: Tracked = {
      report,
      parts: mrs.length,
      delivered: new Set(),
      latest: 0,
      done: false,
      keys: [],
    };
    mrs.forEach((mr, i) => {
      const key = `${mr}/${digits(recipient)}`;
      // The same reference to the same number again: the newer send wins.
      this.parts.delete(key);
      this.parts.set(key, { message, part: i + 1, sentAt });
      message.keys.push(key);
    });
    this.prune();
  }

  /** Settles the part the report is about; the message's report is called once, when it is decided. */
  settle(status: StatusReportPdu): ReportOutcome {
    this.prune();
    const key = this.find(status.messageReference, status.recipient);
    if (!key) return 'unknown';
    const entry = this.parts.get(key)!;
    const message = entry.message;
    if (message.done) return 'unknown';
    if (status.outcome === 'pending') return 'pending';
    if (status.outcome === 'failed') {
      this.finish(message);
      message.report.failed(reportFailure(status.status), status.dischargedAt);
      return 'failed';
    }
    message.delivered.add(entry.part);
    message.latest = Math.max(message.latest, status.dischargedAt.getTime());
    this.parts.delete(key);
    if (message.delivered.size < message.parts) return 'part-delivered';
    this.finish(message);
    message.report.delivered(new Date(message.latest));
    return 'delivered';
  }

  private find(mr: number, recipient: string): string | undefined {
    const exact = `${mr}/${digits(recipient)}`;
    if (this.parts.has(exact)) return exact;
    // Newest first: a reference wraps after 256 parts.
    const keys = [...this.parts.keys()].reverse();
    return keys.find((key) => {
      const [ref, number] = key.split('/') as [string, string];
      return Number(ref) === mr && sameNumber(number, recipient);
    });
  }

  private finish(message: Tracked): void {
    message.done = true;
    for (const key of message.keys) {
      if (this.parts.get(key)?.message === message) this.parts.delete(key);
    }
  }

  private prune(): void {
    const cutoff = this.options.now() - this.maxAgeMs;
    for (const [key, entry] of this.parts) {
      if (this.parts.size <= this.capacity && entry.sentAt >= cutoff) break;
      this.parts.delete(key);
    }
  }
}
