/**
 * Every authenticated route of the HTTP API as the generator knows it (the test
 * checks this list against the API's own), with each route's body limit and helpers
 * for path templates.
 */
import { BULK_LIMIT, JSON_LIMIT, RECEIVE_LIMIT } from './request.js';

export interface RouteDef {
  method: string;
  path: string;
  auth: 'user' | 'phone';
  body?: 'json' | 'multipart';
  /** An answer that never ends (server-sent events): only asked without a valid key. */
  stream?: true;
  /** A valid request ends the acting account (account deletion): only asked without a valid key. */
  destroys?: true;
  /** Also takes the user key as `Authorization: Bearer <key>` (3CX's route). */
  bearer?: true;
}

export const ROUTES: readonly RouteDef[] = [
  { method: 'POST', path: '/v1/messages/send', auth: 'user', body: 'json' },
  { method: 'POST', path: '/v1/messages/bulk-send', auth: 'user', body: 'json' },
  { method: 'GET', path: '/v1/messages', auth: 'user' },
  { method: 'GET', path: '/v1/messages/search', auth: 'user' },
  { method: 'GET', path: '/v1/messages/{messageID}', auth: 'user' },
  { method: 'DELETE', path: '/v1/messages/{messageID}', auth: 'user' },
  { method: 'POST', path: '/v1/messages/{messageID}/cancel', auth: 'user' },
  { method: 'GET', path: '/v1/messages/outstanding', auth: 'phone' },
  { method: 'POST', path: '/v1/messages/{messageID}/events', auth: 'phone', body: 'json' },
  { method: 'POST', path: '/v1/messages/receive', auth: 'phone', body: 'json' },
  { method: 'POST', path: '/v1/messages/calls/missed', auth: 'phone', body: 'json' },
  { method: 'POST', path: '/v1/heartbeats', auth: 'phone', body: 'json' },
  { method: 'PUT', path: '/v1/phones/fcm-token', auth: 'phone', body: 'json' },
  { method: 'GET', path: '/v1/phones', auth: 'user' },
  { method: 'PUT', path: '/v1/phones', auth: 'user', body: 'json' },
  { method: 'DELETE', path: '/v1/phones/{phoneID}', auth: 'user' },
  { method: 'GET', path: '/v1/phones/reach', auth: 'user' },
  { method: 'GET', path: '/v1/heartbeats', auth: 'user' },
  { method: 'GET', path: '/v1/message-threads', auth: 'user' },
  { method: 'PUT', path: '/v1/message-threads/{messageThreadID}', auth: 'user', body: 'json' },
  { method: 'DELETE', path: '/v1/message-threads/{messageThreadID}', auth: 'user' },
  { method: 'GET', path: '/v1/users/me', auth: 'user' },
  { method: 'PUT', path: '/v1/users/me', auth: 'user', body: 'json' },
  { method: 'DELETE', path: '/v1/users/me', auth: 'user', destroys: true },
  { method: 'PUT', path: '/v1/users/{userID}/notifications', auth: 'user', body: 'json' },
  { method: 'DELETE', path: '/v1/users/{userID}/api-keys', auth: 'user' },
  { method: 'GET', path: '/v1/phone-api-keys', auth: 'user' },
  { method: 'POST', path: '/v1/phone-api-keys', auth: 'user', body: 'json' },
  { method: 'DELETE', path: '/v1/phone-api-keys/{phoneAPIKeyID}', auth: 'user' },
  { method: 'DELETE', path: '/v1/phone-api-keys/{phoneAPIKeyID}/phones/{phoneID}', auth: 'user' },
  { method: 'GET', path: '/v1/webhooks', auth: 'user' },
  { method: 'POST', path: '/v1/webhooks', auth: 'user', body: 'json' },
  { method: 'PUT', path: '/v1/webhooks/{webhookID}', auth: 'user', body: 'json' },
  { method: 'DELETE', path: '/v1/webhooks/{webhookID}', auth: 'user' },
  { method: 'GET', path: '/v1/webhooks/{webhookID}/deliveries', auth: 'user' },
  { method: 'GET', path: '/v1/messages/{messageID}/deliveries', auth: 'user' },
  {
    method: 'POST',
    path: '/v1/webhooks/{webhookID}/deliveries/{deliveryID}/redeliver',
    auth: 'user',
  },
  { method: 'GET', path: '/v1/send-schedules', auth: 'user' },
  { method: 'POST', path: '/v1/send-schedules', auth: 'user', body: 'json' },
  { method: 'PUT', path: '/v1/send-schedules/{scheduleID}', auth: 'user', body: 'json' },
  { method: 'DELETE', path: '/v1/send-schedules/{scheduleID}', auth: 'user' },
  { method: 'GET', path: '/v1/bulk-messages', auth: 'user' },
  { method: 'POST', path: '/v1/bulk-messages', auth: 'user', body: 'multipart' },
  { method: 'POST', path: '/v1/bulk-messages/preview', auth: 'user', body: 'multipart' },
  { method: 'GET', path: '/v1/activity', auth: 'user' },
  { method: 'GET', path: '/v1/suppressions', auth: 'user' },
  { method: 'POST', path: '/v1/suppressions', auth: 'user', body: 'json' },
  { method: 'DELETE', path: '/v1/suppressions/{suppressionID}', auth: 'user' },
  { method: 'GET', path: '/v1/pools', auth: 'user' },
  { method: 'POST', path: '/v1/pools', auth: 'user', body: 'json' },
  { method: 'GET', path: '/v1/pools/{poolID}', auth: 'user' },
  { method: 'PUT', path: '/v1/pools/{poolID}', auth: 'user', body: 'json' },
  { method: 'DELETE', path: '/v1/pools/{poolID}', auth: 'user' },
  { method: 'GET', path: '/v1/events', auth: 'user', stream: true },
  { method: 'GET', path: '/v1/discord-integrations', auth: 'user' },
  { method: 'POST', path: '/v1/discord-integrations', auth: 'user', body: 'json' },
  { method: 'PUT', path: '/v1/discord-integrations/{discordID}', auth: 'user', body: 'json' },
  { method: 'DELETE', path: '/v1/discord-integrations/{discordID}', auth: 'user' },
  { method: 'GET', path: '/v1/integration/3cx', auth: 'user' },
  { method: 'PUT', path: '/v1/integration/3cx', auth: 'user', body: 'json' },
  { method: 'DELETE', path: '/v1/integration/3cx', auth: 'user' },
  {
    method: 'POST',
    path: '/v1/integration/3cx/messages',
    auth: 'user',
    body: 'json',
    bearer: true,
  },
];

