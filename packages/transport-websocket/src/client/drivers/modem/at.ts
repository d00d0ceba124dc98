/**
 * The AT command channel of a GSM modem (3GPP TS 27.007 / 27.005) over a serial stream.
 *
 * - One command in flight at a time: a second `command` while one is pending is a programming
 *   error and rejects at once (the driver serialises its work behind one lock).
 * - Unsolicited result codes (URCs: `+CMTI`, `+CDS`, `RING`, `+CLIP`…) may arrive between any
 *   lines of an answer; they go to `onUrc`, never into the answer. A line that a URC shares with
 *   an answer (`+CREG:` for `AT+CREG?`) belongs to the answer when the command `expect`s it.
 *   `+CMT:` and `+CDS:` in PDU mode are followed by a PDU line: it is handed out with them.
 * - `AT+CMGS` answers with a `> ` prompt that has no line ending; `submit` waits for it, writes
 *   the PDU and Ctrl-Z, then waits for `+CMGS: <mr>`. Its timeout says whether the PDU had been
 *   written, which decides whether the message may be tried again.
 * - Lines are bounded: a line longer than `maxLineLength` is dropped and reported.
 */
import { StringDecoder } from 'node:string_decoder';

/** What the channel needs from a serial port (`serialport`'s `SerialPort` and `SerialPortMock` fit). */
export interface ModemPort {
  write(data: Buffer | string, callback?: (error: Error | null | undefined) => void): boolean;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  removeListener(event: 'data', listener: (chunk: Buffer) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'close', listener: () => void): unknown;
  close(callback?: (error: Error | null) => void): void;
  readonly isOpen: boolean;
}

/** An unsolicited line, with the PDU line that follows `+CMT:` and `+CDS:`. */
export interface Urc {
  line: string;
  pdu?: string;
}

export interface AtChannelOptions {
  onUrc(urc: Urc): void;
  /** The port closed or failed under the channel. */
  onClose?(error: Error): void;
  onProblem(error: Error, context: string): void;
  /** Longest line kept (default 4 KiB). */
  maxLineLength?: number;
  /** Every line in and out, for debugging (default: nothing). */
  trace?: (line: string) => void;
}

export interface CommandOptions {
  timeoutMs: number;
  /** The answer's prefix (e.g. `+CREG:`): such lines are the answer even where a URC looks the same. */
  expect?: string;
}

/** The modem answered ERROR, `+CME ERROR: <n>` or `+CMS ERROR: <n>`. */
export class AtCommandError extends Error {
  override readonly name = 'AtCommandError';
  constructor(
    readonly command: string,
    /** The final result line as the modem printed it. */
    readonly result: string,
    /** The number of a `+CME ERROR` / `+CMS ERROR`, when it was numeric. */
    readonly code: number | null,
    readonly kind: 'ERROR' | 'CME' | 'CMS',
  ) {
    super(`${command} answered ${result}`);
  }
}

/** The modem did not finish its answer in time. */
export class AtTimeoutError extends Error {
  override readonly name = 'AtTimeoutError';
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
    /** For `submit`: whether the PDU had been written (the radio may then have sent it). */
    readonly pduWritten = false,
  ) {
    super(`${command} was not answered within ${timeoutMs} ms`);
  }
}

/** The channel is closed (or its port failed); nothing more can be asked. */
export class AtClosedError extends Error {
  override readonly name = 'AtClosedError';
  constructor(
    message: string,
    /** For `submit`: whether the PDU had been written (the radio may then have sent it). */
    readonly pduWritten = false,
  ) {
    super(message);
  }
}

const DEFAULT_MAX_LINE = 4096;
/** Lines kept of one answer (a listing of 1,000 stored SMS); the rest are read at a later listing. */
const MAX_ANSWER_LINES = 2_000;
const CTRL_Z = '\x1a';
const ESC = '\x1b';
const FINAL_OK = /^OK$/;
const FINAL_ERROR = /^(ERROR|COMMAND NOT SUPPORT|TOO MANY PARAMETERS)$/;
const FINAL_CODED = /^\+(CME|CMS) ERROR:\s*(.*)$/;
const HEX_LINE = /^[0-9A-Fa-f]+$/;
/** Followed by a PDU line in PDU mode. */
const URC_WITH_PDU = /^\+(CMT|CDS):/;
/**
 * Lines a modem prints on its own: new messages and reports, calls, network and SIM events,
 * boot banners (SIM800 "Call Ready", Quectel "RDY", Huawei "^RSSI"…).
 */
