import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayConfig, Principal, Store } from '@textport/core';
import { createGateway, createMemoryStore, silentLogger } from '@textport/core';
import type { TransportHost } from '@textport/core/transport';
import { createNodeHandler } from '@textport/http';
import { afterEach } from 'vitest';
import WebSocket from 'ws';
import type { PhoneClientOptions, SmsSender, VirtualPhoneOptions } from '../src/client/index.js';
import { createVirtualPhone, PhoneClient } from '../src/client/index.js';
import type { WebSocketTransportOptions } from '../src/index.js';
import { websocketTransport } from '../src/index.js';

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
  transport?: WebSocketTransportOptions;
  gateway?: Partial<GatewayConfig>;
  /** Start the gateway (dispatcher and heartbeat monitor); default true. */
  start?: boolean;
  /** Serve the HTTP API on the same port (default: every request is 404). */
  api?: boolean;
  /** Wraps the host the transport is started with (to slow or watch its calls). */
  host?: (host: TransportHost) => TransportHost;
}

/** One gateway node: an HTTP server hosting the socket, the transport, the gateway. */
export async function gatewayNode(setup: NodeSetup = {}) {
  const server = createServer();
  const transport = websocketTransport({ server, ...setup.transport });
  const store = setup.store ?? createMemoryStore();
  const gateway = createGateway({
    store,
    logger: silentLogger,
    transports: [transport],
    ...setup.gateway,
  });
  server.on(
    'request',
    setup.api
      ? createNodeHandler(gateway)
      : (_req: unknown, res: ServerResponse) => {
          res.statusCode = 404;
          res.end();
        },
  );
  const port = await listen(server);
  // A started transport ignores the gateway's own start.
  if (setup.host) await transport.start(setup.host(gateway.transportHost));
  if (setup.start !== false) await gateway.start();
  else await transport.start(gateway.transportHost);
  onCleanup(async () => {
    await gateway.stop();
    await transport.stop();
    server.closeAllConnections();
    server.close();
  });
  const url = `ws://127.0.0.1:${port}${transport.options.path}`;
  return { server, port, url, api: `http://127.0.0.1:${port}`, transport, gateway, store };
}

export type GatewayNode = Awaited<ReturnType<typeof gatewayNode>>;

/** An account with one phone (no pacing) and a phone key bound to it. */
export async function accountWithPhone(node: GatewayNode, phoneNumber = '+18005550199') {
  const { gateway } = node;
  const { record: account, apiKey: userKey } = await gateway.accounts.create();
  const { apiKey: phoneKey } = await gateway.accounts.createPhoneKey(account.id, { name: 'ws' });
  const principal = (await gateway.accounts.authenticate(phoneKey)) as Principal;
  await gateway.phoneApi.updateFcmToken(principal, { phoneNumber, fcmToken: null });
  const phone = await gateway.phones.upsert(account.id, { phoneNumber, messagesPerMinute: 0 });
  const user: Principal = { accountId: account.id, kind: 'user', keyId: null, phoneNumbers: null };
  return { account, userKey, phoneKey, phone, user };
}

/** A virtual phone that reconnects quickly; closed after the test. */
export function virtualPhone(options: VirtualPhoneOptions) {
  const phone = createVirtualPhone({
    reconnect: { minDelayMs: 10, maxDelayMs: 100, jitter: 0.5 },
    requestTimeoutMs: 5000,
    ...options,
  });
  onCleanup(() => phone.close());
  return phone;
}

/** A bare socket that records the frames it gets, for protocol-level checks. */
export async function rawSocket(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  const frames: Record<string, unknown>[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as Record<string, unknown>));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('error', () => {});
  onCleanup(async () => {
    ws.terminate();
  });
  await once(ws, 'open');
  const send = (frame: Record<string, unknown>) => ws.send(JSON.stringify({ v: 1, ...frame }));
  return { ws, frames, closed, send };
}

/**
 * A phone client of `node` with `apiKey`, reconnecting fast, closed after the test; not
 * connected yet (listeners go on first).
 */
export function phoneClientOf(
  node: { url: string },
  apiKey: string,
  sender: SmsSender,
  extra: Partial<PhoneClientOptions> = {},
): PhoneClient {
  const client = new PhoneClient({
    url: node.url,
    apiKey,
    sender,
    reconnect: { minDelayMs: 10, maxDelayMs: 100 },
    ...extra,
  });
  onCleanup(() => client.close());
  return client;
}
