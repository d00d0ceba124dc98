/**
 * `ModemEmulator`: a scripted GSM modem behind serialport's `SerialPortMock`, for the modem
 * driver's tests and end-to-end tests. It answers the AT commands the driver uses (PDU mode),
 * keeps SIM storage, accepts `AT+CMGS` (decoding each PDU), and injects what a network would.
 *
 * Exported surface:
 * - `new ModemEmulator(options?: EmulatorOptions)`: `pin` (the SIM asks for it; 3 wrong tries
 *   lock it), `registration` (`+CREG` stat, default 1), `searchingPolls` (answers "searching"
 *   that many times first), `signal` (`+CSQ` rssi, default 20; 99 unknown), `operator` (default
 *   "Emulated Net"; null: none), `battery` (`{ level, charging }`; default none: `AT+CBC` is
 *   ERROR), `firstReference` (first `+CMGS` reference, default 0), `echo` (default true until
 *   `ATE0`, like a real modem), `path`.
 * - `path`; `openPort()`: for `ModemDriverOptions.openPort` (a new opened `SerialPortMock`
 *   each time; the emulator keeps its state across opens); `opens`: how many times it was opened;
 *   `isOpen`: whether the port is open now.
 * - What it saw: `commands` (every command line, also while silent), `written` (every byte the
 *   driver wrote, latin1), `submitted` (`SubmittedSms`: the decoded SMS-SUBMIT with `hex`,
 *   `length` and the `mr` answered), `swallowed` (PDUs taken while going silent: maybe sent),
 *   `deleted` (indexes), `storage` (index → `{ pdu, stat }`).
 * - Network side: `store(pdu, stat?)` (no notice; index), `deliverSms(...pdus)` (stored, each
 *   with `+CMTI`; indexes), `deliverText(from, text, options?)` (encoded SMS-DELIVER parts,
 *   delivered), `deliverDirect(pdu)` (`+CMT`), `statusReport(mr, status?, options?)` (`+CDS`),
 *   `statusReportLines(...)` (the same lines, not sent), `ring(from, times?, { hangUp? })`
 *   (`RING` + `+CLIP`, then `NO CARRIER` when `hangUp`), `urc(...lines)` (raw lines).
 * - Faults: `silent(on)` (stop answering / answer again), `silenceOn('prompt' | 'pdu')` (the next
 *   `AT+CMGS` goes silent before its prompt, or after taking its PDU), `rejectNextSend(code,
 *   { count?, after? })` (`+CMS ERROR` for `count` sends after `after` accepted ones),
 *   `interleave(command, lines)` (the next matching command's answer carries `lines` before its
 *   final result), `disconnect()` (the port closes under the driver).
 * - `recordingSink()`: a `RadioSink` recording `messages` (resolved), `refused`, `calls` and
 *   `problems`; `onReceived` decides what `received` does (default: resolves).
 */
import { SerialPortMock } from 'serialport';
import type { InboundCall, InboundSms, RadioSink } from '../src/client/drivers/driver.js';
import {
  decodePdu,
  encodeDeliver,
  encodeStatusReport,
  type SubmitPduDecoded,
} from '../src/client/drivers/modem/pdu.js';

export interface EmulatorOptions {
  pin?: string;
  registration?: number;
  searchingPolls?: number;
  signal?: number;
  operator?: string | null;
  battery?: { level: number; charging: boolean } | null;
  firstReference?: number;
  echo?: boolean;
  path?: string;
}

export interface SubmittedSms extends SubmitPduDecoded {
  hex: string;
  length: number;
  mr: number;
}

type MockBinding = NonNullable<SerialPortMock['port']>;

const STORAGE_SIZE = 30;
let emulators = 0;

function lengthOf(pdu: string): number {
  return pdu.length / 2 - 1 - Number.parseInt(pdu.slice(0, 2), 16);
}

export class ModemEmulator {
  readonly path: string;
  readonly commands: string[] = [];
  readonly submitted: SubmittedSms[] = [];
  readonly swallowed: string[] = [];
  readonly deleted: number[] = [];
  readonly storage = new Map<number, { pdu: string; stat: number }>();
  written = '';
  opens = 0;
  registration: number;
  signal: number;
  operator: string | null;
  battery: { level: number; charging: boolean } | null;
  private readonly pin: string | undefined;
  private pinLocked: boolean;
  private pinTries = 3;
  private searching: number;
  private echo: boolean;
  private cmee = 0;
  private mr: number;
  private mute = false;
  private silenceTrigger: 'prompt' | 'pdu' | undefined;
  private rejections: (number | null)[] = [];
  private interleaved: { command: RegExp; lines: string[] }[] = [];
  private port: SerialPortMock | undefined;
  private binding: MockBinding | undefined;
  private line = '';
  private pduInput: { length: number; hex: string } | undefined;

