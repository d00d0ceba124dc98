/**
 * Every route of the two SMSGate APIs as the generator knows it: the device API
 * (`/smsgate/mobile/v1`) and the user API (`/smsgate/3rdparty/v1`), with how each
 * one authenticates and whether it reads a JSON body. The test checks that every
 * one of them is served (an unauthenticated request does not get the server's 404).
 */
import { MOBILE, USER_API } from './node.js';

export type Auth =
  /** `Bearer <device token>`. */
  | 'device'
  /** `Bearer <private token or phone key>` (`POST /device`). */
  | 'registration'
  /** Basic login of the user API. */
  | 'basic'
  /** `X-Signature` / `X-Timestamp` of the app's webhook delivery (`POST /inbound`). */
  | 'signature'
  /** Anyone (the answer does not depend on credentials). */
  | 'none';

export interface RouteDef {
  method: string;
  /** Below the API's prefix; `{id}` for a path parameter. */
  path: string;
  api: 'mobile' | 'user';
  auth: Auth;
  body?: boolean;
  /**
   * Answered 501 by design (a feature this server does not offer), whatever the
   * credentials: SMSGate's one-time codes and JWT tokens.
   */
  unsupported?: boolean;
  /** Answered 501 by design once authenticated (textport has no passwords, inbox or logs). */
  unsupportedWhenAuthed?: boolean;
  /** A readiness probe: 503 on the test node, whose gateway workers are not started. */
  notReadyHere?: boolean;
}

const m = (method: string, path: string, auth: Auth, extra: Partial<RouteDef> = {}): RouteDef => ({
  method,
  path,
  api: 'mobile',
  auth,
  ...extra,
});
const u = (method: string, path: string, auth: Auth, extra: Partial<RouteDef> = {}): RouteDef => ({
  method,
  path,
  api: 'user',
  auth,
  ...extra,
});

export const ROUTES: readonly RouteDef[] = [
  m('POST', '/device', 'registration', { body: true }),
  m('PATCH', '/device', 'device', { body: true }),
  m('GET', '/device', 'none'),
  m('GET', '/message', 'device'),
  m('GET', '/messages', 'device'),
  m('PATCH', '/message', 'device', { body: true }),
  m('PATCH', '/messages', 'device', { body: true }),
  m('GET', '/webhooks', 'device'),
  m('GET', '/settings', 'device'),
  m('GET', '/events', 'device'),
  m('GET', '/user/code', 'none', { unsupported: true }),
  m('PATCH', '/user/password', 'device', { body: true, unsupportedWhenAuthed: true }),
  m('POST', '/inbound', 'signature', { body: true }),

  u('POST', '/messages', 'basic', { body: true }),
  u('POST', '/message', 'basic', { body: true }),
  u('GET', '/messages', 'basic'),
  u('GET', '/message', 'basic'),
  u('GET', '/messages/{id}', 'basic'),
  u('GET', '/message/{id}', 'basic'),
  u('DELETE', '/messages/{id}', 'basic'),
  u('DELETE', '/message/{id}', 'basic'),
  u('GET', '/devices', 'basic'),
  u('GET', '/device', 'basic'),
  u('DELETE', '/devices/{id}', 'basic'),
  u('DELETE', '/device/{id}', 'basic'),
  u('GET', '/webhooks', 'basic'),
  u('POST', '/webhooks', 'basic', { body: true }),
  u('DELETE', '/webhooks/{id}', 'basic'),
  u('GET', '/settings', 'basic'),
  u('PUT', '/settings', 'basic', { body: true }),
  u('PATCH', '/settings', 'basic', { body: true }),
  u('POST', '/inbox/refresh', 'basic', { body: true }),
  u('POST', '/inbox/export', 'basic', { body: true }),
  u('POST', '/messages/inbox/export', 'basic', { body: true }),
  u('POST', '/message/inbox/export', 'basic', { body: true }),
  u('GET', '/inbox', 'basic', { unsupportedWhenAuthed: true }),
  u('GET', '/logs', 'basic', { unsupportedWhenAuthed: true }),
  u('POST', '/auth/token', 'none', { body: true, unsupported: true }),
  u('POST', '/auth/token/refresh', 'none', { unsupported: true }),
  u('DELETE', '/auth/token/{id}', 'none', { unsupported: true }),
  u('GET', '/health', 'none', { notReadyHere: true }),
  u('GET', '/health/live', 'none'),
  u('GET', '/health/ready', 'none', { notReadyHere: true }),
  u('GET', '/health/startup', 'none', { notReadyHere: true }),
];

/** Routes that take credentials (the others answer the same to anyone). */
export const AUTHED = ROUTES.filter((r) => r.auth !== 'none');

export const routeKey = (r: RouteDef) => `${r.api} ${r.method} ${r.path}`;

export function byKey(key: string): RouteDef {
  const route = ROUTES.find((r) => routeKey(r) === key);
  if (!route) throw new Error(`no route ${key}`);
  return route;
}

/** The full path, `{id}` replaced by `id` (already percent-encoded). */
export function pathOf(route: RouteDef, id = 'x'): string {
  return `${route.api === 'mobile' ? MOBILE : USER_API}${route.path.replace('{id}', id)}`;
}

/** The methods the route's path (`{id}` = `x`) is served with, by any route; another one is a 405. */
export function methodsOf(route: RouteDef): string[] {
  const path = route.path.replace('{id}', 'x');
  return ROUTES.filter(
    (r) => r.api === route.api && new RegExp(`^${r.path.replace('{id}', '[^/]+')}$`).test(path),
  ).map((r) => r.method);
}
