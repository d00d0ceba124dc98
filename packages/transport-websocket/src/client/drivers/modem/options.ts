/**
 * The `modem` driver's options: their defaults, and the check that turns them into the
 * settings the driver runs with.
 */
import type { ModemPort } from './at.js';

export interface ModemDriverOptions {
  /** The serial device, e.g. `/dev/ttyUSB0` or `COM3`. */
  port: string;
  /** Default 115200. */
  baudRate?: number;
  /** The SIM PIN, when the SIM asks for one. A refused PIN is never sent again. */
  pin?: string;
  /** Opens the port (tests pass a `SerialPortMock`); default `serialport`'s `SerialPort`. */
  openPort?: (options: { path: string; baudRate: number }) => Promise<ModemPort> | ModemPort;
  /** Longest wait for an answer to a command, and for the `> ` prompt of `AT+CMGS` (default 10 s). */
  commandTimeoutMs?: number;
  /** Longest wait for `+CMGS` after the PDU was written (default 60 s). */
  sendTimeoutMs?: number;
  /** Longest wait for network registration at start and after a reset (default 60 s). */
  registrationTimeoutMs?: number;
  /** Between two `AT+CREG?` (and `AT+CPIN?`) polls (default 2 s). */
  registrationPollMs?: number;
  /** Ask for status reports and report DELIVERED (default true). */
  statusReports?: boolean;
  /** A call has ended when no `RING` came for this long (default 8 s). */
  ringGapMs?: number;
  /** Wait before trying a failed reset again; doubled each time up to 60 s (default 2 s). */
  resetDelayMs?: number;
  /** Failed resets in a row after which waiting work fails (default 5); resets go on in the background. */
  maxResetAttempts?: number;
  /** After the gateway refused an inbound SMS, how long until it is offered again (default 60 s). */
  inboundRetryMs?: number;
  now?: () => number;
  /** A float in [0, 1), for the first concatenation reference. */
  random?: () => number;
  /** One line per notable event (default: nothing). */
  log?: (line: string) => void;
  /** Every AT line in (`< `) and out (`> `), for debugging (default: nothing). */
  trace?: (line: string) => void;
}

export const MODEM_DEFAULTS = Object.freeze({
  baudRate: 115_200,
  commandTimeoutMs: 10_000,
  sendTimeoutMs: 60_000,
  registrationTimeoutMs: 60_000,
  registrationPollMs: 2_000,
  ringGapMs: 8_000,
  resetDelayMs: 2_000,
  maxResetAttempts: 5,
  inboundRetryMs: 60_000,
});

export type Settings = { -readonly [K in keyof typeof MODEM_DEFAULTS]: number };

/** Every numeric option checked at once; one error lists every problem. */
export function settings(options: ModemDriverOptions): Settings {
  const hour = 3_600_000;
  const ranges: Record<keyof Settings, [number, number]> = {
    baudRate: [50, 4_000_000],
    commandTimeoutMs: [1, hour],
    sendTimeoutMs: [1, hour],
    registrationTimeoutMs: [1, 24 * hour],
    registrationPollMs: [1, hour],
    ringGapMs: [1, hour],
    resetDelayMs: [1, hour],
    maxResetAttempts: [1, 1_000],
    inboundRetryMs: [1, 24 * hour],
  };
  const out = { ...MODEM_DEFAULTS } as Settings;
  const problems: string[] = [];
  for (const name of Object.keys(ranges) as (keyof Settings)[]) {
    const value = options[name];
    const [min, max] = ranges[name];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got ${value}`);
    } else out[name] = value;
  }
  if (typeof options.port !== 'string' || !options.port) {
    problems.push('port is required: the serial device of the modem, e.g. /dev/ttyUSB0');
  }
  if (options.pin !== undefined && !/^\d{4,8}$/.test(options.pin)) {
    problems.push('pin must be 4 to 8 digits');
  }
  if (problems.length > 0) throw new RangeError(`modem driver: ${problems.join('; ')}`);
  return out;
}
