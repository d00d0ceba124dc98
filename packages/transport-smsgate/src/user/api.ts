/**
 * `smsgateUserApi(gateway, link, options)`: SMSGate's user ("3rd-party") API on
 * `node:http`, for the unchanged SMSGate clients. Basic authentication maps a
 * login to a textport account; health probes are public. Messages are textport
 * messages (one per recipient) grouped under the SMSGate id, so the httpSMS API
 * sees them too.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Gateway } from '@textport/core';
import type { RequestContext } from '../http/io.js';
import { authorization, badRequest, RouteTable, runRoute, unauthorized } from '../http/io.js';
import { hashToken, sameSecret } from '../ids.js';
import {
  deleteDevice,
  deleteWebhook,
  listDevices,
  listWebhooks,
  putWebhook,
} from './devices-webhooks.js';
import { cancelMessage, getMessage, listMessages } from './messages.js';
import { health, NO_JWT, notImplemented, refreshInbox } from './misc.js';
import { postMessage } from './send.js';
import { getSettings, writeSettings } from './settings.js';
import type { DeviceLink, SmsGateUser, SmsGateUserApiOptions, UserApiContext } from './types.js';

export const DEFAULT_USER_API_PATH = '/smsgate/3rdparty/v1';
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

export interface SmsGateUserApi {
  /** Serves a request under the API's path; false when it is not one of ours. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

type UserRoute = (ctx: UserApiContext, accountId: string, rc: RequestContext) => Promise<void>;

/** The username and password of a Basic `Authorization` header, if it has one. */
export function basicLogin(req: IncomingMessage): { username: string; password: string } | null {
  const auth = authorization(req);
  if (auth?.scheme !== 'basic') return null;
  // Strict base64, as SMSGate's server reads it (Node's decoder skips what it does not know).
  const value = auth.value.trim();
  if (value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return null;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * The account of a Basic `Authorization` header, or null. Every login is compared
 * (hashes of equal length, constant time), so timing does not tell which matched.
 */
export function basicAccount(users: readonly SmsGateUser[], req: IncomingMessage): string | null {
  const login = basicLogin(req);
  if (!login) return null;
  const name = hashToken(login.username);
  const password = hashToken(login.password);
  let found: string | null = null;
  for (const user of users) {
    const nameOk = sameSecret(name, hashToken(user.username));
    const passwordOk = sameSecret(password, hashToken(user.password));
    if (nameOk && passwordOk && found === null) found = user.accountId;
  }
  return found;
}

function checkOptions(options: SmsGateUserApiOptions): void {
  const problems: string[] = [];
  if (options.users !== undefined && !Array.isArray(options.users))
    problems.push('users must be an array of {username, password, accountId}');
  else if (options.authenticate !== undefined && typeof options.authenticate !== 'function') {
    problems.push('authenticate must be a function (username, password) → account id or null');
  } else if (options.users) {
    options.users.forEach((u, i) => {
      if (typeof u.username !== 'string' || u.username === '' || u.username.includes(':')) {
        problems.push(`users[${i}].username must be a non-empty string without ':'`);
      }
      if (typeof u.password !== 'string' || u.password === '') {
        problems.push(`users[${i}].password must be a non-empty string`);
      }
      if (typeof u.accountId !== 'string' || u.accountId === '') {
        problems.push(`users[${i}].accountId must be a textport account id`);
      }
    });
  }
  const max = options.maxBodyBytes;
  if (max !== undefined && (!Number.isInteger(max) || max < 1024)) {
    problems.push('maxBodyBytes must be an integer of at least 1024');
  }
  if (options.path !== undefined && !options.path.startsWith('/')) {
    problems.push("path must start with '/'");
  }
  if (problems.length > 0) throw new Error(`smsgateUserApi: ${problems.join('; ')}`);
}

export function smsgateUserApi(
  gateway: Gateway,
  link: DeviceLink,
  options: SmsGateUserApiOptions,
): SmsGateUserApi {
  checkOptions(options);
  const path = (options.path ?? DEFAULT_USER_API_PATH).replace(/\/+$/, '');
  const ctx: UserApiContext = {
    gateway,
    link,
    path,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    version: options.version ?? 'textport',
    releaseId: options.releaseId ?? 0,
    now: () => gateway.config.clock.now(),
    random: () => gateway.config.random.next(),
  };
  const users = [...(options.users ?? [])];
  const resolve = options.authenticate;
  const accountOf = async (req: IncomingMessage): Promise<string | null> => {
    const listed = basicAccount(users, req);
    if (listed !== null || !resolve) return listed;
    const login = basicLogin(req);
    return login ? resolve(login.username, login.password) : null;
  };
  const table = new RouteTable(path);
  const authed = (route: UserRoute) => async (rc: RequestContext) => {
    const accountId = await accountOf(rc.req);
    if (accountId === null) {
      rc.req.resume();
      throw unauthorized();
    }
    await route(ctx, accountId, rc);
  };
  const on = (method: string, paths: readonly string[], route: UserRoute) => {
    for (const p of paths) table.on(method, p, authed(route));
  };

  for (const probe of ['live', 'ready', 'startup'] as const) {
    table.on('GET', `/health/${probe}`, (rc) => health(ctx, probe, rc.res));
  }
  table.on('GET', '/health', (rc) => health(ctx, 'ready', rc.res));

  const exports = ['/inbox/export', '/messages/inbox/export', '/message/inbox/export'];
  on('POST', exports, (c, a, rc) => refreshInbox(c, a, rc, true));
  on('POST', ['/inbox/refresh'], (c, a, rc) => refreshInbox(c, a, rc, false));
  on('GET', ['/inbox'], async () => notImplemented('Inbox API is not implemented on this server'));
  on('GET', ['/logs'], async () =>
    notImplemented("device's logs are not accessible through this server"),
  );

  on('POST', ['/messages', '/message'], postMessage);
  on('GET', ['/messages', '/message'], listMessages);
  on('GET', ['/messages/:id', '/message/:id'], getMessage);
  on('DELETE', ['/messages/:id', '/message/:id'], cancelMessage);

  on('GET', ['/devices', '/device'], listDevices);
  on('DELETE', ['/devices/:id', '/device/:id'], deleteDevice);

  on('GET', ['/webhooks'], listWebhooks);
  on('POST', ['/webhooks'], putWebhook);
  on('DELETE', ['/webhooks/:id'], deleteWebhook);

  on('GET', ['/settings'], getSettings);
  on('PUT', ['/settings'], (c, a, rc) => writeSettings(c, a, rc, 'replace'));
  on('PATCH', ['/settings'], (c, a, rc) => writeSettings(c, a, rc, 'merge'));

  for (const [method, p] of [
    ['POST', '/auth/token'],
    ['POST', '/auth/token/refresh'],
    ['DELETE', '/auth/token/:jti'],
  ] as const) {
    table.on(method, p, () => notImplemented(NO_JWT));
  }

  const onError = (error: unknown) =>
    gateway.config.logger.error({ err: error }, 'smsgate user API: request failed');

  return {
    handle(req, res) {
      let matched: ReturnType<RouteTable['match']>;
      try {
        matched = table.match(req);
      } catch {
        // A path that is not valid percent-encoding, under our prefix.
        matched = {
          handler: () => {
            throw badRequest('the request path is not valid');
          },
          path: '',
          params: {},
          query: new URLSearchParams(),
        };
      }
      if (!matched) return false;
      const rc: RequestContext = {
        req,
        res,
        method: req.method ?? 'GET',
        path: matched.path,
        params: matched.params,
        query: matched.query,
      };
      void runRoute(rc, matched.handler, onError);
      return true;
    },
  };
}
