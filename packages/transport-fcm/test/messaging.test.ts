/** Sending through an injected firebase-admin-like `Messaging` instead of our own HTTP client. */
import { createGateway, createMemoryStore, ManualClock, silentLogger } from '@textport/core';
import { makeMessage, makePhone } from '@textport/core/testing';
import { describe, expect, it } from 'vitest';
import type { FcmAdminMessage, MessagingLike } from '../src/index.js';
import { fcmTransport } from '../src/index.js';

/** Behaves like firebase-admin's `getMessaging(app)`: resolves with a message name or throws its errors. */
function fakeMessaging(failures: unknown[] = []) {
  const sent: FcmAdminMessage[] = [];
  const messaging: MessagingLike = {
    async send(message) {
      const failure = failures.shift();
      if (failure) throw failure;
      sent.push(message);
      return `projects/textport-test/messages/${sent.length}`;
    },
  };
  return { messaging, sent };
}

function adminError(code: string, message: string, httpResponse?: object) {
  return Object.assign(new Error(message), { code, httpResponse });
}

describe('an injected Messaging', () => {
  it('gets firebase-admin messages: ttl in milliseconds, data-only', async () => {
    const clock = new ManualClock();
    const { messaging, sent } = fakeMessaging();
    const fcm = fcmTransport({ messaging, clock, logger: silentLogger });
    expect(fcm.target).toBe('firebase-admin Messaging');
    const phone = makePhone({ fcmToken: 'fcm-token-admin', messageExpirationSeconds: 120 });
    const message = makeMessage({ phoneId: phone.id });
    await fcm.notify(phone, [message]);
    await fcm.requestHeartbeat(phone);
    expect(sent).toStrictEqual([
      {
        token: 'fcm-token-admin',
        data: { KEY_MESSAGE_ID: message.id },
        android: { priority: 'normal', ttl: 120_000 },
      },
      {
        token: 'fcm-token-admin',
        data: { KEY_HEARTBEAT_ID: '2026-01-01T00:00:00Z' },
        android: { priority: 'high' },
      },
    ]);
  });

  it('registration-token-not-registered clears the token through the gateway and fails for good', async () => {
    const store = createMemoryStore();
    const phone = makePhone({ fcmToken: 'fcm-token-gone' });
    await store.insertPhone(phone);
    const { messaging } = fakeMessaging([
      adminError('messaging/registration-token-not-registered', 'Requested entity was not found.'),
    ]);
    const fcm = fcmTransport({ messaging, logger: silentLogger });
    await fcm.start(createGateway({ store, logger: silentLogger }).transportHost);
    await expect(fcm.notify(phone, [makeMessage()])).rejects.toMatchObject({
      retryable: false,
      message: `the FCM token of phone [${phone.phoneNumber}] is no longer valid (UNREGISTERED): open the httpSMS Android app to register again`,
    });
    expect((await store.getPhone(phone.id))?.fcmToken).toBeNull();
  });

  it('invalid-argument about the registration token is a dead token too', async () => {
    const store = createMemoryStore();
    const phone = makePhone({ fcmToken: 'fcm-token-bad' });
    await store.insertPhone(phone);
    const { messaging } = fakeMessaging([
      adminError(
        'messaging/invalid-argument',
        'The registration token is not a valid FCM registration token',
      ),
    ]);
    const fcm = fcmTransport({ messaging, logger: silentLogger });
    await fcm.start(createGateway({ store, logger: silentLogger }).transportHost);
    await expect(fcm.notify(phone, [makeMessage()])).rejects.toMatchObject({ retryable: false });
    expect((await store.getPhone(phone.id))?.fcmToken).toBeNull();
  });

  it('maps rate and availability errors to retries with a delay', async () => {
    const phone = makePhone({ fcmToken: 'fcm-token-busy' });
    const { messaging } = fakeMessaging([
      adminError('messaging/message-rate-exceeded', 'Sending limit exceeded'),
      adminError('messaging/server-unavailable', 'Try later', {
        status: 503,
        headers: { 'retry-after': '12' },
      }),
      adminError('messaging/payload-size-limit-exceeded', 'too big'),
      new TypeError('a bug in the injected object'),
    ]);
    const fcm = fcmTransport({ messaging, logger: silentLogger });
    const next = () => fcm.notify(phone, [makeMessage()]).catch((e: unknown) => e);
    expect(await next()).toMatchObject({ retryable: true, retryAfterMs: 60_000 });
    expect(await next()).toMatchObject({ retryable: true, retryAfterMs: 12_000 });
    expect(await next()).toMatchObject({ retryable: false });
    expect(await next()).toMatchObject({
      retryable: false,
      message: `the FCM push to phone [${phone.phoneNumber}] failed (UNKNOWN): a bug in the injected object`,
    });
  });
});
