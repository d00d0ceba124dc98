/**
 * The Discord integrations of an account (`/v1/discord-integrations` in
 * docs/http-api.md, httpSMS's shapes): a Discord server whose slash command sends SMS
 * from the account, and the channel its incoming SMS are posted to. With a bot
 * configured, creating or changing one checks that the bot sees the server and the
 * channel, as httpSMS does.
 */

import type { DiscordConfig } from '../config/integrations.js';
import type { DiscordIntegrationRecord } from '../domain/records.js';
import { GatewayError } from '../errors.js';
import type { DiscordClient, DiscordCommand } from '../integrations/discord-client.js';
import type { GatewayContext } from '../uow/context.js';
import { Checker } from './validate.js';

export interface DiscordIntegrationInput {
  name: string;
  /** The Discord server (guild) id. */
  serverId: string;
  /** The channel incoming SMS are posted to. */
  incomingChannelId: string;
}

export interface DiscordIntegrationListInput {
  /** Substring of the name, the server id or the channel id. */
  query?: string | null;
  skip?: number;
  limit?: number;
}

/** Discord ids (snowflakes) are decimal numbers. */
const SNOWFLAKE = /^[0-9]{1,255}$/;

/** The slash command that sends an SMS (httpSMS's options, under textport's name). */
export const SMS_COMMAND: DiscordCommand = {
  name: 'sms',
  type: 1,
  description: 'Send an SMS through textport',
  options: [
    { name: 'from', description: 'Sender phone number', type: 3, required: true },
    { name: 'to', description: 'Recipient phone number', type: 3, required: true },
    { name: 'message', description: 'Text message content', type: 3, required: true },
    {
      name: 'attachment_urls',
      description: 'Comma-separated list of media URLs to attach',
      type: 3,
      required: false,
    },
  ],
};

/** The Discord bot of the gateway, when one is configured. */
export interface DiscordBot {
  client: DiscordClient;
  config: DiscordConfig;
}

function notFound(id: string): GatewayError {
  return GatewayError.notFound(`cannot find discord integration with ID [${id}]`);
}

async function checkedInput(
  bot: DiscordBot | undefined,
  input: DiscordIntegrationInput,
): Promise<DiscordIntegrationInput> {
  const check = new Checker();
  const name = check.text('name', input?.name?.trim(), 1, 255);
  const serverId = check.text('server_id', input?.serverId?.trim(), 1, 255);
  const incomingChannelId = check.text(
    'incoming_channel_id',
    input?.incomingChannelId?.trim(),
    1,
    255,
  );
  if (serverId && !SNOWFLAKE.test(serverId))
    check.add('server_id', 'The server_id field must be numeric');
  if (incomingChannelId && !SNOWFLAKE.test(incomingChannelId)) {
    check.add('incoming_channel_id', 'The incoming_channel_id field must be numeric');
  }
  check.throwIfInvalid();
  if (bot) {
    const [channel, guild] = await Promise.all([
      bot.client.getChannel(incomingChannelId),
      bot.client.getGuild(serverId),
    ]);
    if (!channel.ok) {
      check.add(
        'incoming_channel_id',
        `cannot fetch discord channel with ID [${incomingChannelId}] make sure the bot has access to the channel`,
      );
    }
    if (!guild.ok) {
      check.add(
        'server_id',
        `cannot fetch discord server with ID [${serverId}] make sure the bot has access to the server`,
      );
    }
    check.throwIfInvalid();
    const applicationId = bot.config.applicationId;
    const command = applicationId
      ? await bot.client.createGuildCommand(applicationId, serverId, SMS_COMMAND)
      : null;
    if (command && !command.ok) {
      check.add(
        'server_id',
        `cannot create the /sms command in discord server [${serverId}]: invite the bot with the applications.commands scope`,
      );
    }
    check.throwIfInvalid();
  }
  return { name, serverId, incomingChannelId };
}

function serverTaken(serverId: string, error: unknown): unknown {
  return error instanceof GatewayError && error.code === 'conflict'
    ? new GatewayError('conflict', `the discord server [${serverId}] is already linked`)
    : error;
}

export function listDiscordIntegrations(
  ctx: GatewayContext,
  accountId: string,
  input: DiscordIntegrationListInput = {},
): Promise<DiscordIntegrationRecord[]> {
  const check = new Checker();
  const query = check.text('query', input.query ?? '', 0, 100, false);
  check.throwIfInvalid();
  return ctx.store.listDiscordIntegrations({
    accountId,
    query: query.trim() || null,
    skip: Math.max(0, input.skip ?? 0),
    limit: Math.max(0, input.limit ?? 1),
  });
}

export async function createDiscordIntegration(
  ctx: GatewayContext,
  bot: DiscordBot | undefined,
  accountId: string,
  input: DiscordIntegrationInput,
): Promise<DiscordIntegrationRecord> {
  const fields = await checkedInput(bot, input);
  const now = ctx.clock.now();
  const record: DiscordIntegrationRecord = {
    id: ctx.random.uuid(),
    accountId,
    ...fields,
    createdAt: now,
    updatedAt: now,
  };
  await ctx.store.insertDiscordIntegration(record).catch((error: unknown) => {
    throw serverTaken(fields.serverId, error);
  });
  return record;
}

export async function updateDiscordIntegration(
  ctx: GatewayContext,
  bot: DiscordBot | undefined,
  accountId: string,
  id: string,
  input: DiscordIntegrationInput,
): Promise<DiscordIntegrationRecord> {
  const fields = await checkedInput(bot, input);
  const existing = await ctx.store.getDiscordIntegration(accountId, id);
  if (!existing) throw notFound(id);
  const updated = await ctx.store
    .updateDiscordIntegration(id, { ...fields, updatedAt: ctx.clock.now() })
    .catch((error: unknown) => {
      throw serverTaken(fields.serverId, error);
    });
  if (!updated) throw notFound(id);
  return updated;
}

export async function deleteDiscordIntegration(
  ctx: GatewayContext,
  accountId: string,
  id: string,
): Promise<void> {
  if (!(await ctx.store.deleteDiscordIntegration(accountId, id))) throw notFound(id);
}
