/**
 * `textport-phone`: a phone on the command line. It connects to a textport
 * gateway over WebSocket and puts a radio behind it: `virtual` (simulated sends),
 * `termux` (an Android phone running Termux:API) or `modem` (a GSM modem on a
 * serial port). `runPhoneCli` is the whole command, callable in-process.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { RadioDriver, Sim } from './client/drivers/driver.js';
import type { ModemDriverOptions } from './client/drivers/modem/index.js';
import { FileJournal } from './client/journal.js';
import { RadioPhone } from './client/radio-phone.js';
import { createVirtualDriver } from './client/virtual-phone.js';

export const PHONE_CLI_HELP = `Usage: textport-phone [options]

  --url <ws-url>          gateway socket (env TEXTPORT_URL; default ws://localhost:3000/v1/phones/ws)
  --api-key <key>         phone key pk_… or user key uk_… (env TEXTPORT_API_KEY; prefer the env:
                          arguments are visible to other users of the machine)
  --phone <+E164>         number to serve; repeat or comma-separate (env TEXTPORT_PHONE_NUMBERS;
                          default every number the key serves)
  --register              register the numbers the key does not serve yet
  --encryption-key <key>  passphrase for encrypted messages (env TEXTPORT_ENCRYPTION_KEY)
  --driver <name>         the radio: virtual (default), termux or modem (env TEXTPORT_PHONE_DRIVER)
  --state-dir <dir>       where the phone remembers what it sent (and the driver's state), so a
                          restart never sends a message twice (env TEXTPORT_PHONE_STATE_DIR;
                          default ~/.textport-phone for termux and modem; virtual: in memory)

  virtual:
  --delay <ms>            time each simulated send takes (default 0)
  --failure-rate <0..1>   share of sends that fail with GENERIC_FAILURE (default 0)
  --deliver               also report DELIVERED after SENT

  termux (Android phone with Termux and Termux:API):
  --sim <SIM1|SIM2>       SIM to send with (default: the phone's default SMS SIM)
  --poll <ms>             how often to look for received SMS and missed calls (default 15000)
  --backfill              at the first start, report the SMS and missed calls already on the phone

  modem (GSM modem on a serial port):
  --port <path>           serial device, e.g. /dev/ttyUSB0 (env TEXTPORT_MODEM_PORT)
  --baud <rate>           baud rate (default 115200)
  --pin <pin>             SIM PIN, when the SIM asks for one (env TEXTPORT_MODEM_PIN; prefer the env)

  --help                  show this text
`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface PhoneCliIo {
  env: NodeJS.ProcessEnv;
  /** One line of what the radio did (sends, failures). */
  out(line: string): void;
  /** One line of status (connections, problems). */
  err(line: string): void;
  /** Opens the modem's port instead of `serialport` (tests: an emulator). */
  openModemPort?: ModemDriverOptions['openPort'];
}

export interface PhoneCliRun {
  phone: RadioPhone;
  /** Stops the radio, closes the link and the journal. */
  stop(): Promise<void>;
}

const DRIVERS = ['virtual', 'termux', 'modem'] as const;

