/**
 * The world the hostile SMSGate requests run against: account A (Basic login, a
 * device registered with the server's private token), account B (its own login,
 * a device registered with its phone key), and for each SMSGate messages, a
 * webhook registration and settings; a device whose phone key was revoked, the
 * revoked key, and a phone key that serves no number. Devices register over HTTP,
 * as the app does.
 */
import { Agent } from 'node:http';
import type { Gateway } from '@textport/core';
import type { Headers, Hostile, Outcome } from '../hostile/request.js';
import { jsonBytes } from '../hostile/request.js';
import { overHttp } from '../hostile/send.js';
import { MOBILE, type NodeSetup, type SmsGateNode, USER_API } from './node.js';

export const CONTACTS = ['+18005550142', '+447700900456', '+4915112345678'];
export const PRIVATE_TOKEN = 'private-token-of-the-hostile-run';

export interface Side {
  accountId: string;
  username: string;
  password: string;
  /** `Basic base64(username:password)`. */
  basic: string;
  /** The account's textport user key (refused by both SMSGate APIs). */
  userKey: string;
  number: string;
  phoneKey: string;
  deviceId: string;
  deviceToken: string;
  signingKey: string;
  /** SMSGate message ids (groups). */
  messageIds: string[];
  webhookId: string;
}

export interface World {
  a: Side;
  b: Side;
  privateToken: string;
  /** A device whose phone key was deleted, and that key. */
  revoked: { deviceId: string; deviceToken: string; signingKey: string; phoneKey: string };
  /** A phone key of A bound to no number (registration answers 400 before the body). */
  numberless: string;
}

export const basicOf = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;

interface Keys {
  a: { accountId: string; userKey: string; phoneKey: string };
  b: { accountId: string; userKey: string; phoneKey: string };
  revokedKey: string;
  revokedKeyId: string;
  numberless: string;
}

const NUMBERS = { a: '+18005550101', b: '+18005550102' };
const USERS = {
  a: { username: 'alice', password: 'alice-password-0001' },
  b: { username: 'bob', password: 'bob-password-000002' },
};

/** Accounts and keys, made before the APIs exist (the private token names account A). */
export async function createAccounts(gateway: Gateway): Promise<{ setup: NodeSetup; keys: Keys }> {
  const { record: a, apiKey: userKeyA } = await gateway.accounts.create({ email: 'a@example.com' });
  const { record: b, apiKey: userKeyB } = await gateway.accounts.create({ email: 'b@example.com' });
  const keyOf = async (accountId: string, name: string, phoneNumbers?: string[]) =>
    gateway.accounts.createPhoneKey(accountId, { name, ...(phoneNumbers ? { phoneNumbers } : {}) });
  const pkA = await keyOf(a.id, 'a', [NUMBERS.a]);
  const pkB = await keyOf(b.id, 'b', [NUMBERS.b]);
  const revoked = await keyOf(a.id, 'revoked', [NUMBERS.a]);
  const numberless = await keyOf(a.id, 'no numbers');
  return {
    setup: {
      privateToken: { token: PRIVATE_TOKEN, accountId: a.id, phoneNumbers: [NUMBERS.a] },
      users: [
        { ...USERS.a, accountId: a.id },
        { ...USERS.b, accountId: b.id },
      ],
    },
    keys: {
      a: { accountId: a.id, userKey: userKeyA, phoneKey: pkA.apiKey },
      b: { accountId: b.id, userKey: userKeyB, phoneKey: pkB.apiKey },
      revokedKey: revoked.apiKey,
      revokedKeyId: revoked.record.id,
      numberless: numberless.apiKey,
    },
  };
}

async function call(
  node: SmsGateNode,
  method: string,
  path: string,
  headers: Headers,
  body?: unknown,
): Promise<Outcome> {
  const agent = new Agent({ keepAlive: false });
  const h: Hostile = {
    family: 'seed',
    via: 'http',
    method,
    path,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    payload: body === undefined ? { kind: 'none' } : { kind: 'bytes', data: jsonBytes(body) },
  };
  try {
    return await overHttp(node.port, agent, h);
  } finally {
    agent.destroy();
  }
}

