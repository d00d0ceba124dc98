/**
 * Opening the serial port and bringing a modem to the state the driver needs: answering,
 * echo off, numeric errors, SIM unlocked, registered, PDU mode, new-message and status-report
 * indications, caller id. Returns what is already in the modem's storage.
 */
import type { RadioStatus } from '../driver.js';
import { type AtChannel, AtCommandError, type ModemPort } from './at.js';
import { cmeReason } from './codes.js';
import { fields, parseList, parseRegistration, type StoredPdu } from './responses.js';

export interface Listing {
  /** The storage reads and deletes apply to (`"SM"`, `"ME"`…), null when the modem did not say. */
  memory: string | null;
  stored: StoredPdu[];
}

/** A setup problem that retrying cannot fix (a wrong PIN must never be sent twice). */
export class ModemSetupError extends Error {
  override readonly name = 'ModemSetupError';
  constructor(
    message: string,
    /** True when the driver must not try again by itself (PIN missing or refused, PUK needed). */
    readonly fatal: boolean,
  ) {
    super(message);
  }
}

/** What became of the PIN, kept across resets: a PIN is never sent where it may be wrong. */
export interface PinState {
  refused: boolean;
  /** PIN entries the modem did not answer. */
  unanswered: number;
}

export interface SetupOptions {
  port: string;
  pin: string | undefined;
  commandTimeoutMs: number;
  registrationTimeoutMs: number;
  registrationPollMs: number;
  statusReports: boolean;
  log(line: string): void;
  problem(error: Error, context: string): void;
  /** True once the driver is stopping: waits end early. */
  stopping(): boolean;
}

/** Tries of `AT` before the modem is taken for dead. */
const AT_TRIES = 3;
/** `AT+CPIN?` polls after the PIN was entered (the SIM takes a moment). */
const PIN_POLLS = 10;
/** Longest wait for a late answer before the first command. */
const MAX_SETTLE_MS = 250;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sleeps between polls; throws when the driver is stopping. */
async function nap(options: SetupOptions): Promise<void> {
  if (options.stopping()) throw new Error('the modem driver is stopping');
  await sleep(options.registrationPollMs);
  if (options.stopping()) throw new Error('the modem driver is stopping');
}

export type Registration = NonNullable<RadioStatus['registration']>;

export function registered(state: Registration | undefined): boolean {
  return state === 'home' || state === 'roaming';
}

/** CS registration (`+CREG`), or EPS (`+CEREG`) on LTE-only networks where CREG says nothing. */
export async function readRegistration(
  at: AtChannel,
  timeoutMs: number,
): Promise<Registration | undefined> {
  const cs = parseRegistration(await at.command('AT+CREG?', { timeoutMs, expect: '+CREG:' }));
  if (registered(cs)) return cs;
  try {
    const lines = await at.command('AT+CEREG?', { timeoutMs, expect: '+CEREG:' });
    const eps = parseRegistration(lines.map((line) => line.replace(/^\+CEREG:/, '+CREG:')));
    if (registered(eps)) return eps;
  } catch (error) {
    if (!(error instanceof AtCommandError)) throw error;
  }
  return cs;
}

/** Runs the whole setup on an open channel; the PIN state is kept by the caller across resets. */
export async function initialise(
  at: AtChannel,
  options: SetupOptions,
  pinState: PinState,
): Promise<Listing> {
  const timeoutMs = options.commandTimeoutMs;
  at.cancelInput(); // leaves a PDU prompt a previous run may have left open
  await at.settle(Math.min(MAX_SETTLE_MS, Math.ceil(timeoutMs / 4)));
  await answering(at, options);
  await at.command('ATE0', { timeoutMs });
  await optional(at, 'AT+CMEE=1', options);
  await unlock(at, options, pinState);
  await waitForNetwork(at, options);
  try {
    await at.command('AT+CMGF=0', { timeoutMs });
  } catch (error) {
    if (!(error instanceof AtCommandError)) throw error;
    throw new ModemSetupError(
      `the modem on ${options.port} refused PDU mode (AT+CMGF=0): ${error.result}`,
      false,
    );
  }
  await indications(at, options);
  await optional(at, 'AT+CLIP=1', options);
  return listStorage(at, timeoutMs, options.problem);
}

