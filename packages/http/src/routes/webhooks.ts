/** Webhooks (`/v1/webhooks` in docs/http-api.md); a missing webhook is 404 here (httpSMS answers 500). */

import { WEBHOOK_EVENTS, type WebhookInput } from '@textport/core';
import { toWireWebhook, toWireWebhookDelivery } from '@textport/core/wire';
import { z } from 'zod';
import { success } from '../envelope.js';
import { pageParams, uuidParam } from '../params.js';
import { defineRoute } from '../route.js';
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

const crud = crudRoutes({
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

const { skip, limit } = pageParams(20, '');
const deliveriesMessage = (n: number) =>
  n === 1 ? 'fetched 1 delivery' : `fetched ${n} deliveries`;

/** A webhook's delivery log and redelivery (the outbox rows of its events). */
const deliveryRoutes = [
  defineRoute({
    method: 'GET',
    path: '/v1/webhooks/{webhookID}/deliveries',
    auth: 'user',
    query: z.object({ skip, limit }),
    docs: {
      tag: 'Webhooks',
      operationId: 'listWebhookDeliveries',
      summary: "A webhook's deliveries (one per event), newest first",
      success: { status: 200, data: ['WebhookDelivery'], description: 'fetched N deliveries' },
      errors: [404],
    },
    async handle({ gateway, principal, params, query }) {
      const id = uuidParam(params, 'webhookID');
      const rows = await gateway.webhooks.deliveries(principal.accountId, id, {
        skip: query.skip,
        limit: query.limit,
      });
      return success(200, deliveriesMessage(rows.length), rows.map(toWireWebhookDelivery));
    },
  }),

  defineRoute({
    method: 'POST',
    path: '/v1/webhooks/{webhookID}/deliveries/{deliveryID}/redeliver',
    auth: 'user',
    docs: {
      tag: 'Webhooks',
      operationId: 'redeliverWebhookDelivery',
      summary: 'Send a delivered or failed delivery again (back to pending, due now)',
      success: { status: 200, data: 'WebhookDelivery', description: 'delivery queued again' },
      errors: [404, 409],
    },
    async handle({ gateway, principal, params }) {
      const id = uuidParam(params, 'webhookID');
      const deliveryId = uuidParam(params, 'deliveryID');
      const row = await gateway.webhooks.redeliver(principal.accountId, id, deliveryId);
      return success(200, 'delivery queued again', toWireWebhookDelivery(row));
    },
  }),
];

/** The deliveries of the events about one message (its page's delivery list). */
const messageDeliveries = defineRoute({
  method: 'GET',
  path: '/v1/messages/{messageID}/deliveries',
  auth: 'user',
  query: z.object({ skip, limit }),
  docs: {
    tag: 'Webhooks',
    operationId: 'listMessageDeliveries',
    summary: "The webhook deliveries of a message's events, newest first",
    success: { status: 200, data: ['WebhookDelivery'], description: 'fetched N deliveries' },
    errors: [404],
  },
  async handle({ gateway, principal, params, query }) {
    const id = uuidParam(params, 'messageID');
    const rows = await gateway.messages.deliveries(principal.accountId, id, {
      skip: query.skip,
      limit: query.limit,
    });
    return success(200, deliveriesMessage(rows.length), rows.map(toWireWebhookDelivery));
  },
});

export const webhookRoutes = [...crud, ...deliveryRoutes, messageDeliveries];
