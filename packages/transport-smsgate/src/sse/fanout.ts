/**
 * Device events on every node. An event told on one node is written at once to
 * the streams this node holds and appended to the store's event log; a signal
 * (`host.signal()`, the 'transport' notifier topic) makes every node read the log
 * after its cursor and write what is new to its own streams. A slow poll covers a
 * lost signal. The node that appended an event skips it when it reads it back, so
 * no stream gets an event twice.
 *
 * Sequence numbers may show up out of order (Postgres assigns them at insert, and
 * a later insert may commit first) or never (a rolled-back insert): events after a
 * gap are delivered as they come, and the cursor waits at the gap for
 * `GAP_WAIT_MS` before passing it.
 */
import type { TransportHost } from '@textport/core/transport';
import type { DeviceEvent, SmsGateStore, StoredEvent } from '../store/types.js';

/** The internal event that closes a deleted device's streams on every node. */
export const DEVICE_DELETED = 'textport:device-deleted';
/** How long a logged event is kept: every node reads it well within that. */
export const EVENT_RETENTION_MS = 5 * 60_000;
/** How often a node purges older events (any node may; one is enough). */
const PURGE_EVERY_MS = 60_000;
/** How long the cursor waits at a missing sequence number. */
export const GAP_WAIT_MS = 10_000;
const PAGE = 500;

export interface FanoutOptions {
  store: SmsGateStore;
  pollMs: number;
  /** Writes an event to this node's streams (closes them for `DEVICE_DELETED`). */
  deliver(event: DeviceEvent): void;
}

export class EventFanout {
  private host: TransportHost | undefined;
  /** Every event up to here was handled (or given up on, past a gap). */
  private cursor: number | null = null;
  /** Handled events above the cursor. */
  private readonly seen = new Set<number>();
  /** Missing sequence numbers above the cursor, and when they were first missed. */
  private readonly gaps = new Map<number, number>();
  /** Events this node appended (and wrote locally): skipped when read back. */
  private readonly own = new Set<number>();
  private readonly appending = new Set<Promise<unknown>>();
  private reading: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private lastPurge = 0;

  constructor(private readonly options: FanoutOptions) {}

  async start(host: TransportHost): Promise<void> {
    this.host = host;
    this.cursor = null;
    this.seen.clear();
    this.gaps.clear();
    this.own.clear();
    this.lastPurge = host.clock.now();
    await this.init();
    this.unsubscribe = host.onSignal(() => void this.read());
    this.timer = setInterval(() => void this.read(), this.options.pollMs);
    this.timer.unref?.();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.timer);
    this.host = undefined;
  }

  /**
   * Logs an event for the other nodes (the caller wrote it to this node's streams)
   * and signals them. Failures are logged: the other nodes then miss it.
   */
  publish(event: Omit<DeviceEvent, 'createdAt'>): void {
    const host = this.host;
    if (!host) return;
    const appended = this.options.store
      .appendEvent({ ...event, createdAt: host.clock.now() })
      .then((seq) => {
        this.own.add(seq);
        host.signal();
      })
      .catch((error: unknown) => {
        host.logger.warn(
          { err: error, event: event.name, deviceId: event.deviceId },
          'could not log an SMSGate event for the other nodes; only streams on this node got it',
        );
      })
      .finally(() => this.appending.delete(appended));
    this.appending.add(appended);
  }

  /** Reads the log now (one read at a time; a request meanwhile reads again after). */
  read(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      do {
        this.again = false;
        await this.readOnce();
      } while (this.again && this.host);
    })().finally(() => {
      this.reading = null;
    });
    return this.reading;
  }

  private async init(): Promise<void> {
    try {
      this.cursor = await this.options.store.lastEventSeq();
    } catch (error) {
      this.host?.logger.warn(
        { err: error },
        'could not read the SMSGate event log; retried on the next poll',
      );
    }
  }

  private async readOnce(): Promise<void> {
    const host = this.host;
    if (!host) return;
    if (this.cursor === null) return this.init();
    try {
      for (;;) {
        const from: number = this.cursor ?? 0;
        const events = await this.options.store.eventsAfter(from, PAGE);
        // An append that began before the read answered may be among the events:
        // learn its number first, so this node does not write it twice.
        await Promise.allSettled([...this.appending]);
        for (const e of events) this.take(e);
        this.advance(host.clock.now());
        if (events.length < PAGE || this.cursor === from || !this.host) break;
      }
    } catch (error) {
      host.logger.warn(
        { err: error },
        'could not read the SMSGate event log; retried on the next poll',
      );
    }
    await this.purge(host);
  }

  private take(event: StoredEvent): void {
    if (this.seen.has(event.seq)) return;
    this.seen.add(event.seq);
    if (this.own.delete(event.seq)) return;
    this.options.deliver(event);
  }

  private advance(now: number): void {
    if (this.cursor === null) return;
    let cursor: number = this.cursor;
    const highest = Math.max(cursor, ...this.seen);
    while (cursor < highest) {
      const next = cursor + 1;
      if (!this.seen.delete(next)) {
        const since = this.gaps.get(next) ?? now;
        this.gaps.set(next, since);
        if (now - since < GAP_WAIT_MS) break;
      }
      this.gaps.delete(next);
      cursor = next;
    }
    this.cursor = cursor;
    for (const seq of this.own) if (seq <= cursor) this.own.delete(seq);
  }

  private async purge(host: TransportHost): Promise<void> {
    const now = host.clock.now();
    if (now - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now;
    try {
      await this.options.store.purgeEvents(now - EVENT_RETENTION_MS);
    } catch (error) {
      host.logger.warn({ err: error }, 'could not purge old SMSGate events');
    }
  }
}
