/**
 * The calls of the httpSMS Android app (docs/android-app.md): outstanding message,
 * SENT/DELIVERED/FAILED events, received SMS/MMS, missed calls, heartbeats and
 * the FCM-token login. They take user keys and phone keys.
 */

import type { PhoneEventName } from '@textport/core';
import { toWireHeartbeat, toWireMessage, toWirePhone } from '@textport/core/wire';
import { z } from 'zod';
import { headerValue } from '../decode.js';
import { noContent, success } from '../envelope.js';
import { requiredParam } from '../params.js';
import { defineRoute } from '../route.js';
import { flag, needed, optional, text, textList } from '../schemas.js';

const TAG = 'Phone API';

/** Received bodies carry base64 attachments: at most 3 MiB decoded, 4 MiB as base64. */
export const RECEIVE_BODY_LIMIT = 5 * 1024 * 1024;

const eventBody = z.object({
  event_name: needed(text, 'SENT, DELIVERED or FAILED.'),
  timestamp: optional(text, 'When it happened on the phone (RFC 3339); default now.'),
  reason: optional(text, 'Failure reason (FAILED).'),
});

/**
 * The app writes this body from a string template, so a failure reason with a
 * quote or a line break makes it invalid JSON; such a body is read by its layout.
 */
const EVENT_TEMPLATE =
  /^\s*\{\s*"event_name"\s*:\s*"([A-Z]+)"\s*,\s*"reason"\s*:\s*(null|"([\s\S]*)")\s*,\s*"timestamp"\s*:\s*"([^"]*)"\s*\}\s*$/;

export function readEventTemplate(body: string): unknown {
  const m = EVENT_TEMPLATE.exec(body);
  if (!m) return undefined;
  return { event_name: m[1], reason: m[2] === 'null' ? null : m[3], timestamp: m[4] };
}

const receiveBody = z.object({
  from: needed(text, 'The sender as the network gave it (may be alphanumeric).'),
  to: needed(text, 'Your number that received it (E.164).'),
  content: optional(text, '1–2048 bytes; may be empty when there are attachments.'),
  encrypted: optional(flag, 'The content was encrypted by the app.'),
  sim: optional(text, 'SIM1 or SIM2 (empty or DEFAULT mean SIM1).'),
  timestamp: optional(text, 'When the phone received it (RFC 3339).'),
  attachments: optional(
    z.array(
      z.object({
        name: optional(text, 'File name.'),
        content_type: optional(text, 'Media type, e.g. image/jpeg.'),
        content: optional(text, 'Standard base64, at most 1.5 MiB decoded.'),
      }),
    ),
    'MMS parts: at most 10, 3 MiB in total.',
  ),
});

const missedCallBody = z.object({
  from: needed(text, 'The caller.'),
  to: needed(text, 'Your number (E.164).'),
  sim: optional(text, 'SIM1 or SIM2.'),
  timestamp: optional(text, 'When the call was missed (RFC 3339).'),
});

const heartbeatBody = z.object({
  phone_numbers: optional(textList, 'The phone numbers of the SIMs (1–2).'),
  owner: optional(text, 'Legacy single number (apps before 2024-11).'),
  charging: optional(flag, 'Whether the phone is charging.'),
});

const fcmTokenBody = z.object({
  phone_number: needed(text, 'The number of this SIM (E.164).'),
  fcm_token: optional(text, 'The Firebase Cloud Messaging token (≤1000 bytes).'),
  sim: optional(text, 'SIM1 or SIM2.'),
});