async function expectStatus(
  what: string,
  outcome: Promise<Outcome>,
  status: number,
): Promise<Record<string, unknown>> {
  const o = await outcome;
  if (o.status !== status) {
    throw new Error(`seeding: ${what} answered ${o.status} ${o.body.slice(0, 300)}`);
  }
  return o.body === '' ? {} : (JSON.parse(o.body) as Record<string, unknown>);
}

async function register(node: SmsGateNode, bearer: string, name: string) {
  const body = await expectStatus(
    `registering ${name}`,
    call(
      node,
      'POST',
      `${MOBILE}/device`,
      { authorization: `Bearer ${bearer}` },
      {
        name,
        simCards: [{ slotIndex: 0, simNumber: 1, phoneNumber: '*******0101' }],
      },
    ),
    201,
  );
  const deviceId = String(body.id);
  const device = await node.smsgate.getDevice(deviceId);
  if (!device) throw new Error(`seeding: device ${name} is not stored`);
  return { deviceId, deviceToken: String(body.token), signingKey: device.signingKey };
}

async function seedSide(
  node: SmsGateNode,
  side: 'a' | 'b',
  keys: { accountId: string; userKey: string; phoneKey: string },
  registration: string,
): Promise<Side> {
  const { accountId, userKey, phoneKey } = keys;
  const { username, password } = USERS[side];
  const basic = basicOf(username, password);
  const device = await register(node, registration, `${side}-phone`);
  const auth = { authorization: basic };
  const send = async (body: Record<string, unknown>) =>
    String(
      (
        await expectStatus(
          `a message of ${side}`,
          call(node, 'POST', `${USER_API}/messages`, auth, { deviceId: device.deviceId, ...body }),
          202,
        )
      ).id,
    );
  const messageIds = [
    await send({ textMessage: { text: `one for ${side}` }, phoneNumbers: [CONTACTS[0]] }),
    await send({
      id: `seeded-${side}-two`,
      message: `two for ${side}`,
      phoneNumbers: [CONTACTS[1], CONTACTS[2]],
    }),
  ];
  const hook = await expectStatus(
    `a webhook of ${side}`,
    call(node, 'POST', `${USER_API}/webhooks`, auth, {
      url: `https://hooks.example.com/${side}`,
      event: 'sms:delivered',
      deviceId: device.deviceId,
    }),
    201,
  );
  await expectStatus(
    `settings of ${side}`,
    call(node, 'PUT', `${USER_API}/settings`, auth, {
      messages: { send_interval_min: 5, send_interval_max: 10, limit_period: 'PerHour' },
      ping: { interval_seconds: 600 },
    }),
    200,
  );
  return {
    accountId,
    username,
    password,
    basic,
    userKey,
    number: NUMBERS[side],
    phoneKey,
    ...device,
    messageIds,
    webhookId: String(hook.id),
  };
}

/** Registers the devices and writes what the requests refer to; checks the revocation took. */
export async function seedWorld(node: SmsGateNode, keys: Keys): Promise<World> {
  const a = await seedSide(node, 'a', keys.a, PRIVATE_TOKEN);
  const b = await seedSide(node, 'b', keys.b, keys.b.phoneKey);
  const revoked = await register(node, keys.revokedKey, 'revoked-phone');
  await node.gateway.accounts.deletePhoneKey(keys.a.accountId, keys.revokedKeyId);
  await expectStatus(
    'the revoked device',
    call(node, 'GET', `${MOBILE}/settings`, { authorization: `Bearer ${revoked.deviceToken}` }),
    401,
  );
  return {
    a,
    b,
    privateToken: PRIVATE_TOKEN,
    revoked: { ...revoked, phoneKey: keys.revokedKey },
    numberless: keys.numberless,
  };
}
