/**
 * Answers FCM and the token endpoint may give that are not the common case: a 401 that
 * is not about our access token, malformed bodies, endless bodies, absurd `Retry-After`.
 */
import { ManualClock, silentLogger } from '@textport/core';
import { makeMessage, makePhone } from '@textport/core/testing';
import { describe, expect, it } from 'vitest';
import { fcmTransport } from '../src/index.js';
import { phoneWithToken, send, setup, standIn } from './helpers.js';
import { fcmError, fcmErrorCode } from './stand-in.js';

const TOKEN = 'fcm-token-answers';

/** A body of `total` bytes, produced on demand; `pulled()` says how much was read. */
function endlessBody(total: number) {
  let produced = 0;
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (produced >= total) return controller.close();
      produced += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { stream, pulled: () => produced };
}

/** A transport of the stand-in `google`, quiet, with `extra` options. */
function fcmOf(
  google: Awaited<ReturnType<typeof standIn>>,
  extra: Omit<Parameters<typeof fcmTransport>[0], 'credentials'> = {},
) {
  return fcmTransport({
    credentials: google.credentials,
    endpoint: google.base,
    logger: silentLogger,
    ...extra,
  });
}

describe('secrets', () => {
  it('credentials given as the JSON text instead of a path: the error does not echo the key', async () => {
    const google = await standIn();
    const error = (() => {
      try {
        fcmTransport({ credentials: JSON.stringify(google.credentials), logger: silentLogger });
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(error?.message).toContain('credentials: looks like the JSON text of the file');
    expect(error?.message).not.toContain('PRIVATE KEY');
    expect(error?.message).not.toContain(google.credentials.client_email);
  });
});

describe('a 401 that is not about the access token', () => {
  it('THIRD_PARTY_AUTH_ERROR fails the message and keeps the cached access token', async () => {
    const t = await setup();
    await phoneWithToken(t, TOKEN);
    t.google.answerNextPushes({
      status: 401,
      body: fcmError(401, 'UNAUTHENTICATED', 'Auth error from APNS or Web Push Service', [
        fcmErrorCode('THIRD_PARTY_AUTH_ERROR'),
      ]),
    });
    const sent = await send(t);
    await t.gateway.dispatcher.runOnce();
    const failed = await t.gateway.store.getMessage(t.account.id, sent.id);
    expect(failed?.status).toBe('failed');
    expect(failed?.failureReason).toContain('(THIRD_PARTY_AUTH_ERROR)');
    await t.fcm.requestHeartbeat(makePhone({ fcmToken: TOKEN }));
    expect(t.google.tokenRequests).toHaveLength(1);
  });
});

describe('malformed answers stay retryable', () => {
  it('a token endpoint answering JSON null postpones the message', async () => {
    const clock = new ManualClock();
    const google = await standIn(clock);
    const fcm = fcmOf(google, { clock });
    google.answerNextTokenRequests({ status: 502, body: null });
    const phone = makePhone({ fcmToken: TOKEN });
    await expect(fcm.notify(phone, [makeMessage({ phoneId: phone.id })])).rejects.toMatchObject({
      code: 'transport',
      retryable: true,
    });
  });

  it('a 503 whose error details are malformed is still retried', async () => {
    const t = await setup();
    const registered = await phoneWithToken(t, TOKEN);
    t.google.answerNextPushes({
      status: 503,
      body: {
        error: { code: 503, status: 'UNAVAILABLE', details: [null, { fieldViolations: 1 }] },
      },
    });
    await expect(t.fcm.notify(registered, [await send(t)])).rejects.toMatchObject({
      retryable: true,
    });
  });
});

describe('bounds', () => {
  it('reads at most a bounded part of an error body from FCM', async () => {
    const google = await standIn();
    const body = endlessBody(32 * 1024 * 1024);
    const fcm = fcmOf(google, {
      fetch: async (url, init) => {
        if (String(url).endsWith('/token')) return fetch(url, init);
        return new Response(body.stream, { status: 503 });
      },
    });
    const phone = makePhone({ fcmToken: TOKEN });
    await expect(fcm.notify(phone, [makeMessage({ phoneId: phone.id })])).rejects.toMatchObject({
      retryable: true,
    });
    expect(body.pulled()).toBeLessThanOrEqual(1024 * 1024);
  });

  it('reads at most a bounded part of a token endpoint answer', async () => {
    const google = await standIn();
    const body = endlessBody(32 * 1024 * 1024);
    const fcm = fcmOf(google, { fetch: async () => new Response(body.stream, { status: 200 }) });
    await expect(fcm.requestHeartbeat(makePhone({ fcmToken: TOKEN }))).rejects.toMatchObject({
      retryable: true,
    });
    expect(body.pulled()).toBeLessThanOrEqual(1024 * 1024);
  });

  it('caps a Retry-After of a year at one hour', async () => {
    const t = await setup();
    await phoneWithToken(t, TOKEN);
    t.google.answerNextPushes({
      status: 503,
      headers: { 'retry-after': String(365 * 24 * 3600) },
      body: fcmError(503, 'UNAVAILABLE', 'The service is currently unavailable.'),
    });
    const sent = await send(t);
    const now = t.clock.now();
    await t.gateway.dispatcher.runOnce();
    const waiting = await t.gateway.store.getMessage(t.account.id, sent.id);
    expect(waiting?.status).toBe('scheduled');
    expect(waiting?.dueAt).toBe(now + 3_600_000);
  });
});
