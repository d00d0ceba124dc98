/** Test nodes: a gateway with the SMSGate transport and the httpSMS API on one HTTP server. */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayConfig, Store } from '@textport/core';
import { createGateway, createMemoryStore, silentLogger } from '@textport/core';
import { createNodeHandler } from '@textport/http';
import { createKnexStore } from '@textport/store-knex';
import knexFactory from 'knex';
import { afterEach } from 'vitest';
import type { SmsGateStore, SmsGateTransportOptions } from '../src/index.js';
import { smsgateTransport, smsgateUserApi } from '../src/index.js';
import { knexStore } from '../src/store/knex.js';
import { type FakeAppOptions, FakeSmsGateApp } from './app.js';

export const OWNER = '+18005550199';
export const CONTACT = '+18005550100';

const cleanups: (() => Promise<void>)[] = [];

/** Runs after the current test, last registered first. */
export function onCleanup(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

export async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

export interface NodeSetup {
  store?: Store;
  transport?: SmsGateTransportOptions;
  gateway?: Partial<GatewayConfig>;
}

/** One node: `transport.handle` first, else the httpSMS API, on one `http.Server`. */
export async function smsgateNode(setup: NodeSetup = {}) {
  const transport = smsgateTransport(setup.transport);
  const store = setup.store ?? createMemoryStore();
  const gateway = createGateway({
    store,
    logger: silentLogger,
    transports: [transport],
    ...setup.gateway,
  });
  const api = createNodeHandler(gateway);
  const server = createServer((req, res) => {
    if (!transport.handle(req, res)) api(req, res);
  });
  const port = await listen(server);
  await gateway.start();
  onCleanup(async () => {
    await gateway.stop();
    server.closeAllConnections();
    server.close();
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    server,
    base,
    mobile: `${base}${transport.options.mobilePath}`,
    transport,
    gateway,
    store,
  };
}

export type SmsGateNode = Awaited<ReturnType<typeof smsgateNode>>;

/**
 * textport's store and the SMSGate store on one SQLite file, migrated; `destroy`
 * closes and removes it.
 */
export async function sqliteStores(): Promise<{
  store: Store;
  smsgate: SmsGateStore;
  destroy(): Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'textport-smsgate-'));
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: join(dir, 'store.sqlite') },
    useNullAsDefault: true,
  });
  const store = createKnexStore(knex);
  await store.migrate();
  const smsgate = knexStore(knex, store);
  await smsgate.migrate();
  return {
    store,
    smsgate,
    async destroy() {
      await knex.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An account and a phone key created for `OWNER` (the app's "private token"). */
export async function accountWithKey(node: SmsGateNode, phoneNumber = OWNER) {
  const { gateway } = node;
  const { record: account } = await gateway.accounts.create();
  const { apiKey: phoneKey, record: key } = await gateway.accounts.createPhoneKey(account.id, {
    name: 'smsgate',
    phoneNumbers: [phoneNumber],
  });
  return { account, phoneKey, key };
}

/** A fake app (reconnecting fast), closed after the test. */
export function fakeApp(node: SmsGateNode, options: Partial<FakeAppOptions> = {}) {
  const app = new FakeSmsGateApp({ baseUrl: node.mobile, reconnectDelayMs: 50, ...options });
  onCleanup(() => app.close());
  return app;
}

/**
 * Registers an app with the account's phone key, opens its stream, and turns the
 * phone's pacing off (so messages go out at once).
 */
export async function registeredApp(node: SmsGateNode, options: Partial<FakeAppOptions> = {}) {
  const ids = await accountWithKey(node);
  const app = fakeApp(node, options);
  const status = await app.register(ids.phoneKey);
  if (status !== 201) throw new Error(`registration answered ${status}`);
  await node.gateway.phones.upsert(ids.account.id, { phoneNumber: OWNER, messagesPerMinute: 0 });
  if ((await app.connect()) !== 200) throw new Error('the event stream did not open');
  await app.idle();
  return { ...ids, app };
}

/**
 * The SMSGate user API of a node (its gateway and transport) for one account, on
 * an HTTP server of its own; returns a call with the account's Basic login.
 */
export async function userApiOn(node: SmsGateNode, accountId: string) {
  const login = { username: 'ops', password: 'a-long-password-1' };
  const api = smsgateUserApi(node.gateway, node.transport, { users: [{ ...login, accountId }] });
  const server = createServer((req, res) => {
    if (!api.handle(req, res)) res.writeHead(404).end();
  });
  const port = await listen(server);
  onCleanup(async () => {
    server.closeAllConnections();
    server.close();
  });
  const basic = `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}`;
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${port}/smsgate/3rdparty/v1${path}`, {
      method,
      headers: {
        authorization: basic,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text };
  };
}
