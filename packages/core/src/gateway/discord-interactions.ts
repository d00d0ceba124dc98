/**
 * Discord's interactions endpoint (`POST /v1/discord/event`): Discord POSTs each
 * interaction signed with the application's key. A PING is answered with a PONG; the
 * application command (`/sms from to message`, as httpSMS registers it) sends an SMS
 * from the account the Discord server is linked to, and is answered with a channel
 * message that says what happened. Signature and JSON problems are errors (401, 400);
 * a send that fails is told in the answer, as Discord shows nothing else.
 */
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { GatewayError } from '../errors.js';
import type { DiscordEmbed, DiscordMessage } from '../integrations/discord-client.js';
import { verifyDiscordSignature } from '../integrations/discord-signature.js';
import type { GatewayContext } from '../uow/context.js';
import { sendMessages } from './send.js';
import { Checker } from './validate.js';

export interface DiscordInteractionRequest {
  /** The raw body, exactly as received: the signature covers it. */
  body: Uint8Array;
  /** `X-Signature-Ed25519`. */
  signature: string | undefined;
  /** `X-Signature-Timestamp`. */
  timestamp: string | undefined;
}

/** Discord's interaction response (`type` 1: PONG; 4: a channel message). */
export type DiscordInteractionResponse = { type: 1 } | { type: 4; data: DiscordMessage };

const PING = 1;
const APPLICATION_COMMAND = 2;
const ERROR_COLOR = 14_681_092;
const SOURCE = '/v1/discord/event';

const interactionSchema = z.object({
  type: z.number().int(),
  guild_id: z.string().optional(),
  data: z
    .object({
      options: z.array(z.object({ name: z.string(), value: z.unknown() }).loose()).optional(),
    })
    .loose()
    .optional(),
});
type Interaction = z.output<typeof interactionSchema>;

function parse(body: Uint8Array): Interaction {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch (error) {
    throw new GatewayError('bad_request', `invalid JSON: ${(error as Error).message}`);
  }
  const result = interactionSchema.safeParse(value);
  if (!result.success) throw new GatewayError('bad_request', 'not a Discord interaction');
  return result.data;
}

function option(interaction: Interaction, name: string): string {
  const found = interaction.data?.options?.find((o) => o.name === name)?.value;
  return typeof found === 'string' ? found : found === undefined ? '' : String(found);
}

/** The `attachment_urls` option: comma-separated URLs; none when empty. */
function attachmentUrls(value: string): string[] | null {
  const urls = value
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
  return urls.length > 0 ? urls : null;
}

function failed(content: string, titles: readonly string[], extra: DiscordEmbed[] = []) {
  return {
    type: 4 as const,
    data: {
      content,
      embeds: [...titles.map((title) => ({ title, color: ERROR_COLOR })), ...extra],
    },
  };
}

/** The messages of a refused send, one per problem (httpSMS shows one embed each). */
function problems(error: GatewayError): string[] {
  const fields = error.fields ? Object.values(error.fields).flat() : [];
  return fields.length > 0 ? fields : [error.detail ?? error.message];
}

async function sendSms(
  ctx: GatewayContext,
  interaction: Interaction,
): Promise<DiscordInteractionResponse> {
  const serverId = interaction.guild_id ?? '';
  const integration = serverId ? await ctx.store.findDiscordIntegrationByServer(serverId) : null;
  if (!integration) {
    return failed('**⚠️ error while sending message**', [
      'This Discord server is not linked to an account of this gateway.',
    ]);
  }
  // Text every store can hold: a NUL is refused, a lone surrogate becomes U+FFFD.
  const check = new Checker();
  const input = {
    from: check.storable('from', option(interaction, 'from')),
    to: check.storable('to', option(interaction, 'to')),
    content: check.storable('content', option(interaction, 'message')),
    attachments: attachmentUrls(
      check.storable('attachments', option(interaction, 'attachment_urls')),
    ),
  };
  const fields = [
    { name: 'From:', value: input.from || '-', inline: true },
    { name: 'To:', value: input.to || '-', inline: true },
    { name: 'Content:', value: input.content || '-' },
  ];
  try {
    check.throwIfInvalid();
    const [message] = await sendMessages(ctx, integration.accountId, input, false, {
      source: SOURCE,
    });
    return {
      type: 4,
      data: {
        content: '✔ sending sms',
        embeds: [{ fields: [...fields, { name: 'MessageID:', value: message?.id ?? '' }] }],
      },
    };
  } catch (error) {
    if (error instanceof GatewayError && error.httpStatus < 500) {
      return failed('**⚠️ error while sending message**', problems(error), [{ fields }]);
    }
    ctx.logger.error({ err: error, discordId: integration.id }, 'a Discord send failed');
    return failed(
      '**Could not send the message⚠️**',
      ['Internal server error while sending SMS. Please try again later.'],
      [{ fields }],
    );
  }
}

export async function handleDiscordInteraction(
  ctx: GatewayContext,
  key: KeyObject | undefined,
  request: DiscordInteractionRequest,
): Promise<DiscordInteractionResponse> {
  if (!key || !verifyDiscordSignature(key, request.signature, request.timestamp, request.body)) {
    throw new GatewayError('unauthorized', 'invalid request signature');
  }
  const interaction = parse(request.body);
  if (interaction.type === PING) return { type: 1 };
  if (interaction.type === APPLICATION_COMMAND) return sendSms(ctx, interaction);
  throw new GatewayError('bad_request', `unknown interaction type [${interaction.type}]`);
}
