/**
 * The standalone server's SMSGate APIs: the SMS Gateway for Android app's device API
 * and event stream under `/smsgate/mobile/v1`, SMSGate's user API under
 * `/smsgate/3rdparty/v1` (docs/smsgate-app.md). Their state lives in the same
 * database (`@textport/transport-smsgate/knex`).
 *
 * The private token the app registers with: `TEXTPORT_SMSGATE_PRIVATE_TOKEN`, or else
 * a phone API key for `TEXTPORT_SMSGATE_PHONE_NUMBERS`, generated and printed once.
 * The user API's Basic login: `TEXTPORT_SMSGATE_USERNAME` / `_PASSWORD`, or else
 * `textport` with an API key of the account as the password.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Gateway } from '@textport/core';
import {
  type SmsGateTransport,
  type SmsGateUserApiOptions,
  smsgateTransport,
  smsgateUserApi,
} from '@textport/transport-smsgate';
import { knexStore } from '@textport/transport-smsgate/knex';
import type { StandaloneConfig } from './config.js';
import type { Database } from './database.js';

export const SMSGATE_KEY_NAME = 'smsgate private token';
export const SMSGATE_DEFAULT_USERNAME = 'textport';
export const SMSGATE_MOBILE_PATH = '/smsgate/mobile/v1';
export const SMSGATE_USER_PATH = '/smsgate/3rdparty/v1';

/** The transport, before the gateway exists (it is one of the gateway's transports). */
export async function smsgateTransportFor(
  config: StandaloneConfig,
  db: Database,
  accountId: string,
  publicUrl: string,
): Promise<SmsGateTransport> {
  const store = knexStore(db.knex, db.store);
  await store.migrate();
  const token = config.TEXTPORT_SMSGATE_PRIVATE_TOKEN;
  const numbers = config.TEXTPORT_SMSGATE_PHONE_NUMBERS;
  return smsgateTransport({
    store,
    mobilePath: SMSGATE_MOBILE_PATH,
    publicUrl,
    privateToken: token && numbers.length > 0 ? { token, accountId, phoneNumbers: numbers } : null,
  });
}

function sameNumbers(a: readonly string[] | null, b: readonly string[]): boolean {
  return a !== null && a.length === b.length && a.every((n, i) => n === b[i]);
}

/**
 * Without `TEXTPORT_SMSGATE_PRIVATE_TOKEN`: a phone API key for the SMSGate numbers,
 * kept across restarts (stored hashed) and made again when the numbers change.
 * Resolves to the key when this start made it (to print once), else null.
 */
export async function provisionPrivateToken(
  gateway: Gateway,
  config: StandaloneConfig,
  accountId: string,
): Promise<string | null> {
  const numbers = config.TEXTPORT_SMSGATE_PHONE_NUMBERS;
  if (config.TEXTPORT_SMSGATE_PRIVATE_TOKEN || numbers.length === 0) return null;
  const keys = await gateway.store.listApiKeys({
    accountId,
    kind: 'phone',
    skip: 0,
    limit: 10_000,
  });
  const mine = keys.filter((k) => k.name === SMSGATE_KEY_NAME);
  if (mine.some((k) => sameNumbers(k.allowedNumbers, numbers))) return null;
  for (const old of mine) await gateway.accounts.deletePhoneKey(accountId, old.id);
  const issued = await gateway.accounts.createPhoneKey(accountId, {
    name: SMSGATE_KEY_NAME,
    phoneNumbers: numbers,
  });
  return issued.apiKey;
}

/** Basic logins of the user API (see the module comment). */
export function userLogins(
  gateway: Gateway,
  config: StandaloneConfig,
  accountId: string,
): Pick<SmsGateUserApiOptions, 'users' | 'authenticate'> {
  const username = config.TEXTPORT_SMSGATE_USERNAME ?? SMSGATE_DEFAULT_USERNAME;
  if (config.TEXTPORT_SMSGATE_PASSWORD) {
    return { users: [{ username, password: config.TEXTPORT_SMSGATE_PASSWORD, accountId }] };
  }
  return {
    users: [],
    async authenticate(login, password) {
      if (login !== username) return null;
      const principal = await gateway.accounts.authenticate(password);
      return principal?.kind === 'user' && principal.accountId === accountId ? accountId : null;
    },
  };
}

/** Express middleware serving both SMSGate APIs; other requests go on. */
export function smsgateMiddleware(
  gateway: Gateway,
  transport: SmsGateTransport,
  config: StandaloneConfig,
  accountId: string,
) {
  const userApi = smsgateUserApi(gateway, transport, {
    path: SMSGATE_USER_PATH,
    ...userLogins(gateway, config, accountId),
  });
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (!transport.handle(req, res) && !userApi.handle(req, res)) next();
  };
}
