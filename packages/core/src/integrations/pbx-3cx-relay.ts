/**
 * Incoming SMS to a 3CX PBX: each `message.phone.received` of an account with a 3CX
 * integration is POSTed to the PBX's webhook URL in the shape 3CX's generic SMS
 * provider reads (httpSMS's `message.received` payload). One attempt, bounded by the
 * webhooks' timeout and private-network guard; a refusal is logged.
 */
import type { GatewayEvent } from '../events/events.js';
import type { GatewayContext } from '../uow/context.js';
import { createPoster } from '../webhooks/post.js';
import { InFlight } from './in-flight.js';

type Received = GatewayEvent<'message.phone.received'>;

/** The body 3CX gets for an incoming SMS. */
export function pbxReceivedPayload(event: Received) {
  const { data } = event;
  return {
    data: {
      event_type: 'message.received',
      id: event.id,
      payload: {
        from: { phone_number: data.contact },
        id: data.message_id,
        received_at: data.timestamp,
        text: data.content,
        to: [{ phone_number: data.owner }],
        type: 'SMS',
      },
      record_type: 'event',
    },
  };
}

/** Listens from construction on, for the gateway's lifetime. */
export class Pbx3cxRelay {
  private readonly inFlight: InFlight;
  private readonly http: ReturnType<typeof createPoster>;

  constructor(private readonly ctx: GatewayContext) {
    this.inFlight = new InFlight(ctx.logger, 'an incoming message could not be posted to 3CX');
    this.http = createPoster({
      maxSockets: 16,
      refusePrivateNetworks: ctx.webhooks.refusePrivateNetworks,
    });
    ctx.emitter.on('message.phone.received', (event) => this.inFlight.track(this.relay(event)));
  }

  /** Waits for the posts in flight (tests, shutdown). */
  settled(): Promise<void> {
    return this.inFlight.settled();
  }

  /** Waits for the posts in flight, then closes the kept-alive connections. */
  async close(): Promise<void> {
    await this.inFlight.settled();
    this.http.close();
  }

  private async relay(event: Received): Promise<void> {
    const integration = await this.ctx.store.getIntegration3cx(event.accountId);
    if (!integration) return;
    const result = await this.http.post(
      integration.webhookUrl,
      { 'content-type': 'application/json; charset=UTF-8' },
      JSON.stringify(pbxReceivedPayload(event)),
      this.ctx.webhooks.timeoutMs,
    );
    const fields = { accountId: event.accountId, eventId: event.id, status: result.status };
    if (result.status >= 200 && result.status < 300) {
      this.ctx.logger.info(fields, 'incoming message posted to 3CX');
    } else this.ctx.logger.warn(fields, '3CX refused an incoming message');
  }
}