  constructor(options: EmulatorOptions = {}) {
    emulators += 1;
    this.path = options.path ?? `/dev/textport-modem-${process.pid}-${emulators}`;
    this.pin = options.pin;
    this.pinLocked = options.pin !== undefined;
    this.registration = options.registration ?? 1;
    this.searching = options.searchingPolls ?? 0;
    this.signal = options.signal ?? 20;
    this.operator = options.operator === undefined ? 'Emulated Net' : options.operator;
    this.battery = options.battery ?? null;
    this.mr = options.firstReference ?? 0;
    this.echo = options.echo ?? true;
    SerialPortMock.binding.createPort(this.path, { echo: false, record: false });
  }

  async openPort(): Promise<SerialPortMock> {
    const port = new SerialPortMock({ path: this.path, baudRate: 115_200, autoOpen: false });
    await new Promise<void>((resolve, reject) =>
      port.open((error) => (error ? reject(error) : resolve())),
    );
    const binding = port.port!;
    const write = binding.write.bind(binding);
    binding.write = async (buffer: Buffer) => {
      await write(buffer);
      if (this.binding === binding) this.input(buffer);
    };
    this.port = port;
    this.binding = binding;
    this.line = '';
    this.pduInput = undefined;
    this.opens += 1;
    return port;
  }

  /** Whether the driver has the port open now. */
  get isOpen(): boolean {
    return this.port?.isOpen === true;
  }

  // ---- network side ----

  store(pdu: string, stat = 0): number {
    for (let index = 1; index <= STORAGE_SIZE; index++) {
      if (!this.storage.has(index)) {
        this.storage.set(index, { pdu, stat });
        return index;
      }
    }
    throw new Error('the emulated SIM storage is full');
  }

  deliverSms(...pdus: string[]): number[] {
    return pdus.map((pdu) => {
      const index = this.store(pdu);
      this.urc(`+CMTI: "SM",${index}`);
      return index;
    });
  }

  deliverText(
    from: string,
    text: string,
    options: { timestamp?: Date; reference?: number } = {},
  ): number[] {
    const timestamp = options.timestamp ?? new Date('2025-01-02T03:04:05Z');
    return this.deliverSms(
      ...encodeDeliver({ from, text, timestamp, reference: options.reference ?? 0 }),
    );
  }

  deliverDirect(pdu: string): void {
    this.urc(`+CMT: ,${lengthOf(pdu)}`, pdu);
  }

  statusReportLines(
    mr: number,
    status = 0,
    options: { recipient?: string; dischargedAt?: Date } = {},
  ): string[] {
    const recipient =
      options.recipient ?? this.submitted.findLast((sms) => sms.mr === mr)?.to ?? '+10000000000';
    const pdu = encodeStatusReport({
      messageReference: mr,
      recipient,
      submittedAt: new Date('2025-01-02T03:04:05Z'),
      dischargedAt: options.dischargedAt ?? new Date('2025-01-02T03:04:35Z'),
      status,
    });
    return [`+CDS: ${lengthOf(pdu)}`, pdu];
  }

  statusReport(
    mr: number,
    status = 0,
    options: { recipient?: string; dischargedAt?: Date } = {},
  ): void {
    this.urc(...this.statusReportLines(mr, status, options));
  }

  ring(from: string | null, times = 1, options: { hangUp?: boolean } = {}): void {
    const lines: string[] = [];
    for (let i = 0; i < times; i++) {
      lines.push('RING');
      if (from !== null)
        lines.push(`+CLIP: "${from}",${from.startsWith('+') ? 145 : 129},"",0,"",0`);
    }
    if (options.hangUp) lines.push('NO CARRIER');
    this.urc(...lines);
  }

  urc(...lines: string[]): void {
    this.emit(lines.map((line) => `\r\n${line}\r\n`).join(''));
  }

  // ---- faults ----

  silent(on: boolean): void {
    this.mute = on;
  }

  silenceOn(trigger: 'prompt' | 'pdu'): void {
    this.silenceTrigger = trigger;
  }

