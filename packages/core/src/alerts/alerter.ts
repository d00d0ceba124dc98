/**
 * Alerts (httpSMS's notification e-mails): listens to the gateway's events and hands
 * the account's owner one alert per problem to the configured `AlertSender`:
 * - a message's final failure (`message.send.failed`, or `message.send.expired` with
 *   `is_final`): once per message, as the status change that emits it is a
 *   compare-and-set;
 * - a phone outage (`phone.heartbeat.offline`): once per outage, as the monitor emits
 *   it only when the phone's stored `online` flag flips;
 * - a failing webhook (`webhook.send.failed`): once per failing episode, claimed with
 *   the webhook's stored `failingSince` (`markWebhookFailing`), which the next
 *   delivered event clears.
 * The de-duplication lives in the store, so a restart or a second node sends nothing
 * twice. An alert is sent after the change committed and at most once: a sender that
 * fails is logged, not retried. A message that expired for good and is then reported
 * FAILED by its phone (late) is two facts and gets both alerts. The account's settings (`notification…Enabled`) and
 * its e-mail address decide whether an alert goes out at all.
 */
import type { Alert, AlertKind, AlertSender } from '../alert-sender.js';
import type { AnyGatewayEvent, GatewayEvent } from '../events/events.js';
import type { GatewayContext } from '../uow/context.js';
import * as compose from './compose.js';

/** The account setting that turns each kind of alert on. */
export const ALERT_SETTING = Object.freeze({
  'message.failed': 'notificationMessageStatusEnabled',
  'message.expired': 'notificationMessageStatusEnabled',
  'webhook.failing': 'notificationWebhookEnabled',
  'phone.offline': 'notificationHeartbeatEnabled',
} as const satisfies Record<AlertKind, string>);

/** Listens from construction on, for the gateway's lifetime. */
export class Alerter {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly ctx: GatewayContext,
    private readonly sender: AlertSender,
  ) {
    this.listen('message.send.failed', (e) =>
      this.alert('message.failed', e, compose.messageFailed(e)),
    );
    this.listen('message.send.expired', (e) => {
      if (e.data.is_final) this.alert('message.expired', e, compose.messageExpired(e));
    });
    this.listen('phone.heartbeat.offline', (e) =>
      this.alert('phone.offline', e, compose.phoneOffline(e)),
    );
    this.listen('webhook.send.failed', (e) =>
      this.alert('webhook.failing', e, compose.webhookFailing(e)),
    );
  }

  /** Waits for the alerts being sent (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  private listen<T extends AnyGatewayEvent['type']>(
    type: T,
    listener: (event: GatewayEvent<T>) => void,
  ): void {
    this.ctx.emitter.on(type, listener as never);
  }

  private alert(kind: AlertKind, event: AnyGatewayEvent, words: compose.AlertWords): void {
    const run = this.deliver(kind, event, words)
      .catch((error: unknown) => {
        this.ctx.logger.error(
          { err: error, alert: kind, accountId: event.accountId, eventId: event.id },
          'an alert could not be sent',
        );
      })
      .finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  private async deliver(
    kind: AlertKind,
    event: AnyGatewayEvent,
    words: compose.AlertWords,
  ): Promise<void> {
    const account = await this.ctx.store.getAccount(event.accountId);
    if (!account?.email || !account[ALERT_SETTING[kind]]) return;
    if (event.type === 'webhook.send.failed') {
      const started = await this.ctx.store.markWebhookFailing(
        event.data.webhook_id,
        this.ctx.clock.now(),
      );
      if (!started) return;
    }
    const alert: Alert = {
      kind,
      accountId: account.id,
      to: account.email,
      owner: event.owner,
      subject: words.subject,
      text: words.text,
      event,
    };
    await this.sender.send(alert);
    this.ctx.logger.info({ alert: kind, accountId: account.id, eventId: event.id }, 'alert sent');
  }
}
