import { silentLogger } from '@textport/core';
import type { TransportHarness } from '@textport/core/testing';
import { runTransportConformance } from '@textport/core/testing';
import { fcmTransport, KEY_HEARTBEAT_ID, KEY_MESSAGE_ID } from '../src/index.js';
import { startGoogleStandIn } from './stand-in.js';

/** A local Google stand-in: connecting a phone gives it a token, the phone side is what FCM recorded. */
async function createHarness(): Promise<TransportHarness> {
  const google = await startGoogleStandIn();
  const transport = fcmTransport({
    credentials: google.credentials,
    endpoint: google.base,
    logger: silentLogger,
  });
  const tokenOf = (phoneId: string) => `fcm-token-${phoneId}`;
  const data = (phoneId: string) => google.pushesTo(tokenOf(phoneId)).map((p) => p.data);
  return {
    transport,
    connect: async (phone) => ({ ...phone, fcmToken: tokenOf(phone.id) }),
    disconnect: async (phone) => ({ ...phone, fcmToken: null }),
    received: async (phone) =>
      data(phone.id).flatMap((d) => (d[KEY_MESSAGE_ID] ? [d[KEY_MESSAGE_ID]] : [])),
    heartbeatRequests: async (phone) =>
      data(phone.id).filter((d) => d[KEY_HEARTBEAT_ID] !== undefined).length,
    close: () => google.close(),
  };
}

runTransportConformance({ name: 'fcm (local Google stand-in)', createHarness });
