/**
 * Incoming SMS to Discord (httpSMS's Discord listener): each `message.phone.received`
 * is posted, as the configured bot, to the incoming channel of every Discord server
 * linked to the account. A post Discord refuses or does not answer is told as
 * `discord.send.failed` and not tried again (httpSMS does the same).
 */
import type { DiscordIntegrationRecord } from '../domain/records.js';
import type { GatewayEvent } from '../events/events.js';
import type { GatewayContext } from '../uow/context.js';
import type { DiscordClient, DiscordReply } from './discord-client.js';
import { receivedSmsMessage } from './discord-message.js';
import { InFlight } from './in-flight.js';

/** The most servers one account's message is posted to. */
const MAX_SERVERS = 100;

type Received = GatewayEvent<'message.phone.received'>;

/** Listens from construction on, for the gateway's lifetime. */
export class DiscordRelay {
  private readonly inFlight: InFlight;

  constructor(
    private readonly ctx: GatewayContext,
    private readonly client: DiscordClient,
  ) {
    this.inFlight = new InFlight(ctx.logger, 'an incoming message could not be posted to Discord');
    ctx.emitter.on('message.phone.received', (event) => this.inFlight.track(this.relay(event)));
  }

  /** Waits for the posts in flight (tests, shutdown). */
  settled(): Promise<void> {
    return this.inFlight.settled();
  }

  private async relay(event: Received): Promise<void> {
    const integrations = await this.ctx.store.listDiscordIntegrations({
      accountId: event.accountId,
      skip: 0,
      limit: MAX_SERVERS,
    });
    const message = receivedSmsMessage(event.data);
    await Promise.all(
      integrations.map(async (integration) => {
        const reply = await this.client.postMessage(integration.incomingChannelId, message);
        if (!reply.ok) this.failed(event, integration, reply);
      }),
    );
  }

  private failed(
    event: Received,
    integration: DiscordIntegrationRecord,
    reply: DiscordReply,
  ): void {
    this.ctx.logger.warn(
      { discordId: integration.id, status: reply.status, eventId: event.id },
      'Discord refused an incoming message',
    );
    this.ctx.emitter.dispatch({
      id: this.ctx.random.uuid(),
      type: 'discord.send.failed',
      source: event.source,
      time: this.ctx.clock.now(),
      accountId: event.accountId,
      owner: event.owner,
      data: {
        discord_id: integration.id,
        user_id: event.accountId,
        message_id: event.data.message_id,
        event_type: event.type,
        owner: event.owner,
        http_response_status_code: reply.status,
        error_message: reply.text,
        discord_channel_id: integration.incomingChannelId,
      },
    });
  }
}