  /** The next `count` sends (after `after` accepted ones) answer `+CMS ERROR: <code>`. */
  rejectNextSend(code: number, options: { count?: number; after?: number } = {}): void {
    for (let i = 0; i < (options.after ?? 0); i++) this.rejections.push(null);
    for (let i = 0; i < (options.count ?? 1); i++) this.rejections.push(code);
  }

  interleave(command: RegExp, lines: string[]): void {
    this.interleaved.push({ command, lines });
  }

  disconnect(): void {
    this.port?.close();
  }

  // ---- the modem ----

  private emit(text: string): void {
    const binding = this.binding;
    // Answers come after the write returned, in two chunks: lines may be split anywhere.
    setImmediate(() => {
      if (!binding?.isOpen || this.binding !== binding) return;
      const half = Math.ceil(text.length / 2);
      binding.emitData(Buffer.from(text.slice(0, half), 'latin1'));
      if (text.length > half) binding.emitData(Buffer.from(text.slice(half), 'latin1'));
    });
  }

  private input(buffer: Buffer): void {
    const text = buffer.toString('latin1');
    this.written += text;
    for (const char of text) {
      if (this.pduInput) {
        if (char === '\x1a') this.submit(this.pduInput);
        else if (char === '\x1b') this.pduInput = undefined;
        else if (char !== '\r' && char !== '\n') this.pduInput.hex += char;
        continue;
      }
      if (char === '\r') {
        const line = this.line.trim();
        this.line = '';
        if (line) this.command(line);
      } else if (char !== '\n' && char !== '\x1b') {
        this.line += char;
      }
    }
  }

  private answer(lines: string[], final: string, command: string, echo = this.echo): void {
    const extra = this.interleaved.findIndex((entry) => entry.command.test(command));
    const urcs = extra === -1 ? [] : this.interleaved.splice(extra, 1)[0]!.lines;
    const echoed = echo ? `${command}\r` : '';
    this.emit(echoed + [...lines, ...urcs, final].map((line) => `\r\n${line}\r\n`).join(''));
  }

  private error(kind: 'CME' | 'CMS', code: number): string {
    return this.cmee === 0 ? 'ERROR' : `+${kind} ERROR: ${code}`;
  }

  private command(command: string): void {
    this.commands.push(command);
    if (this.mute) return;
    const upper = command.toUpperCase();
    for (const [pattern, handle] of this.handlers(command)) {
      const match = pattern.exec(upper);
      if (match) {
        handle(match);
        return;
      }
    }
    this.answer([], 'ERROR', command);
  }

  /** What the emulated modem understands, first match wins. */
  private handlers(command: string): [RegExp, (match: RegExpExecArray) => void][] {
    const ok = (...lines: string[]) => this.answer(lines, 'OK', command);
    const fail = (final: string) => this.answer([], final, command);
    return [
      [/^(AT|ATZ|AT\+CLIP=1|AT\+CNMI=.*|AT\+CMGF=[01])$/, () => ok()],
      [
        /^ATE([01])$/,
        (m) => {
          this.echo = m[1] === '1';
          ok();
        },
      ],
      [
        /^AT\+CMEE=([012])$/,
        (m) => {
          this.cmee = Number(m[1]);
          ok();
        },
      ],
      [
        /^AT\+CPIN\?$/,
        () => ok(`+CPIN: ${!this.pinLocked ? 'READY' : this.pinTries > 0 ? 'SIM PIN' : 'SIM PUK'}`),
      ],
      [/^AT\+CPIN="?(\d+)"?$/, (m) => this.enterPin(m[1]!, ok, fail)],
      [/^AT\+CREG\?$/, () => ok(`+CREG: 0,${this.registrationNow()}`)],
      [
        /^AT\+(CMG|CPMS)/,
        (m) => (this.pinLocked ? fail(this.error('CMS', 311)) : this.messaging(m.input, ok)),
      ],
      [/^AT\+CSQ$/, () => ok(`+CSQ: ${this.signal},99`)],
      [
        /^AT\+COPS\?$/,
        () => ok(this.operator === null ? '+COPS: 0' : `+COPS: 0,0,"${this.operator}",0`),
      ],
      [
        /^AT\+CBC$/,
        () =>
          this.battery
            ? ok(`+CBC: ${this.battery.charging ? 1 : 0},${this.battery.level},4012`)
            : fail('ERROR'),
      ],
      [/^AT\+CNMA$/, () => fail(this.error('CMS', 340))],
    ];
  }