/** What the modem holds (`AT+CMGL=4`: all, in PDU mode), and the storage it reads from (`AT+CPMS?`). */
export async function listStorage(
  at: AtChannel,
  timeoutMs: number,
  problem: (error: Error, context: string) => void,
): Promise<Listing> {
  let memory: string | null = null;
  try {
    const lines = await at.command('AT+CPMS?', { timeoutMs, expect: '+CPMS:' });
    const line = lines.find((l) => l.startsWith('+CPMS:'));
    memory = line ? (fields(line, '+CPMS:')?.[0]?.toUpperCase() ?? null) || null : null;
  } catch (error) {
    if (!(error instanceof AtCommandError)) throw error;
  }
  try {
    return {
      memory,
      stored: parseList(await at.command('AT+CMGL=4', { timeoutMs, expect: '+CMGL:' })),
    };
  } catch (error) {
    if (!(error instanceof AtCommandError)) throw error;
    problem(error, 'listing the SMS stored in the modem');
    return { memory, stored: [] };
  }
}

async function answering(at: AtChannel, options: SetupOptions): Promise<void> {
  let last: unknown;
  for (let attempt = 0; attempt < AT_TRIES; attempt++) {
    try {
      await at.command('AT', { timeoutMs: options.commandTimeoutMs });
      return;
    } catch (error) {
      last = error;
      if (at.isClosed) break;
    }
  }
  const why = last instanceof Error ? last.message : String(last);
  throw new Error(`the modem on ${options.port} does not answer AT (${why})`);
}

/** A command some modems do not know: reported, not fatal. */
async function optional(at: AtChannel, command: string, options: SetupOptions): Promise<void> {
  try {
    await at.command(command, { timeoutMs: options.commandTimeoutMs });
  } catch (error) {
    if (!(error instanceof AtCommandError)) throw error;
    options.problem(error, `setting up the modem (${command}); carrying on`);
  }
}

async function simState(at: AtChannel, options: SetupOptions): Promise<string> {
  try {
    const lines = await at.command('AT+CPIN?', {
      timeoutMs: options.commandTimeoutMs,
      expect: '+CPIN:',
    });
    const line = lines.find((l) => l.startsWith('+CPIN:'));
    return line ? line.slice(6).trim().toUpperCase() : 'READY';
  } catch (error) {
    if (!(error instanceof AtCommandError)) throw error;
    if (error.kind === 'CME' && error.code === 10) {
      throw new ModemSetupError(`no SIM in the modem on ${options.port} (${cmeReason(10)})`, false);
    }
    // SIM busy (14) right after power-up: asked again.
    if (error.kind === 'CME' && error.code === 14) return 'BUSY';
    throw new ModemSetupError(
      `the modem on ${options.port} cannot read its SIM: ${cmeReason(error.code, error.result)}`,
      false,
    );
  }
}

