/** Phones of the account (settings) and their heartbeats. */

import type { PhoneSettingsInput } from '@textport/core';
import { toWireHeartbeat, toWirePhone } from '@textport/core/wire';
import { z } from 'zod';
import { fetched, success } from '../envelope.js';
import { pageOf, pageParams, phoneNumberParam, requiredParam } from '../params.js';
import { defineRoute } from '../route.js';
import { flag, needed, optional, text, unsigned } from '../schemas.js';
import { deleteById, listRoute, saveRoute } from './common.js';

const TAG = 'Phones';

const phoneBody = z.object({
  phone_number: needed(text, 'The phone number (E.164); the phone is created when new.'),
  fcm_token: optional(text, 'FCM token (≤1000 bytes); absent keeps it, null clears it.'),
  messages_per_minute: optional(unsigned, 'Pacing, 1–60 (applied when present and > 0).'),
  messages_per_hour: optional(
    unsigned,
    'Hand-off cap in SMS segments per hour, 0–3600; 0 lifts it (applied when present).',
  ),
  messages_per_day: optional(
    unsigned,
    'Hand-off cap in SMS segments per day, 0–86400; 0 lifts it (applied when present).',
  ),
  recipients_per_month: optional(
    unsigned,
    'Cap on the different contacts handed off to per calendar month (UTC), 0–100000; 0 lifts it (applied when present).',
  ),
  max_send_attempts: optional(unsigned, 'Hand-off attempts, 1–5 (applied when present and > 0).'),
  message_expiration_seconds: optional(unsigned, '60–3600; 0 restores the default (600).'),
  missed_call_auto_reply: optional(text, 'Text sent to missed callers (applied when not blank).'),
  unarchive_thread: optional(flag, 'Unarchive a thread when a message arrives on it.'),
  sim: optional(text, 'SIM1 or SIM2.'),
  message_send_schedule_id: optional(text, 'A send schedule of yours; null or "" clears it.'),
});

type PhoneBody = z.output<typeof phoneBody>;

/** httpSMS decides which settings change by the keys present in the body. */
export function phoneSettings(body: PhoneBody): PhoneSettingsInput {
  const input: PhoneSettingsInput = { phoneNumber: body.phone_number ?? '' };
  if (body.fcm_token !== undefined) input.fcmToken = body.fcm_token;
  if (body.messages_per_minute) input.messagesPerMinute = body.messages_per_minute;
  if (typeof body.messages_per_hour === 'number') input.messagesPerHour = body.messages_per_hour;
  if (typeof body.messages_per_day === 'number') input.messagesPerDay = body.messages_per_day;
  if (typeof body.recipients_per_month === 'number') {
    input.recipientsPerMonth = body.recipients_per_month;
  }
  if (body.max_send_attempts) input.maxSendAttempts = body.max_send_attempts;
  if (typeof body.message_expiration_seconds === 'number') {
    input.messageExpirationSeconds = body.message_expiration_seconds;
  }
  if (body.missed_call_auto_reply?.trim()) input.missedCallAutoReply = body.missed_call_auto_reply;
  if (typeof body.unarchive_thread === 'boolean') input.unarchiveThread = body.unarchive_thread;
  if (typeof body.sim === 'string') input.sim = body.sim;
  if (body.message_send_schedule_id !== undefined) {
    input.sendScheduleId = body.message_send_schedule_id;
  }
  return input;
}

const phoneReachSchema = z.object({
  phone_id: z.string(),
  phone_number: z.string(),
  transports: z
    .array(z.string())
    .meta({ description: 'Transport names (websocket, fcm, smsgate, modem…); empty: none here' }),
});

export const phoneRoutes = [
  listRoute({
    path: '/v1/phones',
    operationId: 'listPhones',
    tag: TAG,
    summary: 'List your phones, newest first',
    noun: 'phone',
    data: 'Phone',
    paging: { defaultLimit: 10, matches: 'the phone number' },
    list: async (gateway, accountId, page) =>
      (await gateway.phones.list(accountId, page)).map((p) =>
        toWirePhone(p, gateway.config.clock.now()),
      ),
  }),

  saveRoute({
    method: 'PUT',
    path: '/v1/phones',
    operationId: 'upsertPhone',
    tag: TAG,
    summary: 'Create or update a phone; only the settings present in the body change',
    body: phoneBody,
    status: 200,
    message: 'phone updated successfully',
    data: 'Phone',
    save: async (gateway, accountId, body) =>
      toWirePhone(
        await gateway.phones.upsert(accountId, phoneSettings(body)),
        gateway.config.clock.now(),
      ),
  }),

  deleteById({
    path: '/v1/phones/{phoneID}',
    operationId: 'deletePhone',
    tag: TAG,
    summary: 'Delete a phone (it is removed from phone API keys)',
    param: 'phoneID',
    message: 'phone deleted successfully',
    changesKeys: true,
    remove: (gateway, accountId, id) => gateway.phones.delete(accountId, id),
  }),

  defineRoute({
    method: 'GET',
    path: '/v1/phones/reach',
    auth: 'user',
    docs: {
      tag: TAG,
      operationId: 'listPhoneReach',
      summary: 'Which transports reach each of your phones through the node that answers',
      description:
        'textport only. A WebSocket or SMSGate link is held by one node: in a cluster, another node may reach a phone this one does not.',
      success: { status: 200, description: 'fetched N phones', data: z.array(phoneReachSchema) },
    },
    async handle({ gateway, principal }) {
      const rows = await gateway.phones.reach(principal.accountId);
      const wire = rows.map((r) => ({
        phone_id: r.phoneId,
        phone_number: r.phoneNumber,
        transports: r.transports,
      }));
      return success(200, fetched(wire.length, 'phone'), wire);
    },
  }),

  defineRoute({
    method: 'GET',
    path: '/v1/heartbeats',
    auth: 'user',
    query: z.object({
      owner: requiredParam('owner', 'The phone number (E.164).'),
      ...pageParams(1, 'Substring of the app version.'),
    }),
    docs: {
      tag: TAG,
      operationId: 'listHeartbeats',
      summary: "A phone's heartbeats, newest first",
      success: { status: 200, data: ['Heartbeat'], description: 'fetched N heartbeats' },
    },
    async handle({ gateway, principal, query }) {
      const owner = phoneNumberParam('owner', query.owner);
      const page = pageOf(query, 100);
      const beats = await gateway.phones.heartbeats(principal.accountId, { owner, ...page });
      return success(200, fetched(beats.length, 'heartbeat'), beats.map(toWireHeartbeat));
    },
  }),
];
