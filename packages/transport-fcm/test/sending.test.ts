/** How pushes leave: one request per message in order, kept-alive connections, a concurrency cap. */
import { createGateway, createMemoryStore, silentLogger } from '@textport/core';
import { makeMessage, makePhone } from '@textport/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { fcmTransport } from '../src/index.js';
import { standIn } from './helpers.js';

describe('sending', () => {
  it('sends one request per message, in order, each a data-only KEY_MESSAGE_ID push', async () => {
    const google = await standIn();
    const fcm = fcmTransport({
      credentials: google.credentials,
      endpoint: google.base,
      logger: silentLogger,
    });
    const phone = makePhone({ fcmToken: 'fcm-token-order', messageExpirationSeconds: 0 });
    const messages = Array.from({ length: 4 }, () => makeMessage({ phoneId: phone.id }));
    await fcm.notify(phone, messages);
    expect(google.pushes.map((p) => p.body)).toStrictEqual(
      messages.map((m) => ({
        message: {
          token: 'fcm-token-order',
          data: { KEY_MESSAGE_ID: m.id },
          // An expiration of 0 means httpSMS's default, 600 s.
          android: { priority: 'normal', ttl: '600s' },
        },
      })),
    );
  });

  it('keeps connections alive: a token request and 20 pushes share at most two sockets', async () => {
    const google = await standIn();
    const fcm = fcmTransport({
      credentials: google.credentials,
      endpoint: google.base,
      logger: silentLogger,
    });
    const phone = makePhone({ fcmToken: 'fcm-token-keep-alive' });
    for (let i = 0; i < 20; i++) await fcm.notify(phone, [makeMessage({ phoneId: phone.id })]);
    expect(google.pushes).toHaveLength(20);
    // Node's fetch pools sockets; a request sent the instant the previous answer was read
    // may open a second one before the first is back in the pool, never more when sequential.
    expect(google.stats().connections).toBeLessThanOrEqual(2);
  });

  it('never has more than `concurrency` pushes in flight', async () => {
    const google = await standIn();
    const fcm = fcmTransport({
      credentials: google.credentials,
      endpoint: google.base,
      concurrency: 3,
      logger: silentLogger,
    });
    expect(fcmTransport({ credentials: google.credentials }).options.concurrency).toBe(50);
    google.hold();
    const phones = Array.from({ length: 10 }, (_, i) => makePhone({ fcmToken: `fcm-token-${i}` }));
    const all = Promise.all(phones.map((p) => fcm.requestHeartbeat(p)));
    await vi.waitFor(() => expect(google.stats().held).toBe(3), { timeout: 10_000 });
    expect(fcm.pending).toBe(10);
    google.release();
    await all;
    expect(google.pushes).toHaveLength(10);
    expect(google.stats().maxInFlight).toBe(3);
    expect(fcm.pending).toBe(0);
  });

  it('stop() waits for the pushes already queued', async () => {
    const google = await standIn();
    const fcm = fcmTransport({
      credentials: google.credentials,
      endpoint: google.base,
      logger: silentLogger,
    });
    await fcm.start(
      createGateway({ store: createMemoryStore(), logger: silentLogger }).transportHost,
    );
    const phone = makePhone({ fcmToken: 'fcm-token-stop' });
    const sending = fcm.notify(phone, [makeMessage({ phoneId: phone.id })]);
    await fcm.stop();
    expect(google.pushes).toHaveLength(1);
    await sending;
  });

  it('refuses a phone without a token (not retryable) without calling FCM', async () => {
    const google = await standIn();
    const fcm = fcmTransport({
      credentials: google.credentials,
      endpoint: google.base,
      logger: silentLogger,
    });
    const phone = makePhone({ fcmToken: null });
    expect(fcm.reach().has(phone)).toBe(false);
    expect(fcm.reach().phoneIds).toBe('any');
    await expect(fcm.notify(phone, [makeMessage()])).rejects.toMatchObject({
      code: 'transport',
      retryable: false,
      message: expect.stringContaining('has no FCM token'),
    });
    await expect(fcm.requestHeartbeat(phone)).rejects.toMatchObject({ retryable: false });
    expect(google.tokenRequests).toHaveLength(0);
  });
});
