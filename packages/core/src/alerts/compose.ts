/**
 * The words of each alert: a subject and a plain-text body, from the event that
 * caused it (after httpSMS's notification e-mails). Pure: no store, no clock.
 */
import type { GatewayEvent } from '../events/events.js';

export interface AlertWords {
  subject: string;
  text: string;
}

/** At most `max` characters of `content`, on one line. */
function excerpt(content: string, max = 160): string {
  const line = content.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function lines(...parts: (string | null | false)[]): string {
  return parts.filter((p): p is string => typeof p === 'string').join('\n');
}

const FOOTER =
  'You get this e-mail because alerts are on for your textport account; turn them off with PUT /v1/users/{userID}/notifications.';

export function messageFailed(event: GatewayEvent<'message.send.failed'>): AlertWords {
  const d = event.data;
  return {
    subject: `Your SMS message to ${d.contact} has failed`,
    text: lines(
      `The message from ${d.owner} to ${d.contact} could not be sent.`,
      '',
      `Message ID: ${d.id}`,
      d.request_id && `Request ID: ${d.request_id}`,
      `Reason: ${d.error_message}`,
      !d.encrypted && `Content: ${excerpt(d.content)}`,
      `Time: ${d.timestamp}`,
      '',
      FOOTER,
    ),
  };
}

export function messageExpired(event: GatewayEvent<'message.send.expired'>): AlertWords {
  const d = event.data;
  return {
    subject: `Your SMS message to ${d.contact} has expired`,
    text: lines(
      `The phone ${d.owner} did not send the message to ${d.contact} after ${d.send_attempt_count} attempt(s); it will not be tried again.`,
      '',
      `Message ID: ${d.message_id}`,
      d.request_id && `Request ID: ${d.request_id}`,
      !d.encrypted && `Content: ${excerpt(d.content)}`,
      `Time: ${d.timestamp}`,
      '',
      'Check that the phone is on, online and has the app running.',
      FOOTER,
    ),
  };
}

export function webhookFailing(event: GatewayEvent<'webhook.send.failed'>): AlertWords {
  const d = event.data;
  return {
    subject: `We could not deliver a webhook event to ${d.webhook_url}`,
    text: lines(
      `The webhook ${d.webhook_url} did not accept the ${d.event_type} event for ${d.owner}, and we gave up on it.`,
      '',
      `Webhook ID: ${d.webhook_id}`,
      `Event ID: ${d.event_id}`,
      d.http_response_status_code !== null && `HTTP status: ${d.http_response_status_code}`,
      `Error: ${d.error_message}`,
      '',
      'You get one alert until the webhook accepts an event again. Its delivery log is at GET /v1/webhooks/{id}/deliveries.',
      FOOTER,
    ),
  };
}

export function phoneOffline(event: GatewayEvent<'phone.heartbeat.offline'>): AlertWords {
  const d = event.data;
  return {
    subject: `Your phone ${d.owner} is offline`,
    text: lines(
      `The phone ${d.owner} has not sent a heartbeat since ${d.last_heartbeat_timestamp ?? 'it was added'}; messages to send from it are waiting.`,
      '',
      `Phone ID: ${d.phone_id}`,
      `Time: ${d.timestamp}`,
      '',
      'Check that the phone is on, has a network connection and that the app is running. You get one alert per outage.',
      FOOTER,
    ),
  };
}
