/**
 * The few calls of Discord's REST API the integration makes, as the configured bot
 * (`Authorization: Bot <token>`), each bounded by the configured timeout.
 */
import type { DiscordConfig } from '../config/integrations.js';

export interface DiscordReply {
  /** The HTTP status; null when Discord did not answer (network error, timeout). */
  status: number | null;
  ok: boolean;
  /** The answer's text (Discord's error JSON), or the network error's message. */
  text: string;
}

/** A Discord message: its text and embeds (https://discord.com/developers/docs/resources/message). */
export interface DiscordMessage {
  content: string;
  embeds?: readonly DiscordEmbed[];
}

export interface DiscordEmbed {
  title?: string;
  color?: number;
  fields?: readonly { name: string; value: string; inline?: boolean }[];
}

/** A slash command (https://discord.com/developers/docs/interactions/application-commands). */
export interface DiscordCommand {
  name: string;
  type: 1;
  description: string;
  options: readonly { name: string; description: string; type: 3; required: boolean }[];
}

/** The longest text Discord's answer is kept to. */
const MAX_TEXT = 1_000;

export class DiscordClient {
  constructor(private readonly config: DiscordConfig) {}

  /** Posts a message to a channel the bot may write to. */
  postMessage(channelId: string, message: DiscordMessage): Promise<DiscordReply> {
    return this.call('POST', `/channels/${encodeURIComponent(channelId)}/messages`, message);
  }

  /** Creates (or replaces) a slash command of the application in one server. */
  createGuildCommand(
    applicationId: string,
    serverId: string,
    command: DiscordCommand,
  ): Promise<DiscordReply> {
    const path = `/applications/${encodeURIComponent(applicationId)}/guilds/${encodeURIComponent(serverId)}/commands`;
    return this.call('POST', path, command);
  }

  /** Reads a channel: ok when it exists and the bot can see it. */
  getChannel(channelId: string): Promise<DiscordReply> {
    return this.call('GET', `/channels/${encodeURIComponent(channelId)}`);
  }

  /** Reads a server (guild): ok when the bot is a member. */
  getGuild(serverId: string): Promise<DiscordReply> {
    return this.call('GET', `/guilds/${encodeURIComponent(serverId)}`);
  }

  private async call(method: string, path: string, body?: unknown): Promise<DiscordReply> {
    const url = `${this.config.apiBaseUrl.replace(/\/+$/, '')}${path}`;
    try {
      const response = await fetch(url, {
        method,
        headers: {
          authorization: `Bot ${this.config.botToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        redirect: 'error',
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      const text = (await response.text()).slice(0, MAX_TEXT);
      return { status: response.status, ok: response.ok, text };
    } catch (error) {
      return { status: null, ok: false, text: (error as Error).message };
    }
  }
}
