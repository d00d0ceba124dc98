import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AnyGatewayEvent, Clock, GatewayConfig, GatewayEventType } from '@textport/core';
import { createGateway, createMemoryStore, ManualClock, silentLogger } from '@textport/core';
import { createNodeHandler } from '@textport/http';
import { afterEach } from 'vitest';
import type { FcmTransportOptions } from '../src/index.js';
import { fcmTransport } from '../src/index.js';
import type { GoogleStandIn } from './stand-in.js';
import { startGoogleStandIn } from './stand-in.js';

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

export async function standIn(clock?: Clock): Promise<GoogleStandIn> {
  const google = await startGoogleStandIn({ clock });
  onCleanup(() => google.close());
  return google;
}

export interface SetupOptions {
  /** Default: a fresh ManualClock, so `dueAt` and token expiry are exact. */
  clock?: ManualClock;
  transport?: Partial<FcmTransportOptions>;
  gateway?: Partial<GatewayConfig>;
  /** Serve the httpSMS API on node:http (the Android app's side). */
  http?: boolean;
}

/**
 * Google stand-in, memory store, FCM transport, gateway (the transport started with
 * its host, the dispatcher driven by the test); optionally the HTTP API.
 */
export async function setup(options: SetupOptions = {}) {
  const clock = options.clock ?? new ManualClock();
  const google = await standIn(clock);
  const store = createMemoryStore();
  const fcm = fcmTransport({
    credentials: google.credentials,
    endpoint: google.base,
    clock,
    logger: silentLogger,
    ...options.transport,
  });
  const gateway = createGateway({
    store,
    clock,
    logger: silentLogger,
    transports: [fcm],
    ...options.gateway,
  });
  const events: AnyGatewayEvent[] = [];
  const record = (type: GatewayEventType) =>
    gateway.on(type, (event) => void events.push(event as AnyGatewayEvent));
  for (const type of [
    'message.send.failed',
    'message.phone.sent',
    'message.phone.delivered',
  ] as const) {
    record(type);
  }
  await fcm.start(gateway.transportHost);
  onCleanup(() => gateway.stop());
  let apiBase = '';
  if (options.http) {
    const server = createServer(createNodeHandler(gateway));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    onCleanup(async () => {
      server.closeAllConnections();
      server.close();
    });
  }
  const { record: account, apiKey: userKey } = await gateway.accounts.create();
  return { clock, google, store, fcm, gateway, events, account, userKey, apiBase };
}

export type Setup = Awaited<ReturnType<typeof setup>>;

/** A phone with an FCM token and no pacing, registered without HTTP. */
export async function phoneWithToken(t: Setup, token = `fcm-token-${OWNER}`) {
  return t.gateway.phones.upsert(t.account.id, {
    phoneNumber: OWNER,
    fcmToken: token,
    messagesPerMinute: 0,
  });
}

export function send(t: Setup, content = 'Hello from textport') {
  return t.gateway.messages.send(t.account.id, { from: OWNER, to: CONTACT, content });
}

/** The URL of a port nothing listens on any more. */
export async function closedEndpoint(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return `http://127.0.0.1:${port}`;
}