  private enterPin(pin: string, ok: () => void, fail: (final: string) => void): void {
    if (!this.pinLocked || this.pinTries === 0) fail(this.error('CME', 3));
    else if (pin === this.pin) {
      this.pinLocked = false;
      ok();
    } else {
      this.pinTries -= 1;
      fail(this.error('CME', 16));
    }
  }

  private registrationNow(): number {
    if (this.pinLocked) return 0;
    if (this.searching > 0) {
      this.searching -= 1;
      return 2;
    }
    return this.registration;
  }

  /** The SMS commands (PDU mode): storage, listing, reading, deleting, sending. */
  private messaging(upper: string, ok: (...lines: string[]) => void) {
    const size = STORAGE_SIZE;
    const used = this.storage.size;
    const index = Number(/=(\d+)$/.exec(upper)?.[1] ?? Number.NaN);
    if (upper === 'AT+CPMS?') {
      return ok(`+CPMS: "SM",${used},${size},"SM",${used},${size},"SM",${used},${size}`);
    }
    if (upper.startsWith('AT+CPMS='))
      return ok(`+CPMS: ${used},${size},${used},${size},${used},${size}`);
    if (upper === 'AT+CMGL=4') {
      const lines: string[] = [];
      for (const [at, entry] of [...this.storage].sort(([a], [b]) => a - b)) {
        lines.push(`+CMGL: ${at},${entry.stat},,${lengthOf(entry.pdu)}`, entry.pdu);
        if (entry.stat === 0) entry.stat = 1;
      }
      return ok(...lines);
    }
    if (upper.startsWith('AT+CMGR=')) {
      const entry = this.storage.get(index);
      if (!entry) return ok();
      ok(`+CMGR: ${entry.stat},,${lengthOf(entry.pdu)}`, entry.pdu);
      if (entry.stat === 0) entry.stat = 1;
      return;
    }
    if (upper.startsWith('AT+CMGD=')) {
      this.storage.delete(index);
      this.deleted.push(index);
      return ok();
    }
    if (upper.startsWith('AT+CMGS=')) return this.startSubmit(upper, index);
    this.answer([], 'ERROR', upper);
  }

  private startSubmit(command: string, length: number): void {
    if (this.silenceTrigger === 'prompt') {
      this.silenceTrigger = undefined;
      this.mute = true;
      return;
    }
    const code = this.rejections.shift();
    if (code !== undefined && code !== null) {
      this.answer([], this.error('CMS', code), command);
      return;
    }
    this.pduInput = { length, hex: '' };
    this.emit('\r\n> ');
  }

  private submit(input: { length: number; hex: string }): void {
    this.pduInput = undefined;
    const hex = input.hex.trim();
    const command = `AT+CMGS=${input.length}`;
    this.commands.push(`<PDU ${hex}>`);
    if (this.mute) return;
    if (this.silenceTrigger === 'pdu') {
      this.silenceTrigger = undefined;
      this.swallowed.push(hex);
      this.mute = true;
      return;
    }
    let decoded: ReturnType<typeof decodePdu>;
    try {
      decoded = decodePdu(hex);
    } catch {
      this.answer([], this.error('CMS', 304), command);
      return;
    }
    if (decoded.type !== 'submit' || lengthOf(hex) !== input.length) {
      this.answer([], this.error('CMS', 304), command);
      return;
    }
    const mr = this.mr;
    this.mr = (this.mr + 1) & 0xff;
    this.submitted.push({ ...decoded, hex, length: input.length, mr });
    this.answer([`+CMGS: ${mr}`], 'OK', command, false);
  }
}

export interface RecordingSink extends RadioSink {
  /** SMS the sink resolved (a rejected one is in `refused`). */
  readonly messages: InboundSms[];
  readonly refused: InboundSms[];
  readonly calls: InboundCall[];
  readonly problems: { error: Error; context: string }[];
  /** What `received` does (default: resolves); a rejection refuses the SMS. */
  onReceived: (sms: InboundSms) => Promise<void>;
}

export function recordingSink(): RecordingSink {
  const sink: RecordingSink = {
    messages: [],
    refused: [],
    calls: [],
    problems: [],
    onReceived: async () => {},
    async received(sms) {
      try {
        await sink.onReceived(sms);
      } catch (error) {
        sink.refused.push(sms);
        throw error;
      }
      sink.messages.push(sms);
    },
    async missedCall(call) {
      sink.calls.push(call);
    },
    problem(error, context) {
      sink.problems.push({ error, context });
    },
  };
  return sink;
}
