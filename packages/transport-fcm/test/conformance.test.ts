import { createGateway, createMemoryStore, silentLogger } from '@textport/core';
import type { TransportHarness } from '@textport/core/testing';
import { makeAccount, runTransportConformance } from '@textport/core/testing';
import { fcmTransport, KEY_HEARTBEAT_ID, KEY_MESSAGE_ID } from '../src/index.js';
import { startGoogleStandIn } from './stand-in.js';

/**
 * A local Google stand-in: connecting a phone registers a token through a gateway
 * (whose host the suite starts the transport with), disconnecting clears it; the
 * phone side is what FCM recorded. FCM has no cancel notice.
 */
async function createHarness(): Promise<TransportHarness> {
  const google = await startGoogleStandIn();
  const store = createMemoryStore();
  const gateway = createGateway({ store, logger: silentLogger });
  const account = makeAccount();
  await store.insertAccount(account);
  const transport = fcmTransport({
    credentials: google.credentials,
    endpoint: google.base,
    logger: silentLogger,
  });
  const tokenOf = (phoneId: string) => `fcm-token-${phoneId}`;
  const data = (phoneId: string) => google.pushesTo(tokenOf(phoneId)).map((p) => p.data);
  return {
    transport,
    host: gateway.transportHost,
    async connect(given) {
      const phone = { ...given, accountId: account.id, fcmToken: null };
      await store.insertPhone(phone);
      return gateway.phones.upsert(account.id, {
        phoneNumber: phone.phoneNumber,
        fcmToken: tokenOf(phone.id),
      });
    },
    async disconnect(phone) {
      await gateway.transportHost.clearPushToken(phone.id, tokenOf(phone.id));
      return (await store.getPhone(phone.id)) ?? { ...phone, fcmToken: null };
    },
    received: async (phone) =>
      data(phone.id).flatMap((d) => (d[KEY_MESSAGE_ID] ? [d[KEY_MESSAGE_ID]] : [])),
    heartbeatRequests: async (phone) =>
      data(phone.id).filter((d) => d[KEY_HEARTBEAT_ID] !== undefined).length,
    close: () => google.close(),
  };
}

// A phone without a token stays unreachable until the app registers again: no retry helps.
runTransportConformance({
  name: 'fcm (local Google stand-in)',
  createHarness,
  unreachableRetryable: false,
});
