/**
 * The node the hostile SMSGate requests run against: a gateway on a SQLite file or
 * a Postgres database of its own, the SMSGate store migrated on the same Knex
 * instance (its `smsgate_…` tables covered by the write mark), the SMSGate
 * transport (device API) and user API on one node:http server, and what the run
 * watches: error-level log lines, unhandled rejections, requests in flight.
 *
 * Only the transport is started (with the gateway's `transportHost`): the
 * dispatcher, heartbeat monitor and webhook worker stay off, so every write to the
 * store comes from a request. The clock is a `ManualClock` that starts at `NOW` and
 * moves a millisecond per request (so a row written again gets new times, which the
 * Postgres hash sees), so signatures and dates can be made when a request is
 * generated: the receiver accepts timestamps within five minutes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGateway, type Gateway, type Logger, ManualClock } from '@textport/core';
import {
  type SmsGateTransport,
  type SmsGateUser,
  smsgateTransport,
  smsgateUserApi,
} from '@textport/transport-smsgate';
import { type KnexSmsGateStore, knexStore } from '@textport/transport-smsgate/knex';
import { type HostileStore, type OpenOptions, openPostgres, openSqlite } from '../hostile/store.js';

/** When the run starts, by the gateway's clock. */
export const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
export const MOBILE = '/smsgate/mobile/v1';
export const USER_API = '/smsgate/3rdparty/v1';

export interface Logged {
  level: 'error' | 'warn';
  message: string;
  detail: string;
  during: string;
}

export interface SmsGateNode {
  db: HostileStore;
  smsgate: KnexSmsGateStore;
  gateway: Gateway;
  clock: ManualClock;
  transport: SmsGateTransport;
  server: Server;
  port: number;
  /** Log lines of level warn and above, with the request they came during. */
  logged: Logged[];
  /** Unhandled rejections and uncaught exceptions. */
  unhandled: string[];
  /** Requests the server has not finished answering. */
  inflight(): number;
  /** What the run is doing now (put into log lines and rejections). */
  during: { current: string };
  close(): Promise<void>;
}

export interface NodeSetup {
  /** The server's private token and the account it registers devices for. */
  privateToken: { token: string; accountId: string; phoneNumbers: string[] } | null;
  users: SmsGateUser[];
}

export type Backend = 'SQLite' | 'Postgres';

/** Opens the store (textport's and SMSGate's tables, migrated) of `backend`. */
export async function openStores(
  backend: Backend,
  url: string | undefined,
): Promise<{ db: HostileStore; smsgate: KnexSmsGateStore }> {
  let smsgate: KnexSmsGateStore | undefined;
  const options: OpenOptions = {
    prefixes: ['textport', 'smsgate'],
    async prepare(knex, store) {
      smsgate = knexStore(knex, store);
      await smsgate.migrate();
    },
  };
  const db =
    backend === 'SQLite' ? await openSqlite(options) : await openPostgres(url ?? '', options);
  if (!smsgate) throw new Error('the SMSGate store was not migrated');
  return { db, smsgate };
}

/**
 * Builds the gateway and the server on opened stores; `configure` creates the
 * accounts and keys and answers the private token and Basic users of the APIs.
 */
export async function startNode(
  stores: { db: HostileStore; smsgate: KnexSmsGateStore },
  configure: (gateway: Gateway) => Promise<NodeSetup>,
): Promise<SmsGateNode> {
  const { db, smsgate } = stores;
  const during = { current: '(setup)' };
  const logged: Logged[] = [];
  const unhandled: string[] = [];
  const log =
    (level: Logged['level']) =>
    (obj: unknown, msg?: string): void => {
      const err = (obj as { err?: Error } | undefined)?.err;
      logged.push({
        level,
        message: msg ?? '',
        detail: String(err?.stack ?? JSON.stringify(obj)),
        during: during.current,
      });
    };
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: log('warn'),
    error: log('error'),
  };
  const onUnhandled = (reason: unknown) => {
    unhandled.push(`${String((reason as Error)?.stack ?? reason)}\nduring: ${during.current}`);
  };
  const onUncaught = (error: Error) => {
    unhandled.push(`uncaught: ${String(error?.stack ?? error)}\nduring: ${during.current}`);
  };
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUncaught);

  // Accounts and keys are made first (on a gateway of the same store), since the
  // transport's options name the account its private token registers for.
  const clock = new ManualClock(NOW);
  const setup = await configure(createGateway({ store: db.store, logger, clock }));
  const transport = smsgateTransport({
    store: smsgate,
    mobilePath: MOBILE,
    publicUrl: 'https://sms.example.com',
    privateToken: setup.privateToken,
  });
  const gateway = createGateway({ store: db.store, logger, clock, transports: [transport] });
  const userApi = smsgateUserApi(gateway, transport, { path: USER_API, users: setup.users });
  // Only the transport runs: no background worker writes to the store.
  await transport.start(gateway.transportHost);

  let inflight = 0;
  const server = createServer((req, res) => {
    inflight++;
    res.on('close', () => inflight--);
    if (transport.handle(req, res) || userApi.handle(req, res)) return;
    const body = JSON.stringify({ message: 'Not Found' });
    res.writeHead(404, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'x-passed-on': '1',
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    db,
    smsgate,
    gateway,
    clock,
    transport,
    server,
    port,
    logged,
    unhandled,
    inflight: () => inflight,
    during,
    async close() {
      process.off('unhandledRejection', onUnhandled);
      process.off('uncaughtException', onUncaught);
      await transport.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
    },
  };
}
