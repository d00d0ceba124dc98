/** The JSON shapes of an account's integrations: httpSMS's Discord entity, and the 3CX one. */
import { z } from 'zod';
import type { DiscordIntegrationRecord, Integration3cxRecord } from './records.js';
import { formatTimestamp } from './time.js';

const timestamp = z.string().meta({ format: 'date-time', description: 'RFC 3339 timestamp, UTC' });

export const wireDiscordIntegrationSchema = z.object({
  id: z.string().meta({ format: 'uuid' }),
  user_id: z.string(),
  name: z.string().meta({ examples: ['Game Server'] }),
  server_id: z
    .string()
    .meta({ description: 'The Discord server (guild) id', examples: ['1095778291488653372'] }),
  incoming_channel_id: z.string().meta({
    description: 'The channel incoming SMS are posted to',
    examples: ['1095780203256627291'],
  }),
  created_at: timestamp,
  updated_at: timestamp,
});
export type WireDiscordIntegration = z.infer<typeof wireDiscordIntegrationSchema>;

export function toWireDiscordIntegration(d: DiscordIntegrationRecord): WireDiscordIntegration {
  return {
    id: d.id,
    user_id: d.accountId,
    name: d.name,
    server_id: d.serverId,
    incoming_channel_id: d.incomingChannelId,
    created_at: formatTimestamp(d.createdAt),
    updated_at: formatTimestamp(d.updatedAt),
  };
}

export const wireIntegration3cxSchema = z.object({
  id: z.string().meta({ format: 'uuid' }),
  user_id: z.string(),
  webhook_url: z.string().meta({
    description: "The PBX's generic SMS webhook: incoming SMS are POSTed to it",
    examples: ['https://org.3cx.com.au/sms/generic/123'],
  }),
  created_at: timestamp,
  updated_at: timestamp,
});
export type WireIntegration3cx = z.infer<typeof wireIntegration3cxSchema>;

export function toWireIntegration3cx(i: Integration3cxRecord): WireIntegration3cx {
  return {
    id: i.id,
    user_id: i.accountId,
    webhook_url: i.webhookUrl,
    created_at: formatTimestamp(i.createdAt),
    updated_at: formatTimestamp(i.updatedAt),
  };
}
