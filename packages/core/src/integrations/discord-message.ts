/**
 * The Discord message of a received SMS (httpSMS's words): posted by the bot to linked
 * channels (`DiscordRelay`) and sent to Discord channel webhooks (`webhooks/discord.ts`).
 */
import type { GatewayEventData } from '../events/events.js';
import type { DiscordMessage } from './discord-client.js';

/** Discord's longest embed field value; longer texts are cut and end with `…`. */
export const DISCORD_FIELD_MAX = 1024;

/** What the message shows of a `message.phone.received`. */
export type ReceivedSms = Pick<
  GatewayEventData['message.phone.received'],
  'contact' | 'owner' | 'content' | 'message_id'
>;

/** `value` within Discord's field limit, never cut inside a surrogate pair. */
function fieldValue(value: string): string {
  if (value.length <= DISCORD_FIELD_MAX) return value;
  const kept = value.slice(0, DISCORD_FIELD_MAX - 1).replace(/[\uD800-\uDBFF]$/, '');
  return `${kept}…`;
}

/** `✉ new message received` and one embed: From, To, Content and MessageID. */
export function receivedSmsMessage(data: ReceivedSms): DiscordMessage {
  return {
    content: '✉ new message received',
    embeds: [
      {
        fields: [
          { name: 'From:', value: fieldValue(data.contact), inline: true },
          { name: 'To:', value: fieldValue(data.owner), inline: true },
          // Discord refuses an empty field value.
          { name: 'Content:', value: fieldValue(data.content || '(empty)') },
          { name: 'MessageID:', value: data.message_id },
        ],
      },
    ],
  };
}
