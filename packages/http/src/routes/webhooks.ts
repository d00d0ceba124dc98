/** Webhooks (`/v1/webhooks` in docs/http-api.md); a missing webhook is 404 here (httpSMS answers 500). */

import { WEBHOOK_EVENTS, type WebhookInput } from '@textport/core';
import { toWireWebhook } from '@textport/core/wire';
import { z } from 'zod';
import { needed, optional, text, textList } from '../schemas.js';
import { crudRoutes } from './common.js';

const webhookBody = z.object({
  url: needed(text, 'Where events are POSTed (https:// is added when there is no scheme).'),
  signing_key: optional(text, 'HS256 key of the Authorization: Bearer JWT (1–255 bytes).'),
  events: needed(textList, `Any of ${WEBHOOK_EVENTS.join(', ')}.`),
  phone_numbers: needed(textList, 'Numbers of your phones whose events are sent.'),
});

function webhookInput(body: z.output<typeof webhookBody>): WebhookInput {
  return {
    url: body.url ?? '',
    signingKey: body.signing_key ?? null,
    events: body.events ?? [],
    phoneNumbers: body.phone_numbers ?? [],
  };
}

export const webhookRoutes = crudRoutes({
  base: '/v1/webhooks',
  param: 'webhookID',
  id: 'uuid',
  tag: 'Webhooks',
  noun: 'webhook',
  data: 'Webhook',
  body: webhookBody,
  paging: { defaultLimit: 1, matches: 'the URL' },
  deleteAnswersData: true,
  operationIds: {
    list: 'listWebhooks',
    create: 'createWebhook',
    update: 'updateWebhook',
    remove: 'deleteWebhook',
  },
  summaries: {
    list: 'List webhooks, newest first',
    create: 'Create a webhook',
    update: 'Replace a webhook',
    remove: 'Delete a webhook',
  },
  list: async (gateway, accountId, page) =>
    (await gateway.webhooks.list(accountId, page)).map(toWireWebhook),
  create: async (gateway, accountId, body) =>
    toWireWebhook(await gateway.webhooks.create(accountId, webhookInput(body))),
  update: async (gateway, accountId, id, body) =>
    toWireWebhook(await gateway.webhooks.update(accountId, id, webhookInput(body))),
  remove: (gateway, accountId, id) => gateway.webhooks.delete(accountId, id),
});
