/**
 * What FCM failures do to a message: a dead token fails it (and clears the token),
 * 429 / 5xx / token-endpoint trouble postpone it, honouring `Retry-After`.
 */
import type { AnyGatewayEvent } from '@textport/core';
import { describe, expect, it } from 'vitest';
import type { InvalidTokenEvent } from '../src/index.js';
import { fcmTransport } from '../src/index.js';
import type { Setup } from './helpers.js';
import { closedEndpoint, OWNER, phoneWithToken, send, setup } from './helpers.js';
import { fcmError, fcmErrorCode } from './stand-in.js';

const TOKEN = 'fcm-token-galaxy';

const message = (t: Setup, id: string) => t.gateway.store.getMessage(t.account.id, id);
const phone = (t: Setup, id: string) => t.gateway.store.getPhone(id);

function failedEvents(t: Setup): AnyGatewayEvent[] {
  return t.events.filter((e) => e.type === 'message.send.failed');
}

describe('a dead token', () => {
  it('UNREGISTERED: the token is cleared, the message fails with the reason and message.send.failed', async () => {
    const seen: InvalidTokenEvent[] = [];
    const t = await setup({ transport: { onInvalidToken: (e) => void seen.push(e) } });
    const registered = await phoneWithToken(t, TOKEN);
    t.google.unregister(TOKEN);
    const sent = await send(t);
    await t.gateway.dispatcher.runOnce();

    const reason = `the FCM token of phone [${OWNER}] is no longer valid (UNREGISTERED): open the httpSMS Android app to register again`;
    const failed = await message(t, sent.id);
    expect(failed?.status).toBe('failed');
    expect(failed?.failureReason).toBe(reason);
    expect((await phone(t, registered.id))?.fcmToken).toBeNull();
    const events = failedEvents(t);
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toMatchObject({ id: sent.id, error_message: reason, owner: OWNER });
    expect(seen).toEqual([
      expect.objectContaining({ token: TOKEN, code: 'UNREGISTERED', cleared: true }),
    ]);

    // Without a token the phone is unreachable: the next message fails at once, without a push.
    const next = await send(t);
    await t.gateway.dispatcher.runOnce();
    expect((await message(t, next.id))?.status).toBe('failed');
    expect(t.google.pushes).toHaveLength(0);
  });

  it('INVALID_ARGUMENT on message.token: the token is cleared too', async () => {
    const t = await setup();
    const registered = await phoneWithToken(t, TOKEN);
    t.google.answerNextPushes({
      status: 400,
      body: fcmError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.', [
        fcmErrorCode('INVALID_ARGUMENT'),
        {
          '@type': 'type.googleapis.com/google.rpc.BadRequest',
          fieldViolations: [{ field: 'message.token', description: 'Invalid registration token' }],
        },
      ]),
    });
    const sent = await send(t);
    await t.gateway.dispatcher.runOnce();
    expect((await message(t, sent.id))?.failureReason).toContain(
      'is no longer valid (INVALID_ARGUMENT)',
    );
    expect((await phone(t, registered.id))?.fcmToken).toBeNull();
  });

  it('INVALID_ARGUMENT about something else fails the message but keeps the token', async () => {
    const t = await setup();
    const registered = await phoneWithToken(t, TOKEN);
    t.google.answerNextPushes({
      status: 400,
      body: fcmError(400, 'INVALID_ARGUMENT', 'Invalid value at message.android.ttl', [
        fcmErrorCode('INVALID_ARGUMENT'),
      ]),
    });
    const sent = await send(t);
    await t.gateway.dispatcher.runOnce();
    const failed = await message(t, sent.id);
    expect(failed?.status).toBe('failed');
    expect(failed?.failureReason).toBe(
      `the FCM push to phone [${OWNER}] failed (INVALID_ARGUMENT): Invalid value at message.android.ttl`,
    );
    expect((await phone(t, registered.id))?.fcmToken).toBe(TOKEN);
  });

  it('keeps a token the phone registered while the push was on its way', async () => {
    const t = await setup();
    const registered = await phoneWithToken(t, TOKEN);
    t.google.unregister(TOKEN);
    await phoneWithToken(t, 'fcm-token-new');
    await expect(t.fcm.notify(registered, [await send(t)])).rejects.toMatchObject({
      retryable: false,
    });
    expect((await phone(t, registered.id))?.fcmToken).toBe('fcm-token-new');
  });

  it('SENDER_ID_MISMATCH fails with a hint about the Firebase project', async () => {
    const t = await setup();
    await phoneWithToken(t, TOKEN);
    t.google.answerNextPushes({
      status: 403,
      body: fcmError(403, 'PERMISSION_DENIED', 'SenderId mismatch', [
        fcmErrorCode('SENDER_ID_MISMATCH'),
      ]),
    });
    const sent = await send(t);
    await t.gateway.dispatcher.runOnce();
    const failed = await message(t, sent.id);
    expect(failed?.status).toBe('failed');
    expect(failed?.failureReason).toContain('google-services.json');
  });
});