/** The routes asked with valid keys too: every one whose answer ends and that leaves the account. */
export const REQUEST_ROUTES = ROUTES.filter((r) => !r.stream && !r.destroys);

export const routeKey = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
export const JSON_ROUTES = REQUEST_ROUTES.filter((r) => r.body === 'json');
export const PHONE_JSON_ROUTES = new Set([
  'POST /v1/messages/{messageID}/events',
  'POST /v1/messages/receive',
  'POST /v1/messages/calls/missed',
  'POST /v1/heartbeats',
]);
/** Second path segments of every route: a path under /v1 with another one matches none. */
export const V1_SEGMENTS = new Set([
  'messages',
  'phones',
  'heartbeats',
  'message-threads',
  'users',
  'phone-api-keys',
  'webhooks',
  'send-schedules',
  'bulk-messages',
  'events',
  'activity',
  'suppressions',
  'pools',
  'openapi.json',
  'attachments',
  'discord-integrations',
  'discord',
  'integration',
]);

export function limitOf(route: RouteDef): number {
  if (route.body === 'multipart') return BULK_LIMIT;
  return route.path === '/v1/messages/receive' ? RECEIVE_LIMIT : JSON_LIMIT;
}

/** Fills the `{params}` of a template with already-encoded segments. */
export function fill(template: string, segments: readonly string[]): string {
  let i = 0;
  return template.replace(/\{\w+\}/g, () => segments[i++] ?? 'x');
}

export function paramCount(template: string): number {
  return (template.match(/\{\w+\}/g) ?? []).length;
}
