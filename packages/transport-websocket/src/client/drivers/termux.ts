/**
 * The `termux` radio driver: an Android phone running Termux with the Termux:API
 * app and the `termux-api` package. It sends with `termux-sms-send`, polls
 * `termux-sms-list` and `termux-call-log` for inbound SMS and missed calls, and
 * reads `termux-battery-status` for heartbeats.
 *
 * What it relies on (termux-api-package scripts and the Termux:API app sources):
 * - Every command runs `libexec/termux-api`, which hands the call to the app and
 *   prints its answer. When the app is missing or cannot start, the call can hang
 *   for ever: every command here has a timeout, and its process group is killed.
 * - A missing permission is answered `{"error": "Please grant the following
 *   permission…"}` with exit status 0 (and the app asks for it on screen); shell
 *   usage errors ("no recipient number given", "illegal option") exit 1.
 * - `termux-sms-send -n <number> [-s <slot>]` prints nothing when the app took
 *   the message: it calls `SmsManager.sendMultipartTextMessage` without sent or
 *   delivery intents, so `ok` means "handed to Android", and there are no
 *   delivery reports. `-s` is the SIM slot index (0, 1); an unknown slot fails
 *   silently (logged by the app only). `-n` takes comma-separated numbers, so the
 *   recipient is checked to be one number. The text is written to stdin, not
 *   given as arguments: the script would pass arguments through dash's
 *   `echo "$@"` (which interprets backslash escapes) and through getopts (text
 *   starting with `-` is an "illegal option"); stdin reaches the app as it is,
 *   except that the app trims surrounding whitespace.
 * - `termux-sms-list -t inbox -l <n> -o <offset>` queries `date DESC LIMIT n
 *   OFFSET o` but prints each page reversed (oldest first), as JSON objects with
 *   `threadid`, `type`, `read`, `number` (newer: `address` too, and `sender` for
 *   contacts), `received` ("yyyy-MM-dd HH:mm:ss", phone time zone; the time the
 *   phone stored it), `body` and, in newer app versions, `_id` (the row id).
 *   The order printed is not relied on: entries are sorted by date and `_id`.
 * - `termux-call-log -l <n> -o <offset>` (there is no `termux-telephony-call-log`)
 *   pages the same way: `name`, `phone_number`, `type` (MISSED, INCOMING,
 *   OUTGOING, REJECTED, BLOCKED, VOICEMAIL…), `date` (as above), `duration`
 *   ("mm:ss"), newer `sim_id`. It has no row id: an entry is known by a hash.
 * - `termux-battery-status`: `percentage` (older: `level`/`scale`), `plugged`
 *   (UNPLUGGED, PLUGGED_AC, PLUGGED_USB, PLUGGED_WIRELESS…), `status` (CHARGING,
 *   DISCHARGING, FULL, NOT_CHARGING, UNKNOWN), `health`, `temperature`…
 */
import type { OutgoingSms, SendResult } from '../phone-types.js';
import type { RadioDriver, RadioSink, RadioStatus, Sim } from './driver.js';
import { type FeedHooks, type FeedLimits, InboundFeed } from './termux/feed.js';
import {
  type ListedCall,
  type ListedSms,
  parseBattery,
  parseCallLog,
  parseJsonOutput,
  parseSmsList,
  quote,
  toolError,
} from './termux/parse.js';
import { runCommand } from './termux/run.js';
import { loadState, saveState, type TermuxState } from './termux/state.js';

export interface TermuxDriverOptions {
  /** A small JSON file remembering which SMS and missed calls were reported. */
  stateFile: string;
  /** The SIM slot to send from (`-s 0` / `-s 1`); default the phone's default SIM. */
  sim?: Sim;
  /** How often the inbox and call log are read (default 15 s). */
  pollIntervalMs?: number;
  /** Longest a `termux-*` command may take (default 30 s). */
  commandTimeoutMs?: number;
  /** On the first run, report what is already in the inbox and call log (default false). */
  backfill?: boolean;
  /** Also report missed calls (default true; needs the call log permission). */
  missedCalls?: boolean;
  /** Entries read per command (`-l`, default 50). */
  pageSize?: number;
  /** Polls a refused SMS or call is offered in before it is given up (default 5). */
  maxReportAttempts?: number;
  /** Environment of the commands (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Clock, for entries whose date the tool printed unreadably. */
  now?: () => number;
  /** One line per notable event (default: nothing). */
  log?: (line: string) => void;
}

export interface TermuxDriver extends RadioDriver {
  readonly name: 'termux';
  status(): Promise<RadioStatus>;
  /** Reads the inbox and call log now (after a poll in progress); never rejects. */
  pollNow(): Promise<void>;
}

export const TERMUX_DEFAULTS = Object.freeze({
  pollIntervalMs: 15_000,
  commandTimeoutMs: 30_000,
  pageSize: 50,
  maxReportAttempts: 5,
});

