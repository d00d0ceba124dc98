/** The configuration of the integrations with other services (Discord). */
import { z } from 'zod';

export const DEFAULT_DISCORD_API_BASE_URL = 'https://discord.com/api/v10';

/**
 * The Discord application the gateway answers for: its bot posts incoming SMS to the
 * linked channels, and its interactions endpoint (`POST /v1/discord/event`) takes the
 * slash command that sends an SMS. None: the integrations can be stored but nothing is
 * posted, and interactions are refused.
 */
export const discordConfigSchema = z.object({
  /** The bot token (Discord's developer portal, Bot page); sent as `Authorization: Bot …`. */
  botToken: z.string().min(1, 'the Discord bot token is empty: copy it from the Bot page'),
  /** The application's public key, 64 hex digits: interactions must be signed with it. */
  publicKey: z
    .string()
    .regex(
      /^[0-9a-fA-F]{64}$/,
      'the Discord public key must be 64 hex digits (General Information page)',
    ),
  /**
   * The application id: when set, linking a server registers the `/sms` slash command in it
   * (as httpSMS does); unset, register it yourself.
   */
  applicationId: z
    .string()
    .regex(/^[0-9]{1,32}$/, 'the Discord application id is digits (General Information page)')
    .optional(),
  /** Discord's REST API (a stand-in in tests). */
  apiBaseUrl: z.url().default(DEFAULT_DISCORD_API_BASE_URL),
  /** Time allowed for one call to Discord's API. */
  timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
});

export type DiscordConfig = z.output<typeof discordConfigSchema>;
