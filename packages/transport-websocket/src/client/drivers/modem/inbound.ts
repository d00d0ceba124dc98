/**
 * Inbound SMS and status reports. A stored SMS (`+CMTI`, or listed at start) is read, decoded,
 * joined with its other parts, reported to the sink and deleted from the modem only after the
 * sink resolved; when the sink rejects it stays stored and is offered again later. A PDU that
 * does not decode is reported as a problem and deleted, so it cannot block the storage.
 */
import type { RadioSink } from '../driver.js';
import type { AtChannel } from './at.js';
import { AtCommandError } from './at.js';
import { type DecodedPdu, decodePdu } from './pdu.js';
import { type Complete, Reassembler } from './reassemble.js';
import { parseRead, type StoredPdu } from './responses.js';
import { listStorage } from './setup.js';
import type { DeliveryTracker } from './tracker.js';

/** Where a part is stored; null for one delivered directly (`+CMT`), which is not stored. */
export type Slot = { memory: string | null; index: number } | null;

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

function key(slot: { memory: string | null; index: number }): string {
  return `${slot.memory ?? ''}:${slot.index}`;
}

function describe(slot: Slot): string {
  return slot ? `the SMS at ${slot.memory ?? 'storage'} index ${slot.index}` : 'an SMS';
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export class InboundMessages {
  private queue: Promise<void> = Promise.resolve();
  /** Slots queued, being reported, or waiting in a partial group: not taken again. */
  private readonly held = new Set<string>();
  /** Slots reported to the sink whose deletion failed: deleted when seen again. */
  private readonly reported = new Set<string>();
  private readonly parts: Reassembler<Slot>;
  /** The storage `AT+CPMS` reads from now; null when unknown (then never switched). */
  private memory: string | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly host: InboundHost) {
    this.parts = new Reassembler({ now: () => host.now() });
  }

  /** After a (re)set: the storage reads come from, and what it holds. */
  listed(memory: string | null, stored: readonly StoredPdu[]): void {
    this.memory = memory;
    for (const item of stored) {
      const slot = { memory, index: item.index };
      if (this.reported.has(key(slot))) {
        this.enqueue(() => this.remove([slot]));
        continue;
      }
      // 2 and 3 are messages stored to send, not received.
      if (item.stat >= 2 || this.held.has(key(slot))) continue;
      this.held.add(key(slot));
      this.enqueue(() => this.handle(slot, item.pdu));
    }
  }

  /** `+CMTI: "<memory>",<index>` / `+CDSI:`: a message was stored. */
  stored(memory: string, index: number): void {
    const slot = { memory, index };
    if (this.held.has(key(slot))) return;
    this.held.add(key(slot));
    this.enqueue(() => this.read(slot));
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

  private async read(slot: { memory: string | null; index: number }): Promise<void> {
    let item: StoredPdu | null;
    try {
      item = await this.host.exclusive(async (at) => {
        await this.select(at, slot.memory);
        const lines = await at.command(`AT+CMGR=${slot.index}`, {
          timeoutMs: this.host.commandTimeoutMs,
          expect: '+CMGR:',
        });
        return parseRead(slot.index, lines);
      });
    } catch (error) {
      // Read again at the next listing (after a reset the modem lists its storage).
      this.held.delete(key(slot));
      if (error instanceof AtCommandError) this.host.problem(error, `reading ${describe(slot)}`);
      else this.host.problem(asError(error), `reading ${describe(slot)}; read again after a reset`);
      return;
    }
    if (!item) {
      this.held.delete(key(slot));
      this.host.log(`${describe(slot)} was empty`);
      return;
    }
    await this.handle(slot, item.pdu);
  }

  private async handle(slot: Slot, pdu: string): Promise<void> {
    const decoded = this.decode(slot, pdu);
    if (!decoded) return this.remove([slot]);
    if (decoded.type === 'status-report') {
      this.settle(decoded);
      return this.remove([slot]);
    }
    if (decoded.type === 'submit') {
      if (slot) this.held.delete(key(slot));
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
      for (const slot of message.tags) if (slot) this.held.delete(key(slot));
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

  /** Deletes the slots (`AT+CMGD`); one that cannot be deleted now is deleted when listed again. */
  private async remove(slots: readonly Slot[]): Promise<void> {
    for (const slot of slots) {
      if (!slot) continue;
      this.reported.add(key(slot));
      try {
        await this.host.exclusive(async (at) => {
          await this.select(at, slot.memory);
          await at.command(`AT+CMGD=${slot.index}`, { timeoutMs: this.host.commandTimeoutMs });
        });
        this.reported.delete(key(slot));
        this.held.delete(key(slot));
      } catch (error) {
        this.host.problem(asError(error), `deleting ${describe(slot)}; deleted when seen again`);
      }
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
      listStorage(at, this.host.commandTimeoutMs, this.host.problem),
    );
    this.listed(listing.memory, listing.stored);
  }
}
