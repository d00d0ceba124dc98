/** An account's activity for dashboards (`GET /v1/activity` in docs/http-api.md). */

import { type AccountActivity, formatTimestamp, MAX_ACTIVITY_HOURS } from '@textport/core';
import { z } from 'zod';
import { success } from '../envelope.js';
import { defineRoute } from '../route.js';

const count = z.number().int().nonnegative();
const timestamp = z.string().meta({ format: 'date-time', description: 'RFC 3339 timestamp, UTC' });

export const wireActivitySchema = z.object({
  since: timestamp.meta({ description: 'The start of the first hour' }),
  counts: z
    .record(z.string(), count)
    .meta({ description: 'Every message of the account by status (every status, 0 included)' }),
  hours: z
    .array(
      z.object({
        start: timestamp,
        sent: count,
        delivered: count,
        failed: count,
        received: count,
      }),
    )
    .meta({ description: 'One entry per hour, oldest first; the last is the current hour' }),
  webhook_deliveries: z.object({
    failed: count.meta({ description: 'Deliveries of events since `since` that gave up' }),
    retrying: count.meta({ description: 'Deliveries still retried after a failed attempt' }),
  }),
});

function toWireActivity(a: AccountActivity): z.output<typeof wireActivitySchema> {
  return {
    since: formatTimestamp(a.since),
    counts: a.byStatus,
    hours: a.hours.map((h) => ({ ...h, start: formatTimestamp(h.start) })),
    webhook_deliveries: a.webhookDeliveries,
  };
}

const HOURS_ERROR = `The hours field must be a whole number from 1 to ${MAX_ACTIVITY_HOURS}`;

export const activityRoutes = [
  defineRoute({
    method: 'GET',
    path: '/v1/activity',
    auth: 'user',
    query: z.object({
      hours: z
        .string()
        .regex(/^[0-9]{1,3}$/, { error: HOURS_ERROR })
        .optional()
        .describe(
          `How many hours back, the current one included (1–${MAX_ACTIVITY_HOURS}; default 24).`,
        ),
    }),
    docs: {
      tag: 'Activity',
      operationId: 'getActivity',
      summary:
        'Your messages by status, what happened in each of the last hours, and failed webhook deliveries',
      success: { status: 200, description: 'fetched activity', data: wireActivitySchema },
    },
    async handle({ gateway, principal, query }) {
      const hours = query.hours === undefined ? 24 : Number(query.hours);
      const activity = await gateway.messages.activity(principal.accountId, hours);
      return success(200, 'fetched activity', toWireActivity(activity));
    },
  }),
];
