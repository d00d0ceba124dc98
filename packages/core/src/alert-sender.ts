/**
 * The AlertSender contract: how the gateway tells the owner of an account that
 * something needs them — httpSMS's e-mail notifications. The gateway decides when
 * (a message's final failure or expiry, a webhook that keeps failing, a phone that
 * stopped sending heartbeats), honours the account's notification settings and
 * de-duplicates; a sender only delivers what it is handed.
 *
 * Writing an implementation
 * - `send(alert)` delivers one alert (an e-mail, a chat message, a page) and resolves
 *   once the receiving system accepted it; it rejects when it could not. A rejected
 *   alert is logged and not sent again: alerts are told at most once.
 * - `alert.to` is the account's e-mail address; `subject` and `text` are ready to send.
 * - The sender owns its connections: whoever built it closes it (the gateway's
 *   `stop()` only waits for the alerts in flight).
 * - The server ships an SMTP sender (`@textport/server`, nodemailer).
 */
import type { AnyGatewayEvent } from './events/events.js';

/** What an alert is about; each maps to one of the account's notification settings. */
export type AlertKind = 'message.failed' | 'message.expired' | 'webhook.failing' | 'phone.offline';

export interface Alert {
  kind: AlertKind;
  accountId: string;
  /** The account's e-mail address. */
  to: string;
  /** The phone number the alert concerns. */
  owner: string;
  subject: string;
  /** Plain text, several lines. */
  text: string;
  /** The gateway event that caused it (`webhook.send.failed` for a failing webhook). */
  event: AnyGatewayEvent;
}

export interface AlertSender {
  send(alert: Alert): Promise<void>;
}
