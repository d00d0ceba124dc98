/**
 * Inbound SMS and status reports. A stored SMS (`+CMTI`, or listed at start and after a reset)
 * is read, decoded, joined with its other parts, reported to the sink, and deleted from the
 * modem only after the sink resolved; when the sink rejects, it stays stored and is offered
 * again later. A PDU that does not decode is reported as a problem and deleted, so it cannot
 * block the storage.
 *
 * A stored message is known by its slot and its PDU: a slot can be reused once emptied, so a
 * deletion reads the slot first and deletes only the PDU that was reported.
 */
import type { RadioSink } from '../driver.js';
import type { AtChannel } from './at.js';
import { AtCommandError } from './at.js';
import { type DecodedPdu, decodePdu } from './pdu.js';
import { type Complete, Reassembler } from './reassemble.js';
import { parseRead, type StoredPdu } from './responses.js';
import { listStorage } from './setup.js';
import type { DeliveryTracker } from './tracker.js';

/** A stored PDU; null for one delivered directly (`+CMT`), which is not stored. */
export type Slot = { memory: string | null; index: number; pdu: string } | null;
type Place = { memory: string | null; index: number };

export interface InboundHost {
  /** Runs `work` with the modem to itself (after a reset when one is due). */
  exclusive<T>(work: (at: AtChannel) => Promise<T>): Promise<T>;
  sink(): RadioSink | undefined;
  readonly tracker: DeliveryTracker;
  readonly commandTimeoutMs: number;
  /** After a refused report, how long until the storage is read again. */
  readonly retryMs: number;
  now(): number;
  problem(error: Error, context: string): void;
  log(line: string): void;
}

function key(place: Place): string {
  return `${place.memory ?? ''}:${place.index}`;
}