describe('retries', () => {
  it('429 with Retry-After: 7 → the next attempt is due 7 s later, then the push goes out', async () => {
    const t = await setup();
    await phoneWithToken(t, TOKEN);
    t.google.answerNextPushes({
      status: 429,
      headers: { 'retry-after': '7' },
      body: fcmError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded', [fcmErrorCode('QUOTA_EXCEEDED')]),
    });
    const sent = await send(t);
    const handedOffAt = t.clock.now();
    await t.gateway.dispatcher.runOnce();

    const waiting = await message(t, sent.id);
    expect(waiting?.status).toBe('scheduled');
    expect(waiting?.dueAt).toBe(handedOffAt + 7000);
    expect(waiting?.sendAttemptCount).toBe(0);
    expect(failedEvents(t)).toHaveLength(0);

    t.clock.advance(6999);
    expect(await t.gateway.dispatcher.runOnce()).toBe(0);
    t.clock.advance(1);
    expect(await t.gateway.dispatcher.runOnce()).toBe(1);
    expect(t.google.pushesTo(TOKEN).map((p) => p.data.KEY_MESSAGE_ID)).toEqual([sent.id]);
    expect((await message(t, sent.id))?.sendAttemptCount).toBe(1);
  });

  it('Retry-After as an HTTP date on a 503', async () => {
    const t = await setup();
    await phoneWithToken(t, TOKEN);
    const at = t.clock.now() + 30_000;
    t.google.answerNextPushes({
      status: 503,
      headers: { 'retry-after': new Date(at).toUTCString() },
      body: fcmError(503, 'UNAVAILABLE', 'The service is currently unavailable.', [
        fcmErrorCode('UNAVAILABLE'),
      ]),
    });
    const sent = await send(t);
    await t.gateway.dispatcher.runOnce();
    expect((await message(t, sent.id))?.dueAt).toBe(at);
  });

  it('QUOTA_EXCEEDED without Retry-After backs off a full minute', async () => {
    const t = await setup();
    await phoneWithToken(t, TOKEN);
    t.google.answerNextPushes({
      status: 429,
      body: fcmError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded', [fcmErrorCode('QUOTA_EXCEEDED')]),
    });
    const sent = await send(t);
    const now = t.clock.now();
    await t.gateway.dispatcher.runOnce();
    expect((await message(t, sent.id))?.dueAt).toBe(now + 60_000);
  });

  it('a 500 without Retry-After uses the dispatcher backoff', async () => {
    const t = await setup();
    await phoneWithToken(t, TOKEN);
    t.google.answerNextPushes({ status: 500, body: fcmError(500, 'INTERNAL', 'Internal error') });
    const sent = await send(t);
    const now = t.clock.now();
    await t.gateway.dispatcher.runOnce();
    const waiting = await message(t, sent.id);
    expect(waiting?.status).toBe('scheduled');
    expect(waiting?.dueAt).toBeGreaterThan(now);
    expect(waiting?.dueAt).toBeLessThanOrEqual(now + 1200);
  });

  it('a failing token endpoint postpones the message (retryable), with its Retry-After', async () => {
    const t = await setup();
    await phoneWithToken(t, TOKEN);
    t.google.answerNextTokenRequests({
      status: 503,
      headers: { 'retry-after': '20' },
      body: { error: 'temporarily_unavailable' },
    });
    const sent = await send(t);
    const now = t.clock.now();
    await t.gateway.dispatcher.runOnce();
    const waiting = await message(t, sent.id);
    expect(waiting?.status).toBe('scheduled');
    expect(waiting?.dueAt).toBe(now + 20_000);
    t.clock.advance(20_000);
    await t.gateway.dispatcher.runOnce();
    expect(t.google.pushesTo(TOKEN)).toHaveLength(1);
  });

  it('an unreachable FCM is retryable and says where it tried', async () => {
    const t = await setup();
    const registered = await phoneWithToken(t, TOKEN);
    const endpoint = await closedEndpoint();
    const fcm = fcmTransport({ credentials: t.google.credentials, endpoint, clock: t.clock });
    const error = await fcm.notify(registered, [await send(t)]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'transport', retryable: true });
    expect((error as Error).message).toContain(`could not reach FCM at [${endpoint}/v1/projects/`);
  });
});