async function unlock(at: AtChannel, options: SetupOptions, pinState: PinState): Promise<void> {
  let state = await simState(at, options);
  for (let poll = 0; state === 'BUSY' && poll < PIN_POLLS; poll++) {
    await nap(options);
    state = await simState(at, options);
  }
  if (state === 'READY') return;
  if (state === 'SIM PUK' || state === 'SIM PUK2') {
    throw new ModemSetupError(
      'the SIM is locked (PUK needed): unlock it in a phone with the PUK from the operator',
      true,
    );
  }
  if (state !== 'SIM PIN') {
    throw new ModemSetupError(`the SIM asks for "${state}", which this driver cannot give`, true);
  }
  if (pinState.refused) {
    throw new ModemSetupError('the SIM refused the PIN earlier; not sent again', true);
  }
  if (!options.pin) {
    throw new ModemSetupError(
      'the SIM needs a PIN: give the modem driver its pin (textport-phone: TEXTPORT_MODEM_PIN)',
      true,
    );
  }
  if (pinState.unanswered > 0) {
    // It may have been wrong: a second unanswered try could be the third wrong one.
    throw new ModemSetupError(
      'the modem stopped answering after the PIN was sent, and the SIM still asks for it; not sent again',
      true,
    );
  }
  try {
    await at.command(`AT+CPIN="${options.pin}"`, { timeoutMs: options.commandTimeoutMs });
  } catch (error) {
    if (!(error instanceof AtCommandError)) {
      pinState.unanswered += 1;
      throw error;
    }
    pinState.refused = true;
    throw new ModemSetupError(
      `the SIM refused the PIN (${cmeReason(error.code, error.result)}); not retried: a SIM locks after three wrong PINs`,
      true,
    );
  }
  options.log('SIM PIN accepted');
  for (let poll = 0; poll < PIN_POLLS; poll++) {
    state = await simState(at, options);
    if (state === 'READY') return;
    await nap(options);
  }
  throw new ModemSetupError(`the SIM is not ready after its PIN (it says "${state}")`, false);
}

async function waitForNetwork(at: AtChannel, options: SetupOptions): Promise<void> {
  const polls = Math.max(1, Math.ceil(options.registrationTimeoutMs / options.registrationPollMs));
  let state: Registration | undefined;
  for (let poll = 0; poll < polls; poll++) {
    state = await readRegistration(at, options.commandTimeoutMs);
    if (registered(state)) {
      options.log(`registered (${state})`);
      return;
    }
    if (poll + 1 < polls) await nap(options);
  }
  throw new ModemSetupError(
    `the modem on ${options.port} is not registered on a network after ${options.registrationTimeoutMs} ms (${state ?? 'no answer to AT+CREG?'})`,
    false,
  );
}

/** New SMS as `+CMTI`, status reports as `+CDS` (or stored, `+CDSI`, where `+CDS` is refused). */
async function indications(at: AtChannel, options: SetupOptions): Promise<void> {
  const tries = options.statusReports
    ? ['AT+CNMI=2,1,0,1,0', 'AT+CNMI=2,1,0,2,0', 'AT+CNMI=1,1,0,1,0']
    : ['AT+CNMI=2,1,0,0,0', 'AT+CNMI=1,1,0,0,0'];
  let last: AtCommandError | undefined;
  for (const command of tries) {
    try {
      await at.command(command, { timeoutMs: options.commandTimeoutMs });
      return;
    } catch (error) {
      if (!(error instanceof AtCommandError)) throw error;
      last = error;
    }
  }
  options.problem(
    new Error(
      `the modem refused every AT+CNMI setting (${last?.result}); new SMS are read only at start`,
    ),
    'setting up new-message indications',
  );
}

/** `new SerialPort({ path, baudRate })` from the optional `serialport` package, once open. */
export async function openSerialPort(path: string, baudRate: number): Promise<ModemPort> {
  let serialport: typeof import('serialport');
  try {
    serialport = await import('serialport');
  } catch (error) {
    throw new Error(
      'the modem driver needs the serialport package: npm install serialport (it is an optional dependency)',
      { cause: error },
    );
  }
  const port = new serialport.SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => {
    port.open((error) => {
      if (!error) return resolve();
      const hint = /permission/i.test(error.message)
        ? ' (is the user in the dialout group?)'
        : /lock|busy/i.test(error.message)
          ? ' (is another program, such as ModemManager, holding it?)'
          : '';
      reject(new Error(`cannot open ${path}: ${error.message}${hint}`, { cause: error }));
    });
  });
  return port;
}
