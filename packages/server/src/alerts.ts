/**
 * The server's alert sender: e-mails over SMTP with nodemailer, configured by
 * `TEXTPORT_SMTP_URL` (`smtp://user:pass@host:587`, `smtps://…:465`) and
 * `TEXTPORT_SMTP_FROM`. The gateway decides when an alert goes out and to whom (the
 * account's e-mail address); this only delivers it.
 */
import type { Alert, AlertSender } from '@textport/core';
import nodemailer from 'nodemailer';

export interface SmtpAlertOptions {
  /** An SMTP URL, e.g. `smtp://user:pass@mail.example.com:587`. */
  url: string;
  /** The sender, e.g. `textport <alerts@example.com>`. */
  from: string;
}

export interface SmtpAlertSender extends AlertSender {
  /** Closes the SMTP connections. */
  close(): void;
}

/** Header naming the kind of alert, for mail filters. */
export const ALERT_HEADER = 'X-Textport-Alert';

export function smtpAlertSender(options: SmtpAlertOptions): SmtpAlertSender {
  const transport = nodemailer.createTransport(options.url);
  return {
    async send(alert: Alert) {
      await transport.sendMail({
        from: options.from,
        to: alert.to,
        subject: alert.subject,
        text: alert.text,
        headers: { [ALERT_HEADER]: alert.kind },
      });
    },
    close() {
      transport.close();
    },
  };
}
