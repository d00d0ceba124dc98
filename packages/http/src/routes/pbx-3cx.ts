/**
 * 3CX (`/v1/integration/3cx` in docs/http-api.md): a 3CX PBX with textport as its
 * generic SMS provider sends SMS through your phones (httpSMS's route and answer), and
 * incoming SMS are POSTed to the PBX's webhook URL, set here (textport's own: httpSMS
 * has no route for it).
 */
import { toWireIntegration3cx } from '@textport/core/wire';
import { z } from 'zod';
import { json, success } from '../envelope.js';
import { defineRoute } from '../route.js';
import { needed, text } from '../schemas.js';

const TAG = '3CX';
const PATH = '/v1/integration/3cx';

const messageBody = z.object({
  from: needed(text, 'One of your numbers (E.164).'),
  to: needed(text, 'The contact.'),
  text: needed(text, 'The message.'),
});

const settingsBody = z.object({
  webhook_url: needed(
    text,
    "The PBX's generic SMS webhook URL (http or https, ≤1024 bytes): incoming SMS are POSTed to it.",
  ),
});

const SENT_RESPONSE = {
  mediaType: 'application/json',
  schema: {
    type: 'object',
    description: "httpSMS's answer to 3CX: the id of the queued message.",
    properties: {
      data: {
        type: 'object',
        properties: {
          payload: {
            type: 'object',
            properties: { id: { type: 'string', format: 'uuid' } },
            required: ['id'],
          },
        },
        required: ['payload'],
      },
    },
    required: ['data'],
  },
} as const;

export const pbx3cxRoutes = [
  defineRoute({
    method: 'POST',
    path: `${PATH}/messages`,
    auth: 'user',
    bearerKey: true,
    body: messageBody,
    docs: {
      tag: TAG,
      operationId: 'sendThreeCxMessage',
      summary: 'Send an SMS for 3CX (its generic SMS provider request)',
      description:
        'Set `<your server>/v1/integration/3cx/messages` as the provider URL in 3CX and your user API key as its API key: the key is taken as `x-api-key` or as `Authorization: Bearer <key>`. The message is queued as `POST /v1/messages/send` would queue it.',
      success: { status: 200, body: SENT_RESPONSE, description: 'the message was queued' },
      errors: [402, 404, 422],
    },
    async handle({ gateway, principal, body }) {
      const message = await gateway.pbx3cx.send(principal.accountId, {
        from: body.from ?? '',
        to: body.to ?? '',
        text: body.text ?? '',
      });
      return json(200, { data: { payload: { id: message.id } } });
    },
  }),
  defineRoute({
    method: 'GET',
    path: PATH,
    auth: 'user',
    docs: {
      tag: TAG,
      operationId: 'getThreeCxIntegration',
      summary: "Your account's 3CX integration",
      success: { status: 200, data: 'Integration3cx', description: 'fetched 3cx integration' },
      errors: [404],
    },
    async handle({ gateway, principal }) {
      const found = await gateway.pbx3cx.get(principal.accountId);
      return success(200, 'fetched 3cx integration', toWireIntegration3cx(found));
    },
  }),
  defineRoute({
    method: 'PUT',
    path: PATH,
    auth: 'user',
    body: settingsBody,
    docs: {
      tag: TAG,
      operationId: 'setThreeCxIntegration',
      summary: "Set the 3CX PBX's webhook URL: incoming SMS are POSTed to it",
      success: {
        status: 200,
        data: 'Integration3cx',
        description: '3cx integration saved successfully',
      },
    },
    async handle({ gateway, principal, body }) {
      const saved = await gateway.pbx3cx.put(principal.accountId, {
        webhookUrl: body.webhook_url ?? '',
      });
      return success(200, '3cx integration saved successfully', toWireIntegration3cx(saved));
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: PATH,
    auth: 'user',
    docs: {
      tag: TAG,
      operationId: 'deleteThreeCxIntegration',
      summary: 'Delete the 3CX integration: incoming SMS are no longer posted',
      success: { status: 200, data: null, description: '3cx integration deleted successfully' },
      errors: [404],
    },
    async handle({ gateway, principal }) {
      await gateway.pbx3cx.delete(principal.accountId);
      return success(200, '3cx integration deleted successfully', null);
    },
  }),
];
