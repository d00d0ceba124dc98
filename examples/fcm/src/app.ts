/**
 * A gateway for the httpSMS Android app: FCM wakes the app with `KEY_MESSAGE_ID`,
 * the app fetches the message over the HTTP phone API and reports SENT/DELIVERED.
 *
 *   const app = await startFcmGateway({ credentials: './service-account.json', port: 8080 });
 *
 * The app must be built with the same Firebase project as the service account, and
 * it talks HTTPS only: put this behind a TLS proxy (see docs/android-app.md).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGateway, createMemoryStore, type Gateway, type Store } from '@textport/core';
import { createNodeHandler } from '@textport/http';
import { fcmTransport, type ServiceAccountCredentials } from '@textport/transport-fcm';

export interface FcmGatewayOptions {
  /** A Google service-account JSON (object or file path). */
  credentials: ServiceAccountCredentials | string;
  /** FCM's base URL; a local stand-in in tests. */
  endpoint?: string;
  store?: Store;
  port?: number;
}

export async function startFcmGateway(options: FcmGatewayOptions) {
  const store = options.store ?? createMemoryStore();
  const fcm = fcmTransport({
    credentials: options.credentials,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  const gateway: Gateway = createGateway({ store, transports: [fcm] });
  const server = http.createServer(createNodeHandler(gateway));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  await gateway.start();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    gateway,
    async close() {
      await gateway.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