function describe(place: Place | null): string {
  return place ? `the SMS at ${place.memory ?? 'storage'} index ${place.index}` : 'an SMS';
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export class InboundMessages {
  private queue: Promise<void> = Promise.resolve();
  /** Slot → PDU being handled (queued, being reported, or waiting for its other parts). */
  private readonly held = new Map<string, string>();
  /** Slot → PDU reported to the sink whose deletion is still due. */
  private readonly reported = new Map<string, string>();
  /** Slots with a read queued (`+CMTI` twice for one slot reads it once). */
  private readonly reading = new Set<string>();
  private readonly parts: Reassembler<Slot>;
  /** The storage `AT+CPMS` reads from now; null when unknown (then never switched). */
  private memory: string | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly host: InboundHost) {
    this.parts = new Reassembler({ now: () => host.now() });
  }

  /** What the storage holds (after a (re)set, or a rescan), and the storage reads come from. */
  listed(memory: string | null, stored: readonly StoredPdu[]): void {
    this.memory = memory;
    for (const item of stored) {
      // 2 and 3 are messages stored to send, not received.
      if (item.stat < 2) this.take({ memory, index: item.index, pdu: item.pdu });
    }
  }

  /** `+CMTI: "<memory>",<index>` / `+CDSI:`: a message was stored. */
  stored(memory: string, index: number): void {
    const place = { memory, index };
    if (this.reading.has(key(place))) return;
    this.reading.add(key(place));
    this.enqueue(() => this.read(place));
  }

  /** `+CMT:` with its PDU: delivered to us directly, not stored. */
  direct(pdu: string): void {
    this.enqueue(async () => {
      // Acknowledged when the modem wants it (AT+CSMS=1); an ERROR means it did not.
      await this.host
        .exclusive((at) => at.command('AT+CNMA', { timeoutMs: this.host.commandTimeoutMs }))
        .catch(() => {});
      await this.handle(null, pdu);
    });
  }

  /** `+CDS:` with its PDU. */
  statusReport(pdu: string): void {
    const decoded = this.decode(null, pdu);
    if (decoded?.type === 'status-report') this.settle(decoded);
    else if (decoded) this.host.problem(new Error(`+CDS carried an SMS-${decoded.type}`), '+CDS');
  }

  /** Reports the multipart messages whose missing parts are overdue. */
  sweep(): void {
    if (this.parts.size > 0) this.enqueue(() => this.expireGroups());
  }

  /** Resolves when everything queued so far is done. */
  idle(): Promise<void> {
    return this.queue;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  /** A stored PDU seen (listed or read): handled unless it already is. */
  private take(slot: NonNullable<Slot>): void {
    const k = key(slot);
    if (this.held.get(k) === slot.pdu) return;
    if (this.reported.get(k) === slot.pdu) {
      this.enqueue(() => this.remove([slot]));
      return;
    }
    this.held.set(k, slot.pdu);
    this.enqueue(() => this.handle(slot, slot.pdu));
  }

  private release(slot: Slot): void {
    if (slot && this.held.get(key(slot)) === slot.pdu) this.held.delete(key(slot));
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(async () => {
      if (this.stopped) return;
      try {
        await task();
      } catch (error) {
        this.host.problem(asError(error), 'handling an inbound SMS');
      }
    });
  }

  private async read(place: Place): Promise<void> {
    try {
      const item = await this.host.exclusive(async (at) => {
        await this.select(at, place.memory);
        const lines = await at.command(`AT+CMGR=${place.index}`, {
          timeoutMs: this.host.commandTimeoutMs,
          expect: '+CMGR:',
        });
        return parseRead(place.index, lines);
      });
      if (item) this.take({ ...place, pdu: item.pdu });
      else this.host.log(`${describe(place)} was empty`);
    } catch (error) {
      // A modem that did not answer is reset, and lists its storage again.
      this.host.problem(asError(error), `reading ${describe(place)}`);
    } finally {
      this.reading.delete(key(place));
    }
  }

  private async handle(slot: Slot, pdu: string): Promise<void> {
    const decoded = this.decode(slot, pdu);
    if (!decoded) return this.remove([slot]);
    if (decoded.type === 'status-report') {
      this.settle(decoded);
      return this.remove([slot]);
    }
    if (decoded.type === 'submit') {
      this.release(slot);
      return;
    }
    const { from, text, timestamp, concat } = decoded;
    if (concat && concat.total > 1) {
      const whole = this.parts.add({ from, concat, text, timestamp, tag: slot });
      if (whole) await this.report(whole);
    } else {
      await this.report({ from, text, timestamp, tags: [slot] });
    }
    await this.expireGroups();
  }

  /** Multipart messages that will not complete (too old, or too many open): reported as they are. */
  private async expireGroups(): Promise<void> {
    for (const partial of this.parts.expire()) {
      this.host.problem(
        new Error(
          `a multipart SMS from ${partial.from} is missing parts ${partial.missing.join(', ')}`,
        ),
        'reporting it as it is',
      );
      await this.report(partial);
    }
  }

  private decode(slot: Slot, pdu: string): DecodedPdu | null {
    try {
      return decodePdu(pdu);
    } catch (error) {
      this.host.problem(asError(error), `decoding ${describe(slot)}; deleted`);
      return null;
    }
  }

  private settle(report: Extract<DecodedPdu, { type: 'status-report' }>): void {
    const outcome = this.host.tracker.settle(report);
    this.host.log(`status report for message reference ${report.messageReference}: ${outcome}`);
  }

  private async report(message: Complete<Slot>): Promise<void> {
    const sink = this.host.sink();
    if (!sink) return;
    try {
      await sink.received({
        from: message.from,
        content: message.text,
        timestamp: message.timestamp,
        sim: 'SIM1',
      });
    } catch (error) {
      for (const slot of message.tags) this.release(slot);
      const stored = message.tags.some((slot) => slot !== null);
      this.host.problem(
        asError(error),
        stored
          ? `reporting an SMS from ${message.from}; kept in the modem and offered again`
          : `reporting an SMS from ${message.from}; it was not stored by the modem and is lost`,
      );
      if (stored) this.retryLater();
      return;
    }
    this.host.log(`received an SMS from ${message.from}`);
    await this.remove(message.tags);
  }

  /**
   * Deletes the slots that still hold the PDU reported (`AT+CMGR`, then `AT+CMGD`). One the
   * modem could not be asked about now is deleted when listed again.
   */
  private async remove(slots: readonly Slot[]): Promise<void> {
    for (const slot of slots) {
      if (!slot) continue;
      const k = key(slot);
      this.reported.set(k, slot.pdu);
      try {
        await this.host.exclusive(async (at) => {
          await this.select(at, slot.memory);
          const timeoutMs = this.host.commandTimeoutMs;
          const now = parseRead(
            slot.index,
            await at.command(`AT+CMGR=${slot.index}`, { timeoutMs, expect: '+CMGR:' }),
          );
          if (now?.pdu === slot.pdu) await at.command(`AT+CMGD=${slot.index}`, { timeoutMs });
          else this.host.log(`${describe(slot)} no longer holds the SMS reported; not deleted`);
        });
      } catch (error) {
        if (!(error instanceof AtCommandError)) {
          this.host.problem(asError(error), `deleting ${describe(slot)}; deleted when seen again`);
          continue;
        }
        // An error answer: the slot is empty or unreadable; nothing more to do with it.
        this.host.problem(error, `deleting ${describe(slot)}`);
      }
      if (this.reported.get(k) === slot.pdu) this.reported.delete(k);
      this.release(slot);
    }
  }

  private async select(at: AtChannel, memory: string | null): Promise<void> {
    if (memory === null || this.memory === null || memory === this.memory) return;
    try {
      await at.command(`AT+CPMS="${memory}"`, {
        timeoutMs: this.host.commandTimeoutMs,
        expect: '+CPMS:',
      });
      this.memory = memory;
    } catch (error) {
      if (!(error instanceof AtCommandError)) throw error;
      this.host.problem(error, `selecting the ${memory} storage`);
    }
  }

  private retryLater(): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.enqueue(() => this.rescan());
    }, this.host.retryMs);
  }

  /** Lists the storage again (what the sink refused is offered again). */
  private async rescan(): Promise<void> {
    const listing = await this.host.exclusive((at) =>
      listStorage(at, this.host.commandTimeoutMs, (error, context) =>
        this.host.problem(error, context),
      ),
    );
    this.listed(listing.memory, listing.stored);
  }
}