export const phoneApiRoutes = [
  defineRoute({
    method: 'GET',
    path: '/v1/messages/outstanding',
    auth: 'phone',
    query: z.object({ message_id: requiredParam('message_id', 'The id from the push.') }),
    docs: {
      tag: TAG,
      operationId: 'takeOutstandingMessage',
      summary: 'Take a message to send (moves it to `sending`)',
      success: {
        status: 200,
        data: 'Message',
        description: 'outstanding message fetched successfully',
      },
      errors: [404],
    },
    async handle({ gateway, principal, query }) {
      const message = await gateway.phoneApi.takeOutstanding(principal, query.message_id);
      return success(200, 'outstanding message fetched successfully', toWireMessage(message));
    },
  }),

  defineRoute({
    method: 'POST',
    path: '/v1/messages/{messageID}/events',
    auth: 'phone',
    body: eventBody,
    lenient: readEventTemplate,
    early: (params) => (params.messageID?.includes('.') ? noContent() : undefined),
    docs: {
      tag: TAG,
      operationId: 'reportMessageEvent',
      summary: 'Report SENT, DELIVERED or FAILED',
      description: 'An id with a `.` (a non-final part of a multipart SMS) gets 204.',
      success: { status: 200, data: 'Message', description: 'message event stored successfully' },
      errors: [404],
    },
    async handle({ gateway, principal, params, body }) {
      const outcome = await gateway.phoneApi.reportEvent(principal, params.messageID ?? '', {
        event: (body.event_name ?? '') as PhoneEventName,
        timestamp: body.timestamp ?? null,
        reason: body.reason ?? null,
      });
      if (outcome.message === null) return noContent();
      return success(200, 'message event stored successfully', toWireMessage(outcome.message));
    },
  }),

  defineRoute({
    method: 'POST',
    path: '/v1/messages/receive',
    auth: 'phone',
    body: receiveBody,
    limit: RECEIVE_BODY_LIMIT,
    inbound: true,
    docs: {
      tag: TAG,
      operationId: 'receiveMessage',
      summary: 'Store a received SMS or MMS',
      description:
        'Attachments are kept and served at `/v1/attachments/...`. 4xx only for bad input.',
      success: { status: 200, data: 'Message', description: 'message received successfully' },
    },
    async handle({ gateway, principal, body }) {
      const message = await gateway.phoneApi.receive(principal, {
        from: body.from ?? '',
        to: body.to ?? '',
        content: body.content ?? '',
        encrypted: body.encrypted ?? false,
        sim: body.sim ?? null,
        timestamp: body.timestamp ?? null,
        attachments: (body.attachments ?? []).map((a) => ({
          name: a.name ?? '',
          contentType: a.content_type ?? '',
          data: a.content ?? '',
        })),
      });
      return success(200, 'message received successfully', toWireMessage(message));
    },
  }),

  defineRoute({
    method: 'POST',
    path: '/v1/messages/calls/missed',
    auth: 'phone',
    body: missedCallBody,
    inbound: true,
    docs: {
      tag: TAG,
      operationId: 'recordMissedCall',
      summary: 'Store a missed call (and send the auto-reply)',
      success: {
        status: 200,
        data: 'Message',
        description: 'missed call event stored successfully',
      },
    },
    async handle({ gateway, principal, body }) {
      const message = await gateway.phoneApi.missedCall(principal, {
        from: body.from ?? '',
        to: body.to ?? '',
        sim: body.sim ?? null,
        timestamp: body.timestamp ?? null,
      });
      return success(200, 'missed call event stored successfully', toWireMessage(message));
    },
  }),

  defineRoute({
    method: 'POST',
    path: '/v1/heartbeats',
    auth: 'phone',
    body: heartbeatBody,
    docs: {
      tag: TAG,
      operationId: 'storeHeartbeats',
      summary: 'Store heartbeats',
      description: 'The app version is read from the `X-Client-Version` header.',
      success: {
        status: 201,
        data: ['Heartbeat'],
        description: '[N] heartbeats received successfully',
      },
    },
    async handle({ gateway, principal, body, request }) {
      const beats = await gateway.phoneApi.heartbeat(principal, {
        phoneNumbers: body.phone_numbers ?? null,
        owner: body.owner ?? null,
        charging: body.charging ?? false,
        version: headerValue(request.headers, 'x-client-version') ?? null,
      });
      const message = `[${beats.length}] heartbeats received successfully`;
      return success(201, message, beats.map(toWireHeartbeat));
    },
  }),

  defineRoute({
    method: 'PUT',
    path: '/v1/phones/fcm-token',
    auth: 'phone',
    changesKeys: true,
    body: fcmTokenBody,
    docs: {
      tag: TAG,
      operationId: 'updateFcmToken',
      summary: 'Log a phone in: store its FCM token (a phone key gets bound to the number)',
      success: { status: 200, data: 'Phone', description: 'FCM token updated successfully' },
    },
    async handle({ gateway, principal, body }) {
      const phone = await gateway.phoneApi.updateFcmToken(principal, {
        phoneNumber: body.phone_number ?? '',
        fcmToken: body.fcm_token ?? null,
        sim: body.sim ?? 'SIM1',
      });
      return success(
        200,
        'FCM token updated successfully',
        toWirePhone(phone, gateway.config.clock.now()),
      );
    },
  }),
];
