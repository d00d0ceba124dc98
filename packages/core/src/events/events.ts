/**
 * Gateway events, named exactly as the httpSMS events (they are also the webhook
 * types). Each carries the httpSMS payload keys as `data`, in httpSMS key order.
 */
import { EventEmitter } from 'eventemitter3';
import type { Sim } from '../lifecycle/status.js';

export interface MessageEventData {
  id: string;
  user_id: string;
  request_id: string | null;
  owner: string;
  contact: string;
  encrypted: boolean;
  timestamp: string;
  content: string;
  sim: Sim;
}

export interface HeartbeatEventData {
  phone_id: string;
  user_id: string;
  last_heartbeat_timestamp: string | null;
  timestamp: string;
  monitor_id: string;
  owner: string;
}

/** A contact opted out or back in (textport's own events: httpSMS has no opt-outs). */
export interface ContactEventData {
  suppression_id: string;
  user_id: string;
  /** The number the keyword was sent to, or the suppression's number ('' when account-wide and changed through the API). */
  owner: string;
  contact: string;
  /** `account`: every number of the account; `phone`: only `owner`. */
  scope: 'account' | 'phone';
  /** The keyword the contact sent; null for a change made through the API. */
  keyword: string | null;
  source: 'keyword' | 'api';
  timestamp: string;
}

export interface GatewayEventData {
  'message.api.sent': {
    message_id: string;
    user_id: string;
    owner: string;
    request_id: string | null;
    max_send_attempts: number;
    contact: string;
    scheduled_send_time: string | null;
    request_received_at: string;
    content: string;
    attachments: string[] | null;
    encrypted: boolean;
    sim: Sim;
  };
  'message.api.canceled': MessageEventData;
  'message.api.deleted': {
    message_id: string;
    user_id: string;
    owner: string;
    request_id: string | null;
    contact: string;
    timestamp: string;
    content: string;
    encrypted: boolean;
    previous_message_id: string | null;
    previous_message_status: string | null;
    previous_message_content: string | null;
    sim: Sim;
  };
  'message.phone.sending': MessageEventData;
  'message.phone.sent': MessageEventData;
  'message.phone.delivered': MessageEventData;
  'message.send.failed': MessageEventData & { error_message: string };
  'message.send.expired': {
    message_id: string;
    owner: string;
    send_attempt_count: number;
    is_final: boolean;
    request_id: string | null;
    contact: string;
    encrypted: boolean;
    user_id: string;
    timestamp: string;
    content: string;
    sim: Sim;
  };
  'message.phone.received': {
    message_id: string;
    user_id: string;
    owner: string;
    encrypted: boolean;
    contact: string;
    timestamp: string;
    content: string;
    sim: Sim;
    attachments: string[];
  };
  'message.call.missed': {
    message_id: string;
    user_id: string;
    owner: string;
    contact: string;
    timestamp: string;
    sim: Sim;
  };
  'message-thread.api.deleted': {
    message_thread_id: string;
    user_id: string;
    owner: string;
    contact: string;
    is_archived: boolean;
    color: string;
    status: string;
    timestamp: string;
  };
  'phone.updated': {
    phone_id: string;
    user_id: string;
    phone_api_key_id: string | null;
    timestamp: string;
    owner: string;
    sim: Sim;
  };
  'phone.deleted': {
    phone_id: string;
    user_id: string;
    timestamp: string;
    owner: string;
    sim: Sim;
  };
  'phone.heartbeat.missed': HeartbeatEventData;
  'phone.heartbeat.offline': HeartbeatEventData;
  'phone.heartbeat.online': HeartbeatEventData;
  /**
   * A webhook delivery was given up (attempts used up, or refused for good). Not a
   * webhook type: the gateway's own listeners and the account's alerts hear it.
   */
  'webhook.send.failed': {
    webhook_id: string;
    webhook_url: string;
    owner: string;
    user_id: string;
    event_id: string;
    event_type: string;
    event_payload: string;
    http_response_status_code: number | null;
    error_message: string;
  };
  /**
   * An incoming SMS could not be posted to a linked Discord channel (httpSMS's event). Not a
   * webhook type: the gateway's own listeners hear it.
   */
  'discord.send.failed': {
    discord_id: string;
    user_id: string;
    message_id: string;
    event_type: string;
    owner: string;
    http_response_status_code: number | null;
    error_message: string;
    discord_channel_id: string;
  };
  'contact.opted_out': ContactEventData;
  'contact.opted_in': ContactEventData;
  /** A queued pool message moved to another member of its pool (docs/routing.md, Failover). */
  'message.rerouted': {
    message_id: string;
    user_id: string;
    pool_id: string;
    /** The number the message was queued on. */
    previous_owner: string;
    /** The number that now sends it. */
    owner: string;
    contact: string;
    request_id: string | null;
    /** `offline`, `link_lost`, `capped` or `handoff_failed`. */
    reason: string;
    timestamp: string;
    sim: Sim;
  };
}

export type GatewayEventType = keyof GatewayEventData;

/** Events a webhook may subscribe to (the httpSMS allow-list, and textport's opt-out events). */
export const WEBHOOK_EVENTS = Object.freeze([
  'message.phone.received',
  'message.phone.sent',
  'message.phone.delivered',
  'message.send.failed',
  'message.send.expired',
  'phone.heartbeat.online',
  'phone.heartbeat.offline',
  'message.call.missed',
  'contact.opted_out',
  'contact.opted_in',
  'message.rerouted',
] as const satisfies readonly GatewayEventType[]);
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

export function isWebhookEvent(type: string): type is WebhookEventType {
  return (WEBHOOK_EVENTS as readonly string[]).includes(type);
}

export interface GatewayEvent<T extends GatewayEventType = GatewayEventType> {
  /** Stable event id: the CloudEvent id, and the webhook id of every delivery attempt. */
  id: string;
  type: T;
  /** The API path that caused the event, e.g. `/v1/messages/send`. */
  source: string;
  /** Epoch milliseconds. */
  time: number;
  accountId: string;
  /** The phone number the event concerns (webhook selection). */
  owner: string;
  data: GatewayEventData[T];
}

export type GatewayEventListener<T extends GatewayEventType> = (
  event: GatewayEvent<T>,
) => void | Promise<void>;

export type AnyGatewayEvent = { [T in GatewayEventType]: GatewayEvent<T> }[GatewayEventType];

type EmitterMap = { [T in GatewayEventType]: [GatewayEvent<T>] } & { error: [unknown] };

/**
 * A typed emitter whose listeners cannot break the engine: a listener that throws
 * (or returns a rejected promise) is reported to `onListenerError` and the other
 * listeners still run.
 */
export class GatewayEmitter extends EventEmitter<EmitterMap> {
  constructor(private readonly onListenerError: (error: unknown, type: string) => void) {
    super();
  }

  /** Emits after commit; never throws. */
  dispatch(event: AnyGatewayEvent): void {
    for (const listener of this.listeners(event.type)) {
      try {
        const result: unknown = (listener as (e: AnyGatewayEvent) => unknown)(event);
        if (result instanceof Promise) {
          result.catch((error: unknown) => this.onListenerError(error, event.type));
        }
      } catch (error) {
        this.onListenerError(error, event.type);
      }
    }
  }
}
