/** Send schedules (`/v1/send-schedules` in docs/http-api.md): an id that is not a UUID at all is 400, as upstream. */

import type { SendScheduleInput } from '@textport/core';
import { toWireSendSchedule } from '@textport/core/wire';
import { z } from 'zod';
import { needed, text, whole } from '../schemas.js';
import { crudRoutes } from './common.js';

const scheduleBody = z.object({
  name: needed(text, '2–100 bytes.'),
  timezone: needed(text, 'IANA time zone, e.g. Europe/Berlin.'),
  windows: needed(
    z.array(
      z.object({
        day_of_week: needed(whole, '0 = Sunday … 6 = Saturday.'),
        start_minute: needed(whole, 'Minutes after local midnight, 0–1439.'),
        end_minute: needed(whole, 'Minutes after local midnight, 1–1440, after start_minute.'),
      }),
    ),
    'At least one window; at most 6 a day; windows of a day must not overlap.',
  ),
});

function scheduleInput(body: z.output<typeof scheduleBody>): SendScheduleInput {
  return {
    name: body.name ?? '',
    timezone: body.timezone ?? '',
    windows: (body.windows ?? []).map((w) => ({
      dayOfWeek: w.day_of_week ?? -1,
      startMinute: w.start_minute ?? -1,
      endMinute: w.end_minute ?? -1,
    })),
  };
}

export const scheduleRoutes = crudRoutes({
  base: '/v1/send-schedules',
  param: 'scheduleID',
  id: 'raw',
  tag: 'Send schedules',
  noun: 'send schedule',
  data: 'SendSchedule',
  body: scheduleBody,
  operationIds: {
    list: 'listSendSchedules',
    create: 'createSendSchedule',
    update: 'updateSendSchedule',
    remove: 'deleteSendSchedule',
  },
  summaries: {
    list: 'All your send schedules, oldest first',
    create: 'Create a send schedule',
    update: 'Replace a send schedule',
    remove: 'Delete a send schedule (phones using it then send at any time)',
  },
  list: async (gateway, accountId) =>
    (await gateway.schedules.list(accountId)).map(toWireSendSchedule),
  create: async (gateway, accountId, body) =>
    toWireSendSchedule(await gateway.schedules.create(accountId, scheduleInput(body))),
  update: async (gateway, accountId, id, body) =>
    toWireSendSchedule(await gateway.schedules.update(accountId, id, scheduleInput(body))),
  remove: (gateway, accountId, id) => gateway.schedules.delete(accountId, id),
});
