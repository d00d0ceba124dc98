/**
 * Webhooks whose URL is a Discord channel webhook (`https://discord.com/api/webhooks/…`).
 * Discord accepts only its own message shape, so a `message.phone.received` delivered to
 * such a URL carries a Discord message instead of the CloudEvent: posted as `textport`
 * (no `avatar_url`: the channel shows the avatar set on the webhook in Discord), the text
 * `✉ new message received` and one embed with the fields From (the sender), To (the
 * phone's number), Content and MessageID. Only the request body changes: the outbox keeps
 * the CloudEvent, and the headers, signatures, timeout, retries and the private-network
 * refusal are those of any delivery. Other events go to such a URL as CloudEvents.
 */
import type { DiscordMessage } from '../integrations/discord-client.js';
import { type ReceivedSms, receivedSmsMessage } from '../integrations/discord-message.js';

/** The start of every Discord channel webhook URL. */
export const DISCORD_WEBHOOK_PREFIX = 'https://discord.com/api/webhooks/';

/** The name the messages are posted under. */
export const DISCORD_USERNAME = 'textport';

/** A Discord webhook's request body (https://discord.com/developers/docs/resources/webhook). */
export interface DiscordWebhookPayload extends DiscordMessage {
  username: string;
}

/** Whether `url` is a Discord channel webhook. */
export function isDiscordWebhookUrl(url: string): boolean {
  return url.startsWith(DISCORD_WEBHOOK_PREFIX);
}

/** The Discord message of a received SMS (the data of its `message.phone.received`). */
export function discordWebhookPayload(data: ReceivedSms): DiscordWebhookPayload {
  return { username: DISCORD_USERNAME, ...receivedSmsMessage(data) };
}

/** The received SMS a CloudEvent carries, or null when its data lacks a field. */
function receivedData(payload: string): ReceivedSms | null {
  try {
    const data = (JSON.parse(payload) as { data?: Record<string, unknown> }).data;
    const { contact, owner, content, message_id } = data ?? {};
    if (typeof contact !== 'string' || typeof owner !== 'string') return null;
    if (typeof content !== 'string' || typeof message_id !== 'string') return null;
    return { contact, owner, content, message_id };
  } catch {
    return null;
  }
}

/**
 * The body a delivery of the CloudEvent `payload` (of `eventType`) sends to `url`: the
 * Discord message for a received SMS to a Discord webhook, else the CloudEvent itself.
 */
export function deliveryBody(url: string, eventType: string, payload: string): string {
  if (eventType !== 'message.phone.received' || !isDiscordWebhookUrl(url)) return payload;
  const data = receivedData(payload);
  return data ? JSON.stringify(discordWebhookPayload(data)) : payload;
}
