/**
 * The standalone gateway: an Express app serving the httpSMS v1 API, the WebSocket
 * phone transport on the same port, FCM when credentials are given, and a built-in
 * virtual phone so the first SMS is delivered in front of you.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  consoleLogger,
  createDiskAttachmentStore,
  createGateway,
  type Gateway,
  type Transport,
} from '@textport/core';
import { createRouter } from '@textport/express';
import { fcmTransport } from '@textport/transport-fcm';
import { websocketTransport } from '@textport/transport-websocket';
import { createVirtualPhone, type VirtualPhone } from '@textport/transport-websocket/client';
import express from 'express';
import { bootstrap, virtualPhoneKey } from './bootstrap.js';
import type { StandaloneConfig } from './config.js';
import { openDatabase } from './database.js';

export interface RunningServer {
  url: string;
  gateway: Gateway;
  accountId: string;
  newApiKey: string | null;
  newPhoneApiKey: string | null;
  virtualPhone: VirtualPhone | null;
  /** Graceful stop: phones disconnect, in-flight work finishes, the database closes. */
  close(): Promise<void>;
}

export async function startServer(
  config: StandaloneConfig,
  log: (line: string) => void = (line) => console.log(line),
): Promise<RunningServer> {
  const db = await openDatabase(config.DATABASE_URL);
  const tls = config.TLS_CERT && config.TLS_KEY;
  const app = express();
  app.disable('x-powered-by');
  const server = tls
    ? https.createServer(
        { cert: readFileSync(config.TLS_CERT ?? ''), key: readFileSync(config.TLS_KEY ?? '') },
        app,
      )
    : http.createServer(app);

  const ws = websocketTransport({ server });
  const transports: Transport[] = [ws];
  if (config.TEXTPORT_FCM_CREDENTIALS) {
    transports.push(
      fcmTransport({
        credentials: config.TEXTPORT_FCM_CREDENTIALS,
        ...(config.TEXTPORT_FCM_ENDPOINT ? { endpoint: config.TEXTPORT_FCM_ENDPOINT } : {}),
      }),
    );
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const localHost = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  const url = `${tls ? 'https' : 'http'}://${localHost}:${port}`;

  const gateway = createGateway({
    store: db.store,
    transports,
    logger: consoleLogger,
    attachments: createDiskAttachmentStore(join(db.dataDir, 'attachments')),
    publicUrl: config.TEXTPORT_PUBLIC_URL ?? url,
    phoneKeys: { restricted: config.TEXTPORT_PHONE_KEYS_RESTRICTED },
    webhooks: { refusePrivateNetworks: config.TEXTPORT_WEBHOOKS_REFUSE_PRIVATE },
    ...(db.notifier ? { notifier: db.notifier } : {}),
  });
  app.get('/', (_req, res) => {
    res.json({ name: 'textport', api: '/v1', openapi: '/v1/openapi.json', health: '/health' });
  });
  app.use(createRouter(gateway));
  await gateway.start();

  const boot = await bootstrap(gateway, {
    apiKey: config.TEXTPORT_API_KEY,
    phoneApiKey: config.TEXTPORT_PHONE_API_KEY,
  });
  let virtualPhone: VirtualPhone | null = null;
  if (config.TEXTPORT_DEMO_PHONE !== 'off') {
    await gateway.phones.upsert(boot.accountId, {
      phoneNumber: config.TEXTPORT_DEMO_PHONE,
      messagesPerMinute: 60,
    });
    virtualPhone = createVirtualPhone({
      url: `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}/v1/phones/ws`,
      apiKey: await virtualPhoneKey(gateway, boot.accountId, config.TEXTPORT_DEMO_PHONE),
      phoneNumbers: [config.TEXTPORT_DEMO_PHONE],
      register: true,
      deliver: true,
      delayMs: 50,
      log: (line) => log(`virtual phone ${line}`),
    });
    await virtualPhone.connect();
  }

  return {
    url,
    gateway,
    accountId: boot.accountId,
    newApiKey: boot.newApiKey,
    newPhoneApiKey: boot.newPhoneApiKey,
    virtualPhone,
    async close() {
      await virtualPhone?.close();
      await gateway.stop();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
    },
  };
}
