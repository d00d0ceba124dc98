/** Shared by the fault tests: sizes from the environment, and small waiting helpers. */
import { createServer } from 'node:net';

export function size(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive whole number, got "${raw}"`);
  }
  return value;
}

/** How many times the standalone server is killed with SIGKILL in one run (CI: 20). */
export const KILLS = size('FAULT_KILLS', 100);
/** Messages sent in a crash run. */
export const MESSAGES = size('FAULT_MESSAGES', 10_000);
/** Hostile requests generated with fast-check. */
export const HOSTILE_REQUESTS = size('FAULT_HOSTILE_REQUESTS', 10_000);
/** Hostile requests on Postgres, where proving that nothing was written costs a round trip each. */
export const HOSTILE_PG_REQUESTS = size(
  'FAULT_HOSTILE_PG_REQUESTS',
  Math.min(3_000, HOSTILE_REQUESTS),
);
/** Hostile requests to the SMSGate device and user APIs. */
export const HOSTILE_SMSGATE_REQUESTS = size('FAULT_HOSTILE_SMSGATE_REQUESTS', 2000);
/** Hostile SMSGate requests on Postgres (each one is followed by a hash of every table). */
export const HOSTILE_SMSGATE_PG_REQUESTS = size(
  'FAULT_HOSTILE_SMSGATE_PG_REQUESTS',
  Math.min(600, HOSTILE_SMSGATE_REQUESTS),
);
/** Hostile WebSocket sessions generated with fast-check. */
export const HOSTILE_FRAMES = size('FAULT_HOSTILE_FRAMES', 2000);
/** Sockets flooding the WebSocket transport at once. */
export const FLOOD_SOCKETS = size('FAULT_HOSTILE_FLOOD_SOCKETS', 40);

/** The PostgreSQL URL for the cluster fault; the test skips with this reason without it. */
export const DATABASE_URL = process.env.TEXTPORT_TEST_DATABASE_URL;
export const PG_SKIP = DATABASE_URL ? false : 'TEXTPORT_TEST_DATABASE_URL is not set';
/** The MariaDB/MySQL URL for the cluster fault on that engine; skipped with this reason without it. */
export const MYSQL_URL = process.env.TEXTPORT_TEST_MYSQL_URL;
export const MYSQL_SKIP = MYSQL_URL ? false : 'TEXTPORT_TEST_MYSQL_URL is not set';

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