describe('a failure in the middle of a batch', () => {
  /** A firebase-admin-like `Messaging` that answers the pushes in turn: undefined is accepted. */
  function scripted(answers: unknown[]) {
    const sent: string[] = [];
    const messaging = {
      async send(message: { data: Record<string, string> }) {
        const failure = answers.shift();
        if (failure) throw failure;
        sent.push(message.data.KEY_MESSAGE_ID ?? '');
        return `projects/textport-test/messages/${sent.length}`;
      },
    };
    return { messaging, sent };
  }

  const adminError = (code: string, text: string, httpResponse?: object) =>
    Object.assign(new Error(text), { code, httpResponse });

  async function batchOfThree(t: Setup) {
    await phoneWithToken(t, TOKEN);
    const sent = [await send(t, 'one'), await send(t, 'two'), await send(t, 'three')];
    const now = t.clock.now();
    await t.gateway.dispatcher.runOnce();
    const after = await Promise.all(sent.map((m) => message(t, m.id)));
    return { sent, now, after };
  }

  it('a 503: the message pushed stays handed off, the rest wait for Retry-After', async () => {
    const unavailable = adminError('messaging/server-unavailable', 'Try later', {
      status: 503,
      headers: { 'retry-after': '12' },
    });
    const fake = scripted([undefined, unavailable]);
    const t = await setup({ transport: { credentials: undefined, messaging: fake.messaging } });
    const { sent, now, after } = await batchOfThree(t);
    expect(fake.sent).toEqual([sent[0]?.id]);
    expect(after[0]).toMatchObject({ status: 'scheduled', sendAttemptCount: 1 });
    for (const waiting of after.slice(1)) {
      expect(waiting).toMatchObject({
        status: 'scheduled',
        sendAttemptCount: 0,
        dueAt: now + 12_000,
      });
    }
    expect(failedEvents(t)).toHaveLength(0);
  });

  it('a dead token: the message pushed stays handed off, the rest fail, the token is cleared once', async () => {
    const seen: InvalidTokenEvent[] = [];
    const gone = adminError('messaging/registration-token-not-registered', 'Not found.');
    const fake = scripted([undefined, gone]);
    const t = await setup({
      transport: {
        credentials: undefined,
        messaging: fake.messaging,
        onInvalidToken: (e) => void seen.push(e),
      },
    });
    const { sent, after } = await batchOfThree(t);
    expect(fake.sent).toEqual([sent[0]?.id]);
    expect(after[0]).toMatchObject({ status: 'scheduled', sendAttemptCount: 1 });
    expect(after.slice(1).map((m) => m?.status)).toEqual(['failed', 'failed']);
    expect(after[1]?.failureReason).toContain('is no longer valid (UNREGISTERED)');
    expect(failedEvents(t).map((e) => (e.data as { id: string }).id)).toEqual(
      sent.slice(1).map((m) => m.id),
    );
    expect(seen).toEqual([expect.objectContaining({ code: 'UNREGISTERED', cleared: true })]);
    expect((await t.gateway.store.getPhone(after[0]?.phoneId ?? ''))?.fcmToken).toBeNull();
  });
});