const URC =
  /^(\+CMTI:|\+CDSI:|\+CMT:|\+CDS:|\+CBM:|\+CLIP:|\+CRING:|\+CREG:|\+CGREG:|\+CEREG:|\+CUSD:|\+CIEV:|\+CPIN:|\+CFUN:|\+QIND:|\+STIN:|\+CPAS:|\^|RING$|NO CARRIER$|BUSY$|NO ANSWER$|RDY$|Call Ready$|SMS Ready$|PB DONE$)/;

type Phase = 'answer' | 'prompt' | 'result';

interface Pending {
  command: string;
  expect: string | undefined;
  lines: string[];
  phase: Phase;
  timer: NodeJS.Timeout | undefined;
  resolve(lines: string[]): void;
  reject(error: Error): void;
  /** For `submit`: called when the prompt arrived. */
  onPrompt?: () => void;
}

/** The command as errors and traces show it: a PIN is not written out. */
export function redact(command: string): string {
  return command.replace(/^(AT\+CPIN=).*/i, '$1"…"');
}

/** Parses a final result line; null when the line is not one. */
function finalResult(command: string, line: string): AtCommandError | 'OK' | null {
  if (FINAL_OK.test(line)) return 'OK';
  if (FINAL_ERROR.test(line)) return new AtCommandError(command, line, null, 'ERROR');
  const coded = FINAL_CODED.exec(line);
  if (!coded) return null;
  const code = /^\d+$/.test(coded[2]!.trim()) ? Number(coded[2]!.trim()) : null;
  return new AtCommandError(command, line, code, coded[1] === 'CME' ? 'CME' : 'CMS');
}

export class AtChannel {
  private readonly decoder = new StringDecoder('utf8');
  private readonly maxLine: number;
  private buffer = '';
  /** Dropping the rest of an overlong line, up to its end. */
  private discarding = false;
  private pending: Pending | undefined;
  /** A `+CMT:`/`+CDS:` line waiting for its PDU line. */
  private urcAwaitingPdu: string | undefined;
  private closed: Error | undefined;
  private readonly onData = (chunk: Buffer) => this.take(chunk);
  private readonly onError = (error: Error) => this.fail(error);
  private readonly onPortClose = () => this.fail(new AtClosedError('the serial port closed'));

  constructor(
    private readonly port: ModemPort,
    private readonly options: AtChannelOptions,
  ) {
    this.maxLine = options.maxLineLength ?? DEFAULT_MAX_LINE;
    port.on('data', this.onData);
    port.on('error', this.onError);
    port.on('close', this.onPortClose);
  }

  get isClosed(): boolean {
    return this.closed !== undefined;
  }

  /** Runs `command` (without the trailing CR); resolves with the answer's lines, OK left out. */
  command(command: string, options: CommandOptions): Promise<string[]> {
    return this.start(command, options.expect, 'answer', options.timeoutMs);
  }

  /**
   * `AT+CMGS=<length>`, the PDU after the prompt, then the message reference from `+CMGS: <mr>`.
   * A timeout before the prompt has `pduWritten` false: nothing was submitted.
   */
  async submit(
    length: number,
    pdu: string,
    options: { promptTimeoutMs: number; answerTimeoutMs: number },
  ): Promise<number> {
    const command = `AT+CMGS=${length}`;
    const lines = await this.start(command, '+CMGS:', 'prompt', options.promptTimeoutMs, () => {
      const pending = this.pending!;
      pending.phase = 'result';
      this.arm(pending, options.answerTimeoutMs, true);
      this.write(`${pdu}${CTRL_Z}`);
    });
    const answer = lines.find((line) => line.startsWith('+CMGS:'));
    const mr = answer ? Number.parseInt(answer.slice(6).trim(), 10) : Number.NaN;
    if (!Number.isInteger(mr)) {
      throw new AtCommandError(
        command,
        `OK without a message reference (${lines.join(' | ')})`,
        null,
        'ERROR',
      );
    }
    return mr;
  }

  /** Writes bytes outside any command (ESC to leave a half-finished PDU prompt). */
  cancelInput(): void {
    this.write(`${ESC}\r`);
  }

  /**
   * Resolves once nothing came for `quietMs` (at most `10 × quietMs`), so a late answer to an
   * earlier command is not taken for the next one's. What comes meanwhile goes to `onUrc`.
   */
  settle(quietMs: number): Promise<void> {
    return new Promise((resolve) => {
      const deadline = setTimeout(finish, 10 * quietMs);
      let quiet = setTimeout(finish, quietMs);
      const onData = () => {
        clearTimeout(quiet);
        quiet = setTimeout(finish, quietMs);
      };
      const port = this.port;
      port.on('data', onData);
      function finish() {
        clearTimeout(deadline);
        clearTimeout(quiet);
        port.removeListener('data', onData);
        resolve();
      }
    });
  }