function numberArg(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) {
    throw new UsageError(`--${name} must be a number, got "${text}"`);
  }
  return value;
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: {
        url: { type: 'string' },
        'api-key': { type: 'string' },
        phone: { type: 'string', multiple: true },
        register: { type: 'boolean' },
        'encryption-key': { type: 'string' },
        driver: { type: 'string' },
        'state-dir': { type: 'string' },
        delay: { type: 'string' },
        'failure-rate': { type: 'string' },
        deliver: { type: 'boolean' },
        sim: { type: 'string' },
        poll: { type: 'string' },
        backfill: { type: 'boolean' },
        port: { type: 'string' },
        baud: { type: 'string' },
        pin: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

type Values = ReturnType<typeof parse>;

async function createDriver(
  name: (typeof DRIVERS)[number],
  values: Values,
  stateDir: string | undefined,
  io: PhoneCliIo,
): Promise<RadioDriver> {
  const log = (line: string) => io.out(`${new Date().toISOString()} ${line}`);
  if (name === 'virtual') {
    return createVirtualDriver({
      delayMs: numberArg('delay', values.delay, 0),
      failureRate: numberArg('failure-rate', values['failure-rate'], 0),
      deliver: values.deliver === true,
      log,
    });
  }
  if (!stateDir) throw new UsageError(`the ${name} driver needs --state-dir`);
  if (name === 'termux') {
    const sim = values.sim;
    if (sim !== undefined && sim !== 'SIM1' && sim !== 'SIM2') {
      throw new UsageError(`--sim must be SIM1 or SIM2, got "${sim}"`);
    }
    const { createTermuxDriver } = await import('./client/drivers/termux.js');
    return createTermuxDriver({
      stateFile: join(stateDir, 'termux.json'),
      ...(sim ? { sim: sim as Sim } : {}),
      pollIntervalMs: numberArg('poll', values.poll, 15_000),
      backfill: values.backfill === true,
      env: io.env,
      log,
    });
  }
  const port = values.port ?? io.env.TEXTPORT_MODEM_PORT;
  if (!port) throw new UsageError('the modem driver needs --port (or TEXTPORT_MODEM_PORT)');
  const pin = values.pin ?? io.env.TEXTPORT_MODEM_PIN;
  const { createModemDriver } = await import('./client/drivers/modem/index.js');
  return createModemDriver({
    port,
    baudRate: numberArg('baud', values.baud, 115_200),
    ...(pin ? { pin } : {}),
    ...(io.openModemPort ? { openPort: io.openModemPort } : {}),
    log,
  });
}

/**
 * Runs `textport-phone` with `argv` (without the node and script names): resolves
 * once connected (or with `null` after `--help`); throws `UsageError` for bad
 * arguments and the connection's error when the gateway refuses the phone.
 */
export async function runPhoneCli(
  argv: readonly string[],
  io: PhoneCliIo,
): Promise<PhoneCliRun | null> {
  const values = parse(argv);
  if (values.help) {
    io.out(PHONE_CLI_HELP);
    return null;
  }
  const { env } = io;
  const apiKey = values['api-key'] ?? env.TEXTPORT_API_KEY;
  if (!apiKey) throw new UsageError('an API key is required (--api-key or TEXTPORT_API_KEY)');
  const driverName = values.driver ?? env.TEXTPORT_PHONE_DRIVER ?? 'virtual';
  if (!(DRIVERS as readonly string[]).includes(driverName)) {
    throw new UsageError(`--driver must be one of ${DRIVERS.join(', ')}, got "${driverName}"`);
  }
  const name = driverName as (typeof DRIVERS)[number];
  const stateDir =
    values['state-dir'] ??
    env.TEXTPORT_PHONE_STATE_DIR ??
    (name === 'virtual' ? undefined : join(homedir(), '.textport-phone'));
  const phones = (values.phone ?? (env.TEXTPORT_PHONE_NUMBERS ? [env.TEXTPORT_PHONE_NUMBERS] : []))
    .flatMap((p) => p.split(','))
    .map((p) => p.trim())
    .filter(Boolean);
  const url = values.url ?? env.TEXTPORT_URL ?? 'ws://localhost:3000/v1/phones/ws';
  const driver = await createDriver(name, values, stateDir, io);
  const journal = stateDir ? new FileJournal(join(stateDir, 'journal.jsonl')) : undefined;
  const phone = new RadioPhone({
    url,
    apiKey,
    phoneNumbers: phones,
    register: values.register === true,
    encryptionKey: values['encryption-key'] ?? env.TEXTPORT_ENCRYPTION_KEY ?? null,
    driver,
    ...(journal ? { journal } : {}),
  });
  const say = (line: string) => io.err(`${new Date().toISOString()} ${line}`);
  phone.on('connected', (w) =>
    say(
      `connected to ${url} (${driver.name} radio); serving ${w.phones.map((p) => `${p.phone_number} (${p.sim})`).join(', ')}`,
    ),
  );
  phone.on('disconnected', (d) =>
    say(
      `disconnected (${d.code}${d.reason ? `: ${d.reason}` : ''})${d.willReconnect ? '; reconnecting' : ''}`,
    ),
  );
  phone.on('sent', (sms) => say(`SENT ${sms.id} to ${sms.to}`));
  phone.on('delivered', (id) => say(`DELIVERED ${id}`));
  phone.on('failed', (id, reason) => say(`FAILED ${id}: ${reason}`));
  phone.on('recovered', (id, entry) => say(`${id} was ${entry.state} before a restart; reported`));
  phone.on('problem', (error, context) => say(`${context}: ${error.message}`));
  const stop = async () => {
    await phone.stop();
    journal?.close();
  };
  try {
    await phone.start();
  } catch (error) {
    await stop();
    throw error;
  }
  return { phone, stop };
}
