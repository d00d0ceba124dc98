/**
 * Discord (`/v1/discord-integrations` and `/v1/discord/event` in docs/http-api.md,
 * httpSMS's routes and shapes): the Discord servers linked to an account, and the
 * interactions endpoint Discord calls with each slash command, signed with the
 * application's Ed25519 key.
 */
import type { DiscordIntegrationInput } from '@textport/core';
import { toWireDiscordIntegration } from '@textport/core/wire';
import { z } from 'zod';
import { headerValue, readBody } from '../decode.js';
import { json } from '../envelope.js';
import { defineRoute } from '../route.js';
import { needed, text } from '../schemas.js';
import { crudRoutes } from './common.js';

const TAG = 'Discord';

/** Interactions are small; Discord's own limit on a command's options is far below this. */
const INTERACTION_LIMIT = 64 * 1024;

const discordBody = z.object({
  name: needed(text, 'A name for the integration (1–255 bytes).'),
  server_id: needed(text, 'The Discord server (guild) id: digits.'),
  incoming_channel_id: needed(text, 'The channel incoming SMS are posted to: digits.'),
});

function discordInput(body: z.output<typeof discordBody>): DiscordIntegrationInput {
  return {
    name: body.name ?? '',
    serverId: body.server_id ?? '',
    incomingChannelId: body.incoming_channel_id ?? '',
  };
}

const INTERACTION_RESPONSE = {
  mediaType: 'application/json',
  schema: {
    type: 'object',
    description:
      "Discord's interaction response: `{type: 1}` answers a PING, `{type: 4, data: {content, embeds}}` tells the result of a slash command.",
    properties: {
      type: { type: 'integer', enum: [1, 4] },
      data: { type: 'object', additionalProperties: true },
    },
    required: ['type'],
  },
} as const;

const interactionRoute = defineRoute({
  method: 'POST',
  path: '/v1/discord/event',
  auth: 'public',
  limit: INTERACTION_LIMIT,
  docs: {
    tag: TAG,
    operationId: 'receiveDiscordInteraction',
    summary: "Discord's interactions endpoint: PING, and the slash command that sends an SMS",
    description:
      "Called by Discord, not by you: set `<your server>/v1/discord/event` as the application's Interactions Endpoint URL. Each request must carry `X-Signature-Ed25519` and `X-Signature-Timestamp`, the signature of the timestamp and the raw body under the configured application public key; anything else is 401. The raw body is needed: mount textport before a JSON body parser.",
    success: {
      status: 200,
      body: INTERACTION_RESPONSE,
      description: "Discord's interaction response",
    },
    errors: [400, 401, 413],
  },
  async handle({ gateway, request }) {
    const body = await readBody(request, INTERACTION_LIMIT);
    const response = await gateway.discord.interaction({
      // A body a framework already parsed has lost the bytes the signature covers.
      body: 'raw' in body ? body.raw : new Uint8Array(0),
      signature: headerValue(request.headers, 'x-signature-ed25519'),
      timestamp: headerValue(request.headers, 'x-signature-timestamp'),
    });
    return json(200, response);
  },
});

export const discordRoutes = [
  ...crudRoutes({
    base: '/v1/discord-integrations',
    param: 'discordID',
    id: 'uuid',
    tag: TAG,
    noun: 'discord integration',
    data: 'DiscordIntegration',
    body: discordBody,
    paging: { defaultLimit: 1, matches: 'the name, the server id or the channel id' },
    deleteAnswersData: true,
    operationIds: {
      list: 'listDiscordIntegrations',
      create: 'createDiscordIntegration',
      update: 'updateDiscordIntegration',
      remove: 'deleteDiscordIntegration',
    },
    summaries: {
      list: 'List the Discord integrations of your account, newest first',
      create: 'Link a Discord server: its slash command sends SMS, incoming SMS go to a channel',
      update: 'Replace a Discord integration',
      remove: 'Delete a Discord integration',
    },
    list: async (gateway, accountId, page) =>
      (await gateway.discord.list(accountId, page)).map(toWireDiscordIntegration),
    create: async (gateway, accountId, body) =>
      toWireDiscordIntegration(await gateway.discord.create(accountId, discordInput(body))),
    update: async (gateway, accountId, id, body) =>
      toWireDiscordIntegration(await gateway.discord.update(accountId, id, discordInput(body))),
    remove: (gateway, accountId, id) => gateway.discord.delete(accountId, id),
  }),
  interactionRoute,
];