  /** Stops reading; a pending command rejects. Does not close the port. */
  detach(): void {
    this.fail(new AtClosedError('the AT channel was closed'), false);
  }

  private start(
    command: string,
    expect: string | undefined,
    phase: Phase,
    timeoutMs: number,
    onPrompt?: () => void,
  ): Promise<string[]> {
    if (this.closed) return Promise.reject(this.closed);
    if (this.pending) {
      return Promise.reject(
        new Error(
          `${redact(command)} while ${redact(this.pending.command)} is still in flight (one at a time)`,
        ),
      );
    }
    return new Promise<string[]>((resolve, reject) => {
      const pending: Pending = {
        command,
        expect,
        lines: [],
        phase,
        timer: undefined,
        resolve,
        reject,
        ...(onPrompt ? { onPrompt } : {}),
      };
      this.pending = pending;
      this.arm(pending, timeoutMs, false);
      this.write(`${command}\r`);
    });
  }

  private arm(pending: Pending, timeoutMs: number, pduWritten: boolean): void {
    clearTimeout(pending.timer);
    pending.timer = setTimeout(() => {
      if (this.pending !== pending) return;
      this.pending = undefined;
      pending.reject(new AtTimeoutError(redact(pending.command), timeoutMs, pduWritten));
    }, timeoutMs);
  }

  private write(data: string): void {
    this.options.trace?.(`> ${JSON.stringify(redact(data))}`);
    try {
      this.port.write(data, (error) => {
        if (error) this.fail(error);
      });
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private take(chunk: Buffer): void {
    if (this.closed) return;
    this.buffer += this.decoder.write(chunk);
    let end = this.buffer.search(/[\r\n]/);
    while (end !== -1) {
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 1);
      if (this.discarding) this.discarding = false;
      else this.line(line.trim());
      end = this.buffer.search(/[\r\n]/);
    }
    // The prompt comes without a line ending.
    if (this.pending?.phase === 'prompt' && /^\s*>\s*$/.test(this.buffer)) {
      this.buffer = '';
      this.prompted(this.pending);
    }
    if (this.buffer.length > this.maxLine) {
      this.options.onProblem(
        new Error(`the modem sent a line longer than ${this.maxLine} characters; dropped`),
        'reading the modem',
      );
      this.buffer = '';
      this.discarding = true;
    }
  }

  private line(line: string): void {
    if (!line) return;
    this.options.trace?.(`< ${line}`);
    if (this.urcAwaitingPdu !== undefined) {
      const urc = this.urcAwaitingPdu;
      this.urcAwaitingPdu = undefined;
      if (HEX_LINE.test(line)) {
        this.options.onUrc({ line: urc, pdu: line });
        return;
      }
      // The PDU is missing: hand out the header alone, and read this line as what it is.
      this.options.onUrc({ line: urc });
    }
    const pending = this.pending;
    if (pending) {
      if (line.toUpperCase() === pending.command.toUpperCase()) return; // echo (before ATE0)
      if (pending.phase === 'prompt' && /^>\s*$/.test(line)) {
        this.prompted(pending);
        return;
      }
      if (!(pending.expect && line.startsWith(pending.expect)) && this.unsolicited(line)) return;
      const result = finalResult(redact(pending.command), line);
      if (result === null) {
        if (pending.lines.length < MAX_ANSWER_LINES) pending.lines.push(line);
        return;
      }
      clearTimeout(pending.timer);
      this.pending = undefined;
      if (result === 'OK') pending.resolve(pending.lines);
      else pending.reject(result);
      return;
    }
    if (!this.unsolicited(line)) this.options.onUrc({ line });
  }

  /** Dispatches `line` when it is a URC; true when it was one. */
  private unsolicited(line: string): boolean {
    if (!URC.test(line)) return false;
    if (URC_WITH_PDU.test(line)) this.urcAwaitingPdu = line;
    else this.options.onUrc({ line });
    return true;
  }

  private prompted(pending: Pending): void {
    if (pending.phase !== 'prompt') return;
    pending.onPrompt?.();
  }

  private fail(error: Error, notify = true): void {
    if (this.closed) return;
    this.closed = error instanceof AtClosedError ? error : new AtClosedError(error.message);
    this.port.removeListener('data', this.onData);
    this.port.removeListener('error', this.onError);
    this.port.removeListener('close', this.onPortClose);
    const pending = this.pending;
    this.pending = undefined;
    if (pending) {
      clearTimeout(pending.timer);
      pending.reject(
        pending.phase === 'result' ? new AtClosedError(this.closed.message, true) : this.closed,
      );
    }
    if (notify) this.options.onClose?.(this.closed);
  }
}
