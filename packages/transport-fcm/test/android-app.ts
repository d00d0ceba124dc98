/**
 * The httpSMS Android app, reduced to its network behaviour: it logs in with
 * `PUT /v1/phones/fcm-token`, and for each FCM push it gets (from the Google
 * stand-in) it makes the same HTTP calls with the same headers and bodies.
 */
import type { Clock } from '@textport/core';
import { KEY_HEARTBEAT_ID, KEY_MESSAGE_ID } from '../src/index.js';
import type { GoogleStandIn, RecordedPush } from './stand-in.js';

export interface AppCall {
  method: string;
  path: string;
  status: number;
}

export interface AndroidAppOptions {
  apiBase: string;
  apiKey: string;
  phoneNumber: string;
  fcmToken: string;
  google: GoogleStandIn;
  clock: Clock;
}

/** The app's timestamp: milliseconds padded to nine digits (`…45.435000000Z`). */
function appTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000000Z');
}

export function androidApp(options: AndroidAppOptions) {
  const calls: AppCall[] = [];
  const errors: unknown[] = [];
  const headers = { 'x-api-key': options.apiKey, 'X-Client-Version': 'a1b2c3d' };

  async function call(method: string, path: string, body?: string) {
    const response = await fetch(`${options.apiBase}${path}`, {
      method,
      headers:
        body === undefined
          ? headers
          : { ...headers, 'Content-Type': 'application/json; charset=utf-8' },
      body,
    });
    const text = await response.text();
    calls.push({ method, path, status: response.status });
    return {
      status: response.status,
      json: text === '' ? null : (JSON.parse(text) as { data?: unknown }),
    };
  }

  async function event(messageId: string, name: 'SENT' | 'DELIVERED') {
    const timestamp = appTimestamp(options.clock.now());
    // The app builds this body by string interpolation, in this key order.
    await call(
      'POST',
      `/v1/messages/${messageId}/events`,
      `{"event_name": "${name}", "reason": null, "timestamp": "${timestamp}"}`,
    );
  }

  async function onPush(push: RecordedPush) {
    const messageId = push.data[KEY_MESSAGE_ID];
    if (messageId !== undefined) {
      const outstanding = await call('GET', `/v1/messages/outstanding?message_id=${messageId}`);
      if (outstanding.status !== 200) return;
      await event(messageId, 'SENT');
      await event(messageId, 'DELIVERED');
    } else if (push.data[KEY_HEARTBEAT_ID] !== undefined) {
      await heartbeat();
    }
  }

  /** `POST /v1/heartbeats`: every 15 minutes, on the button, and on a `KEY_HEARTBEAT_ID` push. */
  function heartbeat() {
    return call(
      'POST',
      '/v1/heartbeats',
      `{"charging": true, "phone_numbers": ["${options.phoneNumber}"]}`,
    );
  }

  options.google.onPush((push) => {
    if (push.token === options.fcmToken) onPush(push).catch((error: unknown) => errors.push(error));
  });

  return {
    calls,
    errors,
    heartbeat,
    /** The login call (once per SIM); returns the answer the app parses. */
    login: () =>
      call(
        'PUT',
        '/v1/phones/fcm-token',
        `{"fcm_token": "${options.fcmToken}", "phone_number": "${options.phoneNumber}", "sim": "SIM1"}`,
      ),
  };
}