/** Keys remembered per feed. */
const REMEMBERED = 1_000;
/** Pages read per poll at most (with the default page size, 1,000 entries). */
const MAX_PAGES = 20;
/** How far behind the newest date an entry not yet seen is still taken for new. */
const GRACE_MS = 60 * 60_000;
/** Output read from a list command at most. */
const LIST_BYTES = 8 * 1024 * 1024;
/** Output read from `termux-sms-send` and `termux-battery-status` at most. */
const SMALL_BYTES = 64 * 1024;
/** One number, as `-n` must get it (a comma would send to several). */
const RECIPIENT = /^\+?[0-9]{1,20}$/;

function whole(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be a whole number from ${min} to ${max}, got ${value}`);
  }
  return value;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Why a send failed, in the tool's words when it said something. */
function sendFailure(code: number | null, signal: string | null, stdout: string, stderr: string) {
  let said = '';
  try {
    said = toolError(JSON.parse(stdout)) ?? '';
  } catch {
    // Not JSON: quote it as printed.
  }
  said ||= quote([stdout.trim(), stderr.trim()].filter(Boolean).join('\n'));
  const how = code === null ? `was killed (${signal})` : `exited with status ${code}`;
  if (!said) return `termux-sms-send ${how}`;
  return code === 0 ? `termux-sms-send: ${said}` : `termux-sms-send ${how}: ${said}`;
}

class TermuxRadio implements TermuxDriver {
  readonly name = 'termux';
  private readonly pollIntervalMs: number;
  private readonly commandTimeoutMs: number;
  private readonly env: NodeJS.ProcessEnv;
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private readonly limits: FeedLimits;
  private sink: RadioSink | undefined;
  private sms: InboundFeed<ListedSms> | undefined;
  private calls: InboundFeed<ListedCall> | undefined;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();
  private sending: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: TermuxDriverOptions) {
    if (typeof options.stateFile !== 'string' || !options.stateFile) {
      throw new TypeError(
        'stateFile is required: a path where the driver remembers what it reported',
      );
    }
    if (options.sim !== undefined && options.sim !== 'SIM1' && options.sim !== 'SIM2') {
      throw new RangeError(`sim must be SIM1 or SIM2, got ${String(options.sim)}`);
    }
    this.pollIntervalMs = whole(
      'pollIntervalMs',
      options.pollIntervalMs ?? TERMUX_DEFAULTS.pollIntervalMs,
      1,
      86_400_000,
    );
    this.commandTimeoutMs = whole(
      'commandTimeoutMs',
      options.commandTimeoutMs ?? TERMUX_DEFAULTS.commandTimeoutMs,
      1,
      3_600_000,
    );
    this.limits = {
      pageSize: whole('pageSize', options.pageSize ?? TERMUX_DEFAULTS.pageSize, 1, 1_000),
      maxPages: MAX_PAGES,
      capacity: REMEMBERED,
      maxAttempts: whole(
        'maxReportAttempts',
        options.maxReportAttempts ?? TERMUX_DEFAULTS.maxReportAttempts,
        1,
        1_000,
      ),
      graceMs: GRACE_MS,
      backfill: options.backfill === true,
    };
    this.env = options.env ?? process.env;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
  }

  send(sms: OutgoingSms): Promise<SendResult> {
    // One at a time: the app and the radio take them in order.
    const result = this.sending.then(() => this.sendNow(sms));
    this.sending = result.catch(() => {});
    return result;
  }

  private async sendNow(sms: OutgoingSms): Promise<SendResult> {
    const to = sms.to.trim();
    if (!RECIPIENT.test(to)) {
      return {
        ok: false,
        reason: `termux-sms-send takes one number (digits, optional +), got ${quote(sms.to)}`,
      };
    }
    if (!sms.content.trim()) return { ok: false, reason: 'the message is empty' };
    const args = ['-n', to];
    if (this.options.sim) args.push('-s', this.options.sim === 'SIM2' ? '1' : '0');
    try {
      const { code, signal, stdout, stderr } = await runCommand('termux-sms-send', args, {
        env: this.env,
        timeoutMs: this.commandTimeoutMs,
        maxBytes: SMALL_BYTES,
        input: sms.content,
      });
      // Success prints nothing; anything printed is the app or the script refusing.
      if (code === 0 && !stdout.trim() && !stderr.trim()) {
        this.log(`sent ${sms.id} to ${to}`);
        return { ok: true };
      }
      const reason = sendFailure(code, signal, stdout, stderr);
      this.log(`not sent ${sms.id} to ${to}: ${reason}`);
      return { ok: false, reason };
    } catch (error) {
      const reason = quote(asError(error).message);
      this.log(`not sent ${sms.id} to ${to}: ${reason}`);
      return { ok: false, reason };
    }
  }

  async start(sink: RadioSink): Promise<void> {
    if (this.running) throw new Error('the Termux driver is already started');
    const saved = loadState(this.options.stateFile);
    this.sink = sink;
    const hooks: FeedHooks = {
      save: () => this.save(),
      problem: (error, context) => this.problem(error, context),
      log: (line) => this.log(line),
    };
    this.sms = new InboundFeed(
      {
        what: 'SMS',
        fetch: (offset, limit) => this.listSms(offset, limit),
        deliver: (sms) =>
          sink.received({
            from: sms.from,
            content: sms.content,
            ...(sms.timeKnown ? { timestamp: sms.timeMs } : {}),
          }),
        describe: (sms) => `SMS from ${sms.from || 'an unknown sender'}`,
      },
      this.limits,
      hooks,
      saved?.sms,
    );
    this.calls =
      this.options.missedCalls === false
        ? undefined
        : new InboundFeed(
            {
              what: 'call log',
              fetch: (offset, limit) => this.listCalls(offset, limit),
              deliver: (call) =>
                sink.missedCall({
                  from: call.from,
                  ...(call.timeKnown ? { timestamp: call.timeMs } : {}),
                }),
              describe: (call) => `missed call from ${call.from || 'an unknown number'}`,
            },
            this.limits,
            hooks,
            saved?.calls,
          );
    this.running = true;
    this.log(`started (state in ${this.options.stateFile})`);
    void this.pollNow();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
    await this.sending;
  }

  pollNow(): Promise<void> {
    if (!this.sink) return Promise.reject(new Error('the Termux driver is not started'));
    clearTimeout(this.timer);
    const poll = this.polling.then(() => this.pollOnce());
    this.polling = poll;
    return poll;
  }

  async status(): Promise<RadioStatus> {
    try {
      const stdout = await this.run('termux-battery-status', [], SMALL_BYTES);
      return parseBattery(parseJsonOutput('termux-battery-status', stdout));
    } catch (error) {
      if (this.running) this.problem(asError(error), 'termux-battery-status');
      else this.log(`battery status unknown: ${asError(error).message}`);
      return {};
    }
  }

  /** Never rejects: a failing or hanging command is reported and tried next interval. */
  private async pollOnce(): Promise<void> {
    if (!this.running) return;
    for (const [feed, context] of [
      [this.sms, 'termux-sms-list'],
      [this.calls, 'termux-call-log'],
    ] as const) {
      if (!feed || !this.running) continue;
      try {
        await feed.poll();
      } catch (error) {
        this.problem(asError(error), context);
      }
    }
    if (this.running) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.pollNow(), this.pollIntervalMs);
    }
  }

  private async listSms(offset: number, limit: number): Promise<ListedSms[]> {
    const args = ['-t', 'inbox', '-l', String(limit), '-o', String(offset)];
    const stdout = await this.run('termux-sms-list', args, LIST_BYTES);
    const { entries, skipped } = parseSmsList(
      parseJsonOutput('termux-sms-list', stdout),
      this.now(),
    );
    this.skipped('termux-sms-list', skipped);
    return entries;
  }

  private async listCalls(offset: number, limit: number): Promise<ListedCall[]> {
    const args = ['-l', String(limit), '-o', String(offset)];
    const stdout = await this.run('termux-call-log', args, LIST_BYTES);
    const { entries, skipped } = parseCallLog(
      parseJsonOutput('termux-call-log', stdout),
      this.now(),
    );
    this.skipped('termux-call-log', skipped);
    return entries;
  }

  private skipped(command: string, count: number): void {
    if (count > 0) {
      this.problem(new Error(`${command} printed ${count} entries that are not objects`), command);
    }
  }

  /** The command's stdout when it exited 0; otherwise an error quoting what it said. */
  private async run(command: string, args: string[], maxBytes: number): Promise<string> {
    const { code, signal, stdout, stderr } = await runCommand(command, args, {
      env: this.env,
      timeoutMs: this.commandTimeoutMs,
      maxBytes,
    });
    if (code === 0) return stdout;
    const how = code === null ? `was killed (${signal})` : `exited with status ${code}`;
    const said = quote([stdout.trim(), stderr.trim()].filter(Boolean).join('\n'));
    throw new Error(said ? `${command} ${how}: ${said}` : `${command} ${how}`);
  }

  private save(): void {
    const state: TermuxState = { version: 1 };
    const sms = this.sms?.state();
    const calls = this.calls?.state();
    if (sms) state.sms = sms;
    if (calls) state.calls = calls;
    try {
      saveState(this.options.stateFile, state);
    } catch (error) {
      this.problem(asError(error), `saving ${this.options.stateFile}`);
    }
  }

  /** Reports to the sink; a sink that throws must not stop the polling. */
  private problem(error: Error, context: string): void {
    try {
      this.sink?.problem(error, context);
    } catch (thrown) {
      this.log(`${context}: ${error.message} (and the sink threw: ${asError(thrown).message})`);
    }
  }
}

/** A `RadioDriver` for an Android phone under Termux with Termux:API. */
export function createTermuxDriver(options: TermuxDriverOptions): TermuxDriver {
  return new TermuxRadio(options);
}
