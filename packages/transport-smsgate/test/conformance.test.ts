/**
 * The transport conformance suite against the SMSGate transport, over real HTTP:
 * each connected phone is a fake app registered with its own phone key and holding
 * an event stream. SMSGate events are content-free, so "what the phone was handed"
 * is what the app pulled after the nudge; a heartbeat request is a `MessageEnqueued`
 * (the app's pull is its presence).
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { MessageRecord, PhoneRecord } from '@textport/core';
import { createGateway, createMemoryStore, hashApiKey, silentLogger } from '@textport/core';
import type { TransportHarness } from '@textport/core/testing';
import { makeAccount, makeApiKey, runTransportConformance, WAIT } from '@textport/core/testing';
import type { Transport } from '@textport/core/transport';
import { vi } from 'vitest';
import { smsgateTransport } from '../src/index.js';
import { FakeSmsGateApp } from './app.js';
import { listen } from './helpers.js';

async function createHarness(): Promise<TransportHarness> {
  const store = createMemoryStore();
  const smsgate = smsgateTransport({ keepAliveMs: 60_000 });
  const gateway = createGateway({ store, logger: silentLogger });
  const server = createServer((req, res) => {
    if (!smsgate.handle(req, res)) {
      res.statusCode = 404;
      res.end();
    }
  });
  const port = await listen(server);
  const account = makeAccount();
  await store.insertAccount(account);
  const apps = new Map<string, FakeSmsGateApp>();
  let order = 0;

  /**
   * The dispatcher's part, which the suite leaves out: it marks messages handed
   * off (`scheduled`, attempt counted) before it calls `notify`, so a pull finds them.
   */
  const transport: Transport = {
    name: smsgate.name,
    start: (host) => smsgate.start(host),
    stop: () => smsgate.stop(),
    reach: () => smsgate.reach(),
    requestHeartbeat: (phone) => smsgate.requestHeartbeat(phone),
    async notify(phone, messages) {
      const now = Date.now();
      const handedOff: MessageRecord[] = messages.map((m) => ({
        ...m,
        status: 'scheduled',
        sendAttemptCount: 1,
        awaitingHandoff: false,
        scheduledAt: now + order++,
        dueAt: now + 600_000,
      }));
      if (handedOff.length > 0 && apps.has(phone.id)) await store.insertMessages(handedOff);
      return smsgate.notify(phone, messages);
    },
  };

  const appOf = (phone: PhoneRecord) => apps.get(phone.id);
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
      const app = new FakeSmsGateApp({
        baseUrl: `http://127.0.0.1:${port}${smsgate.options.mobilePath}`,
        reconnectDelayMs: 50,
        order: 'fifo',
      });
      apps.set(phone.id, app);
      if ((await app.register(apiKey)) !== 201) throw new Error('registration failed');
      if ((await app.connect()) !== 200) throw new Error('the event stream did not open');
      await app.idle();
      return (await store.getPhone(phone.id)) ?? phone;
    },
    async disconnect(phone) {
      await appOf(phone)?.close();
      await vi.waitFor(() => {
        if (smsgate.reach().has(phone)) throw new Error('still reachable');
      }, WAIT);
      return phone;
    },
    async received(phone) {
      return [...new Set(appOf(phone)?.pulls.flat() ?? [])];
    },
    async heartbeatRequests(phone) {
      return appOf(phone)?.events.filter((e) => e.name === 'MessageEnqueued').length ?? 0;
    },
    async canceled(phone) {
      return (appOf(phone)?.events ?? []).flatMap((e) =>
        e.name === 'MessageCancelled' && e.data?.messageId ? [e.data.messageId] : [],
      );
    },
    async close() {
      for (const app of apps.values()) await app.close();
      server.closeAllConnections();
      server.close();
    },
  };
}

// An app whose event stream dropped reopens it: the hand-off is tried again.
runTransportConformance({
  name: 'smsgate (fake app over HTTP)',
  createHarness,
  unreachableRetryable: true,
});
