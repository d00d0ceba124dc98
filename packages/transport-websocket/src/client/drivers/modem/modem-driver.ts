/**
 * The `modem` radio driver: a GSM modem (SIM800/SIM7600 boards, Quectel, Huawei/ZTE USB sticks)
 * on a serial port, driven with AT commands in PDU mode.
 *
 * - All AT traffic goes through one lock: never two commands in flight. A command that is not
 *   answered marks the modem broken; the next work behind the lock first resets it (port closed
 *   and opened again, the whole setup again), then carries on.
 * - A reset that fails is tried again with a growing delay; after `maxResetAttempts` the work
 *   waiting for it fails (nothing of it was submitted) and resets go on in the background.
 * - Sending: outbound.ts; status reports: tracker.ts; inbound SMS: inbound.ts; missed calls:
 *   calls.ts; heartbeat status: status.ts; the setup sequence: setup.ts; the options, their
 *   defaults and their checks: options.ts.
 */
import type { DeliveryReport, OutgoingSms, SendResult } from '../../phone-types.js';
import type { RadioDriver, RadioSink, RadioStatus } from '../driver.js';
import { AtChannel, type ModemPort, type Urc } from './at.js';
import { RingWatcher } from './calls.js';
import { InboundMessages } from './inbound.js';
import { type ModemDriverOptions, type Settings, settings } from './options.js';
import { OutboundQueue, unanswered } from './outbound.js';
import { parseClip, parseStoredNotice } from './responses.js';
import { initialise, ModemSetupError, openSerialPort, type PinState } from './setup.js';
import { readStatus } from './status.js';
import { DeliveryTracker } from './tracker.js';

export type { ModemDriverOptions } from './options.js';
export { MODEM_DEFAULTS } from './options.js';
export { AMBIGUOUS_SEND } from './outbound.js';

export interface ModemDriver extends RadioDriver {
  readonly name: 'modem';
  status(): Promise<RadioStatus>;
}

const MAX_RESET_DELAY_MS = 60_000;

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

