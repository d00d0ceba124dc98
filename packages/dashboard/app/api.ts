/**
 * The app's only way to textport: the HTTP API at the `apiBase` the server wrote into the page
 * (`<meta name="textport-api-base">`), with the API key in the `x-api-key` header. The key lives
 * in sessionStorage only: it is gone when the tab closes.
 */

const KEY_STORAGE = 'textport.apiKey';

export function apiBase(): string {
  const meta = document.querySelector('meta[name="textport-api-base"]');
  return (meta?.getAttribute('content') ?? '').replace(/\/+$/, '');
}

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function storeKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(KEY_STORAGE);
  else sessionStorage.setItem(KEY_STORAGE, key);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** A 422's `{field: [messages]}`, for errors shown by their fields. */
    readonly fields: Record<string, string[]> = {},
  ) {
    super(message);
  }
}

function fieldsOf(body: unknown): Record<string, string[]> {
  const data = body && typeof body === 'object' ? (body as { data?: unknown }).data : null;
  if (!data || typeof data !== 'object' || Array.isArray(data)) return {};
  const fields: Record<string, string[]> = {};
  for (const [field, value] of Object.entries(data as Record<string, unknown>)) {
    fields[field] = Array.isArray(value) ? value.map(String) : [String(value)];
  }
  return fields;
}

interface Envelope<T> {
  status: string;
  message: string;
  data: T;
}

/** Listeners told when the key stops working (401): the app signs out. */
const onUnauthorized = new Set<() => void>();
export function whenUnauthorized(listener: () => void): () => void {
  onUnauthorized.add(listener);
  return () => onUnauthorized.delete(listener);
}

function describe(body: unknown, fallback: string): string {
  if (body && typeof body === 'object') {
    const { message, data } = body as Partial<Envelope<unknown>>;
    if (data && typeof data === 'object') {
      const details = Object.entries(data as Record<string, unknown>)
        .map(([field, value]) => `${field}: ${Array.isArray(value) ? value.join(', ') : value}`)
        .join('; ');
      if (details) return details;
    }
    if (typeof message === 'string' && message) return message;
  }
  return fallback;
}

export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; key?: string; signal?: AbortSignal } = {},
): Promise<T> {
  const key = init.key ?? storedKey() ?? '';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key) headers['x-api-key'] = key;
  // A form (a file upload) sets its own multipart content type.
  const form = init.body instanceof FormData ? init.body : null;
  if (init.body !== undefined && !form) headers['content-type'] = 'application/json';
  const response = await fetch(`${apiBase()}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: form ?? JSON.stringify(init.body) }),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    // A request that left with a key since rotated away is not a reason to sign out.
    if (response.status === 401 && init.key === undefined && storedKey() === key) {
      for (const listener of onUnauthorized) listener();
    }
    throw new ApiError(
      response.status,
      describe(body, `${response.status} ${response.statusText}`),
      response.status === 422 ? fieldsOf(body) : {},
    );
  }
  // 204 No Content (a delete) has no envelope.
  return body === null ? (null as T) : (body as Envelope<T>).data;
}

export interface Message {
  id: string;
  owner: string;
  contact: string;
  content: string;
  type: string;
  status: string;
  created_at: string;
  updated_at: string;
  scheduled_send_time: string | null;
  sent_at: string | null;
  delivered_at: string | null;
  failed_at: string | null;
  received_at: string | null;
  canceled_at: string | null;
  expired_at: string | null;
  send_attempt_count: number;
  max_send_attempts: number;
  failure_reason: string | null;
}

export interface Phone {
  id: string;
  phone_number: string;
  messages_per_minute: number;
  messages_per_hour: number;
  messages_per_day: number;
  /** Segments left in the current hour window; null = no hourly cap. */
  hourly_remaining: number | null;
  /** Segments left in the current day window; null = no daily cap. */
  daily_remaining: number | null;
  /** Cap on the different contacts per calendar month; 0 = none. */
  recipients_per_month: number;
  /** New contacts left this month; null = no cap. */
  monthly_recipients_remaining: number | null;
  /** The pool the phone sends for; null: none. */
  pool_id: string | null;
  max_send_attempts: number;
  message_expiration_seconds: number;
  sim: string;
  /** The send schedule (its windows) the phone sends within; null: any time. */
  message_send_schedule_id: string | null;
  created_at: string;
  updated_at: string;
}

/** A group of phones that sends as one (`/v1/pools`). */
export interface Pool {
  id: string;
  name: string;
  is_default: boolean;
  phone_ids: string[];
}

export interface SendSchedule {
  id: string;
  name: string;
  timezone: string;
}

/** `GET /v1/phones/reach`: the transports reaching a phone through the node that answered. */
export interface PhoneReach {
  phone_id: string;
  phone_number: string;
  transports: string[];
}

export interface Heartbeat {
  owner: string;
  charging: boolean;
  battery_level: number | null;
  timestamp: string;
}

export interface User {
  id: string;
  email: string | null;
  /** Masked (its first characters and `…`), except in the answer that rotates it. */
  api_key: string;
}

export interface Thread {
  id: string;
  owner: string;
  contact: string;
  is_archived: boolean;
  is_read: boolean;
  last_message_content: string | null;
  order_timestamp: string;
}

export interface PhoneApiKey {
  id: string;
  name: string;
  /** Masked, except in the answer that creates it. */
  api_key: string;
  /** The phones that signed in with it. */
  phone_numbers: string[];
  /** The numbers it may sign in for; null: any of the account's. */
  allowed_phone_numbers: string[] | null;
  created_at: string;
}

/** The event types a webhook may subscribe to (core's `WEBHOOK_EVENTS`). */
export const WEBHOOK_EVENTS = [
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
] as const;

export interface Webhook {
  id: string;
  url: string;
  signing_key: string | null;
  events: string[];
  phone_numbers: string[];
  /** False once a receiver answered 410 Gone; saving the webhook enables it again. */
  enabled: boolean;
  created_at: string;
  updated_at: string;
}

export interface WebhookDelivery {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  /** The message the event is about; null for other events. */
  message_id: string | null;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_http_status: number | null;
  last_error: string | null;
  next_attempt_at: string;
  created_at: string;
  updated_at: string;
}

export interface BulkPreview {
  total: number;
  valid_count: number;
  rows: {
    row: number;
    from: string;
    to: string;
    content: string;
    send_time: string | null;
    errors: string[];
  }[];
}

export interface ActivityHour {
  start: string;
  sent: number;
  delivered: number;
  failed: number;
  received: number;
}

export interface Activity {
  since: string;
  counts: Record<string, number>;
  hours: ActivityHour[];
  webhook_deliveries: { failed: number; retrying: number };
}
