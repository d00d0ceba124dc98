#!/usr/bin/env node
/**
 * `textport-phone`: a virtual phone on the command line. It connects to a
 * textport gateway over WebSocket, "sends" each pushed message after a delay
 * (failing some on request), prints it, and reports SENT (and DELIVERED).
 */
import { parseArgs } from 'node:util';
import { createVirtualPhone, type VirtualPhone } from './client/virtual-phone.js';

const HELP = `Usage: textport-phone [options]

  --url <ws-url>          gateway socket (env TEXTPORT_URL; default ws://localhost:3000/v1/phones/ws)
  --api-key <key>         phone key pk_… or user key uk_… (env TEXTPORT_API_KEY; prefer the env:
                          arguments are visible to other users of the machine)
  --phone <+E164>         number to serve; repeat or comma-separate (env TEXTPORT_PHONE_NUMBERS;
                          default every number the key serves)
  --register              register the numbers the key does not serve yet
  --delay <ms>            time each simulated send takes (default 0)
  --failure-rate <0..1>   share of sends that fail with GENERIC_FAILURE (default 0)
  --deliver               also report DELIVERED after SENT
  --encryption-key <key>  passphrase for encrypted messages (env TEXTPORT_ENCRYPTION_KEY)
  --help                  show this text
`;

function fail(message: string): never {
  process.stderr.write(`textport-phone: ${message}\n\n${HELP}`);
  process.exit(2);
}

function numberArg(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    fail(`--${name} must be a number, got "${text}"`);
  return value;
}

async function main(): Promise<void> {
  const env = process.env;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    fail((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const apiKey = values['api-key'] ?? env.TEXTPORT_API_KEY;
  if (!apiKey) fail('an API key is required (--api-key or TEXTPORT_API_KEY)');
  const phones = (values.phone ?? (env.TEXTPORT_PHONE_NUMBERS ? [env.TEXTPORT_PHONE_NUMBERS] : []))
    .flatMap((p) => p.split(','))
    .map((p) => p.trim())
    .filter(Boolean);
  const url = values.url ?? env.TEXTPORT_URL ?? 'ws://localhost:3000/v1/phones/ws';
  const options = {
    url,
    apiKey,
    phoneNumbers: phones,
    register: values.register === true,
    delayMs: numberArg('delay', values.delay, 0),
    failureRate: numberArg('failure-rate', values['failure-rate'], 0),
    deliver: values.deliver === true,
    encryptionKey: values['encryption-key'] ?? env.TEXTPORT_ENCRYPTION_KEY ?? null,
    log: (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  };
  let phone: VirtualPhone;
  try {
    phone = createVirtualPhone(options);
  } catch (error) {
    fail((error as Error).message);
  }
  const say = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  phone.on('connected', (w) =>
    say(
      `connected to ${url}; serving ${w.phones.map((p) => `${p.phone_number} (${p.sim})`).join(', ')}`,
    ),
  );
  phone.on('disconnected', (d) =>
    say(
      `disconnected (${d.code}${d.reason ? `: ${d.reason}` : ''})${d.willReconnect ? '; reconnecting' : ''}`,
    ),
  );
  phone.on('failed', (id, reason) => say(`reported FAILED for ${id}: ${reason}`));
  phone.on('problem', (error, context) => say(`${context}: ${error.message}`));
  const stop = () => void phone.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await phone.connect();
  } catch (error) {
    say((error as Error).message);
    process.exitCode = 1;
    await phone.close();
  }
}

function parse() {
  return parseArgs({
    options: {
      url: { type: 'string' },
      'api-key': { type: 'string' },
      phone: { type: 'string', multiple: true },
      register: { type: 'boolean' },
      delay: { type: 'string' },
      'failure-rate': { type: 'string' },
      deliver: { type: 'boolean' },
      'encryption-key': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
}

await main();