class ModemRadio implements ModemDriver {
  readonly name = 'modem';
  readonly tracker: DeliveryTracker;
  readonly commandTimeoutMs: number;
  readonly retryMs: number;
  private readonly o: Settings;
  readonly statusReports: boolean;
  readonly sendTimeoutMs: number;
  private readonly openPort: (options: {
    path: string;
    baudRate: number;
  }) => Promise<ModemPort> | ModemPort;
  private readonly inbound: InboundMessages;
  private readonly rings: RingWatcher;
  private readonly pinState: PinState = { refused: false, unanswered: 0 };
  private port: ModemPort | undefined;
  private at: AtChannel | undefined;
  private currentSink: RadioSink | undefined;
  private running = false;
  private closing = false;
  private broken = true;
  private fatal: Error | undefined;
  private lock: Promise<unknown> = Promise.resolve();
  private readonly outbound: OutboundQueue;
  private readonly battery = { unknown: false };
  private recoveryTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: ModemDriverOptions) {
    this.o = settings(options);
    this.commandTimeoutMs = this.o.commandTimeoutMs;
    this.retryMs = this.o.inboundRetryMs;
    this.sendTimeoutMs = this.o.sendTimeoutMs;
    this.statusReports = options.statusReports ?? true;
    this.openPort = options.openPort ?? ((o) => openSerialPort(o.path, o.baudRate));
    this.outbound = new OutboundQueue(
      this,
      Math.floor((options.random ?? Math.random)() * 256) & 0xff,
    );
    const now = options.now ?? Date.now;
    this.tracker = new DeliveryTracker({ now });
    this.inbound = new InboundMessages(this);
    this.rings = new RingWatcher({
      gapMs: this.o.ringGapMs,
      now,
      ended: (call) => this.missedCall(call),
    });
  }

  now(): number {
    return (this.options.now ?? Date.now)();
  }

  sink(): RadioSink | undefined {
    return this.currentSink;
  }

  log(line: string): void {
    this.options.log?.(line);
  }

  /** Reports to the sink; a sink that throws must not stop the driver. */
  problem(error: Error, context: string): void {
    if (!this.running) {
      this.log(`${context}: ${error.message}`);
      return;
    }
    try {
      this.currentSink?.problem(error, context);
    } catch (thrown) {
      this.log(`${context}: ${error.message} (and the sink threw: ${asError(thrown).message})`);
    }
  }

  async start(sink: RadioSink): Promise<void> {
    if (this.running) throw new Error('the modem driver is already started');
    this.currentSink = sink;
    this.running = true;
    this.closing = false;
    try {
      await this.locked(() => this.ready(1));
    } catch (error) {
      this.running = false;
      await this.closePort();
      throw error;
    }
    this.log(`started on ${this.options.port}`);
  }

  async stop(): Promise<void> {
    if (!this.running || this.closing) return;
    this.closing = true;
    this.wake?.();
    await this.outbound.idle();
    this.running = false;
    clearTimeout(this.recoveryTimer);
    this.rings.stop();
    this.inbound.stop();
    await this.locked(() => this.closePort());
    this.log('stopped');
  }

  send(sms: OutgoingSms, report: DeliveryReport): Promise<SendResult> {
    return this.outbound.send(sms, report);
  }

  accepting(): boolean {
    return this.running && !this.closing;
  }

  async status(): Promise<RadioStatus> {
    this.inbound.sweep();
    if (!this.running || this.closing || this.broken || this.fatal) return {};
    const status: RadioStatus = {};
    try {
      await this.exclusive((at) => readStatus(at, this.commandTimeoutMs, status, this.battery));
    } catch (error) {
      this.log(`status incomplete: ${asError(error).message}`);
    }
    return status;
  }

  /** Runs `work` with the modem to itself, after a reset when one is due. */
  exclusive<T>(work: (at: AtChannel) => Promise<T>): Promise<T> {
    return this.locked(async () => {
      const at = await this.ready(this.o.maxResetAttempts);
      try {
        return await work(at);
      } catch (error) {
        if (unanswered(error)) this.markBroken(error);
        throw error;
      }
    });
  }

  private locked<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lock.then(work);
    this.lock = run.catch(() => {});
    return run;
  }

  /** The channel, after (re)opening and setting up the modem when due. Holds the lock. */
  private async ready(attempts: number): Promise<AtChannel> {
    for (let attempt = 1; ; attempt++) {
      if (this.fatal) throw this.fatal;
      if (!this.running) throw new Error('the modem driver is stopped');
      if (this.at && !this.broken) return this.at;
      if (this.closing) throw new Error('the modem driver is stopping; not resetting the modem');
      try {
        return await this.reset();
      } catch (error) {
        if (error instanceof ModemSetupError && error.fatal) {
          this.fatal = error;
          throw error;
        }
        if (attempt >= attempts || !this.running) {
          if (this.running && attempts > 1) this.scheduleRecovery(attempt);
          throw error;
        }
        this.problem(asError(error), `resetting the modem (attempt ${attempt}); trying again`);
        await this.pause(this.backoff(attempt));
      }
    }
  }

  private async reset(): Promise<AtChannel> {
    await this.closePort();
    const port = await this.openPort({ path: this.options.port, baudRate: this.o.baudRate });
    // Kept for the port's life: an 'error' event with no listener would throw.
    port.on('error', (error) => this.log(`serial port: ${error.message}`));
    const at = new AtChannel(port, {
      onUrc: (urc) => this.urc(urc),
      onClose: (error) => {
        if (this.at === at) this.markBroken(error);
      },
      onProblem: (error, context) => this.problem(error, context),
      ...(this.options.trace ? { trace: this.options.trace } : {}),
    });
    this.port = port;
    this.at = at;
    try {
      const listing = await initialise(
        at,
        {
          port: this.options.port,
          pin: this.options.pin,
          commandTimeoutMs: this.commandTimeoutMs,
          registrationTimeoutMs: this.o.registrationTimeoutMs,
          registrationPollMs: this.o.registrationPollMs,
          statusReports: this.statusReports,
          log: (line) => this.log(line),
          problem: (error, context) => this.problem(error, context),
          stopping: () => this.closing || !this.running,
        },
        this.pinState,
      );
      this.broken = false;
      this.inbound.listed(listing.memory, listing.stored);
      this.log(`modem ready on ${this.options.port} (${listing.stored.length} stored SMS)`);
      return at;
    } catch (error) {
      await this.closePort();
      throw error;
    }
  }

  private markBroken(error: Error): void {
    if (this.broken || !this.running) return;
    this.broken = true;
    this.problem(error, 'the modem stopped answering; resetting it');
    this.scheduleRecovery(0);
  }

  /** A reset in the background, so inbound traffic resumes even when nothing is sent. */
  private scheduleRecovery(failed: number): void {
    if (this.recoveryTimer || this.closing) return;
    const delay = failed === 0 ? 0 : this.backoff(failed);
    this.recoveryTimer = setTimeout(() => {
      this.recoveryTimer = undefined;
      if (this.running && this.broken && !this.fatal) {
        this.exclusive(async () => {}).catch((error: unknown) =>
          this.problem(asError(error), 'resetting the modem'),
        );
      }
    }, delay);
  }

  private backoff(attempt: number): number {
    return Math.min(MAX_RESET_DELAY_MS, this.o.resetDelayMs * 2 ** (attempt - 1));
  }

  /** Sleeps, or less when the driver stops. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      this.wake = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  private async closePort(): Promise<void> {
    const port = this.port;
    this.at?.detach();
    this.port = undefined;
    this.at = undefined;
    this.broken = true;
    if (!port?.isOpen) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.commandTimeoutMs);
      try {
        port.close(() => {
          clearTimeout(timer);
          resolve();
        });
      } catch {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  private urc({ line, pdu }: Urc): void {
    if (!this.running) return;
    const notice = parseStoredNotice(line);
    const clip = parseClip(line);
    if (notice) this.inbound.stored(notice.memory, notice.index);
    else if (line.startsWith('+CMT:') || line.startsWith('+CDS:')) {
      if (!pdu) this.problem(new Error(`${line} came without its PDU`), 'reading the modem');
      else if (line.startsWith('+CMT:')) this.inbound.direct(pdu);
      else this.inbound.statusReport(pdu);
    } else if (line === 'RING' || line.startsWith('+CRING:')) this.rings.ring();
    else if (clip !== null) this.rings.callerId(clip);
    else if (line === 'NO CARRIER') this.rings.end();
    else this.log(`modem said: ${line}`);
  }

  private missedCall(call: { from: string; timestamp: Date }): void {
    const sink = this.currentSink;
    if (!sink || !this.running) return;
    if (!call.from) {
      this.log('a call with a withheld number was missed; not reported');
      return;
    }
    this.log(`missed call from ${call.from}`);
    sink
      .missedCall({ from: call.from, timestamp: call.timestamp, sim: 'SIM1' })
      .catch((error: unknown) =>
        this.problem(asError(error), `reporting a missed call from ${call.from}`),
      );
  }
}

/** A `RadioDriver` for a GSM modem on a serial port (AT commands, PDU mode). */
export function createModemDriver(options: ModemDriverOptions): ModemDriver {
  return new ModemRadio(options);
}
