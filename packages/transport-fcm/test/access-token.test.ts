/**
 * The service-account OAuth2 flow against the stand-in, which verifies each
 * assertion with the service account's public key.
 */
import { generateKeyPairSync } from 'node:crypto';
import { ManualClock, silentLogger } from '@textport/core';
import { makePhone } from '@textport/core/testing';
import { describe, expect, it } from 'vitest';
import type { ServiceAccountCredentials } from '../src/index.js';
import { FCM_SCOPE, fcmTransport } from '../src/index.js';
import { standIn } from './helpers.js';
import { fcmError, type GoogleStandIn } from './stand-in.js';

function transportFor(
  google: GoogleStandIn,
  clock: ManualClock,
  credentials?: ServiceAccountCredentials,
) {
  return fcmTransport({
    credentials: credentials ?? google.credentials,
    endpoint: google.base,
    clock,
    logger: silentLogger,
  });
}

const phone = makePhone({ fcmToken: 'fcm-token-token-tests' });
const MINUTE = 60_000;

describe('access tokens from the service account', () => {
  it('signs an RS256 assertion with iss, scope, aud, iat and exp (one hour)', async () => {
    const clock = new ManualClock();
    const google = await standIn(clock);
    await transportFor(google, clock).requestHeartbeat(phone);
    expect(google.tokenRequests).toHaveLength(1);
    const [request] = google.tokenRequests;
    expect(request?.header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'stand-in-key-1' });
    const iat = clock.now() / 1000;
    expect(request?.claims).toEqual({
      iss: google.credentials.client_email,
      scope: FCM_SCOPE,
      aud: `${google.base}/token`,
      iat,
      exp: iat + 3600,
    });
    expect(google.pushes).toHaveLength(1);
  });

  it('asks once for many concurrent pushes, and reuses the token until shortly before expiry', async () => {
    const clock = new ManualClock();
    const google = await standIn(clock);
    const fcm = transportFor(google, clock);
    await Promise.all(Array.from({ length: 20 }, () => fcm.requestHeartbeat(phone)));
    for (let i = 0; i < 5; i++) await fcm.requestHeartbeat(phone);
    expect(google.tokenRequests).toHaveLength(1);
    expect(google.pushes).toHaveLength(25);

    clock.advance(50 * MINUTE);
    await fcm.requestHeartbeat(phone);
    expect(google.tokenRequests).toHaveLength(1);

    clock.advance(10 * MINUTE);
    await Promise.all([fcm.requestHeartbeat(phone), fcm.requestHeartbeat(phone)]);
    expect(google.tokenRequests).toHaveLength(2);
    expect(google.tokenRequests[1]?.claims.iat).toBe(clock.now() / 1000);
  });

  it('drops the token when FCM answers 401, and gets a new one for the retry', async () => {
    const clock = new ManualClock();
    const google = await standIn(clock);
    const fcm = transportFor(google, clock);
    await fcm.requestHeartbeat(phone);
    google.answerNextPushes({
      status: 401,
      body: fcmError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'),
    });
    await expect(fcm.requestHeartbeat(phone)).rejects.toMatchObject({ retryable: true });
    await fcm.requestHeartbeat(phone);
    expect(google.tokenRequests).toHaveLength(2);
  });

  it('a refused assertion is a retryable error naming the account and the endpoint', async () => {
    const clock = new ManualClock();
    const google = await standIn(clock);
    const other = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const wrongKey = { ...google.credentials, private_key: other.privateKey };
    const error = await transportFor(google, clock, wrongKey)
      .requestHeartbeat(phone)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'GatewayError', code: 'transport', retryable: true });
    expect((error as Error).message).toMatch(
      new RegExp(
        `^could not get an FCM access token for \\[${google.credentials.client_email}\\] from \\[${google.base}/token\\]: HTTP 400 invalid_grant: `,
      ),
    );
    expect(google.pushes).toHaveLength(0);
  });

  it('a token endpoint that is down is retryable too, and the next call tries again', async () => {
    const clock = new ManualClock();
    const google = await standIn(clock);
    const fcm = transportFor(google, clock);
    google.answerNextTokenRequests({ status: 500, body: { error: 'internal_failure' } });
    await expect(fcm.requestHeartbeat(phone)).rejects.toMatchObject({ retryable: true });
    await fcm.requestHeartbeat(phone);
    expect(google.tokenRequests).toHaveLength(1);
    expect(google.pushes).toHaveLength(1);
  });
});
