/**
 * The gateway's integrations with other services, built once per gateway: the
 * Discord group (integrations of an account, the interactions endpoint) with the
 * relay that posts incoming SMS to Discord when a bot is configured, and the 3CX
 * group with the relay that posts incoming SMS to the account's PBX.
 */
import { DiscordClient } from '../integrations/discord-client.js';
import { DiscordRelay } from '../integrations/discord-relay.js';
import { discordPublicKey } from '../integrations/discord-signature.js';
import { Pbx3cxRelay } from '../integrations/pbx-3cx-relay.js';
import type { GatewayContext } from '../uow/context.js';
import * as discord from './discord.js';
import {
  type DiscordInteractionRequest,
  handleDiscordInteraction,
} from './discord-interactions.js';
import * as pbx from './pbx-3cx.js';
import type { GatewayDiscord, GatewayPbx3cx, PageInput } from './types.js';
import { storableMethods } from './validate.js';

export interface Integrations {
  discord: GatewayDiscord;
  pbx3cx: GatewayPbx3cx;
  /** Waits for the posts in flight and closes the relays' connections (the gateway's `stop()`). */
  close(): Promise<void>;
}

export function createIntegrations(ctx: GatewayContext): Integrations {
  const client = ctx.discord ? new DiscordClient(ctx.discord) : undefined;
  const bot = client && ctx.discord ? { client, config: ctx.discord } : undefined;
  const key = ctx.discord ? discordPublicKey(ctx.discord.publicKey) : undefined;
  const discordRelay = client ? new DiscordRelay(ctx, client) : undefined;
  const pbxRelay = new Pbx3cxRelay(ctx);
  return {
    discord: {
      ...storableMethods({
        list: (accountId: string, input?: PageInput) =>
          discord.listDiscordIntegrations(ctx, accountId, input),
        create: (accountId: string, input: discord.DiscordIntegrationInput) =>
          discord.createDiscordIntegration(ctx, bot, accountId, input),
        update: (accountId: string, id: string, input: discord.DiscordIntegrationInput) =>
          discord.updateDiscordIntegration(ctx, bot, accountId, id, input),
        delete: (accountId: string, id: string) =>
          discord.deleteDiscordIntegration(ctx, accountId, id),
      }),
      interaction: (request: DiscordInteractionRequest) =>
        handleDiscordInteraction(ctx, key, request),
      settled: async () => {
        await discordRelay?.settled();
      },
    },
    pbx3cx: {
      ...storableMethods({
        get: (accountId: string) => pbx.getIntegration3cx(ctx, accountId),
        put: (accountId: string, input: pbx.Pbx3cxInput) =>
          pbx.putIntegration3cx(ctx, accountId, input),
        delete: (accountId: string) => pbx.deleteIntegration3cx(ctx, accountId),
        send: (accountId: string, input: pbx.Pbx3cxMessageInput) =>
          pbx.send3cxMessage(ctx, accountId, input),
      }),
      settled: () => pbxRelay.settled(),
    },
    async close() {
      await discordRelay?.settled();
      await pbxRelay.close();
    },
  };
}
