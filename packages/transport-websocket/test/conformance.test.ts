import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { PhoneRecord } from '@textport/core';
import { createGateway, createMemoryStore, hashApiKey, silentLogger } from '@textport/core';
import type { TransportHarness } from '@textport/core/testing';
import { makeAccount, makeApiKey, runTransportConformance, WAIT } from '@textport/core/testing';
import { vi } from 'vitest';
import { PhoneClient } from '../src/client/index.js';
import { websocketTransport } from '../src/index.js';
import { listen } from './helpers.js';

interface Device {
  client: PhoneClient;
  received: string[];
  heartbeatRequests: number;
  canceled: string[];
}

/**
 * Real sockets: each connected phone is a PhoneClient with its own phone key. The
 * suite starts the transport with the host of a gateway on the same store.
 */
async function createHarness(): Promise<TransportHarness> {
  const server = createServer();
  const store = createMemoryStore();
  const transport = websocketTransport({ server });
  const gateway = createGateway({ store, logger: silentLogger });
  const port = await listen(server);
  const account = makeAccount();
  await store.insertAccount(account);
  const devices = new Map<string, Device>();

  return {
    transport,
    host: gateway.transportHost,
    async connect(given) {
      const phone: PhoneRecord = { ...given, accountId: account.id };
      await store.insertPhone(phone);
      const apiKey = `pk_${randomBytes(24).toString('base64url')}`;
      await store.insertApiKey(
        makeApiKey({
          accountId: account.id,
          kind: 'phone',
          keyHash: hashApiKey(apiKey),
          phoneIds: [phone.id],
          phoneNumbers: [phone.phoneNumber],
        }),
      );
      const device: Device = {
        client: new PhoneClient({
          url: `ws://127.0.0.1:${port}/v1/phones/ws`,
          apiKey,
          sender: { send: () => ({ ok: true }) },
        }),
        received: [],
        heartbeatRequests: 0,
        canceled: [],
      };
      device.client.on('push', (message) => void device.received.push(message.id));
      device.client.on('heartbeatRequested', () => void device.heartbeatRequests++);
      device.client.on('canceled', (id) => void device.canceled.push(id));
      devices.set(phone.id, device);
      await device.client.connect();
      return phone;
    },
    async disconnect(phone) {
      await devices.get(phone.id)?.client.close();
      await vi.waitFor(() => {
        if (transport.reach().has(phone)) throw new Error('still reachable');
      }, WAIT);
      return phone;
    },
    async received(phone) {
      return devices.get(phone.id)?.received ?? [];
    },
    async heartbeatRequests(phone) {
      return devices.get(phone.id)?.heartbeatRequests ?? 0;
    },
    async canceled(phone) {
      return devices.get(phone.id)?.canceled ?? [];
    },
    async close() {
      for (const device of devices.values()) await device.client.close();
      server.closeAllConnections();
      server.close();
    },
  };
}

// A phone with no socket may reconnect at any moment: the hand-off is tried again.
runTransportConformance({
  name: 'websocket (real sockets)',
  createHarness,
  unreachableRetryable: true,
});
