/**
 * The pushes the httpSMS Android app understands: data-only messages carrying
 * `KEY_MESSAGE_ID` (fetch this message) or `KEY_HEARTBEAT_ID` (post a heartbeat).
 * The app ignores a push with neither key.
 */
import type { MessageRecord, PhoneRecord } from '@textport/core';
import { formatTimestamp } from '@textport/core';

export const KEY_MESSAGE_ID = 'KEY_MESSAGE_ID';
export const KEY_HEARTBEAT_ID = 'KEY_HEARTBEAT_ID';

/** httpSMS's effective expiration when a phone has none set. */
const DEFAULT_EXPIRATION_SECONDS = 600;

/** One push, independent of how it is sent. */
export interface FcmPush {
  token: string;
  data: Record<string, string>;
  android: { priority: 'normal' | 'high'; ttlSeconds?: number };
}

/** Wakes the phone to fetch one message: normal priority, kept by FCM as long as the message may wait. */
export function messagePush(token: string, phone: PhoneRecord, message: MessageRecord): FcmPush {
  const ttlSeconds = phone.messageExpirationSeconds || DEFAULT_EXPIRATION_SECONDS;
  return {
    token,
    data: { [KEY_MESSAGE_ID]: message.id },
    android: { priority: 'normal', ttlSeconds },
  };
}

/** Asks the phone for a heartbeat now: high priority, FCM's default TTL. */
export function heartbeatPush(token: string, now: number): FcmPush {
  return {
    token,
    data: { [KEY_HEARTBEAT_ID]: formatTimestamp(now) },
    android: { priority: 'high' },
  };
}

/** The FCM HTTP v1 `messages:send` body; the TTL is a duration string (`"600s"`). */
export function httpV1Body(push: FcmPush) {
  const { priority, ttlSeconds } = push.android;
  return {
    message: {
      token: push.token,
      data: push.data,
      android: ttlSeconds === undefined ? { priority } : { priority, ttl: `${ttlSeconds}s` },
    },
  };
}

/** The firebase-admin `Message`; its `android.ttl` is in milliseconds. */
export function adminMessage(push: FcmPush) {
  const { priority, ttlSeconds } = push.android;
  return {
    token: push.token,
    data: push.data,
    android: ttlSeconds === undefined ? { priority } : { priority, ttl: ttlSeconds * 1000 },
  };
}
