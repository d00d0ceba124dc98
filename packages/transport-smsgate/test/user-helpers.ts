/**
 * A gateway (memory store, manual clock, fake transport) with one account, two
 * textport phones and one SMSGate device sending for them, the SMSGate user API
 * over real HTTP, and a recording `DeviceLink`.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Principal, Store } from '@textport/core';
import {
  createGateway,
  createMemoryStore,
  FakeTransport,
  ManualClock,
  silentLogger,
} from '@textport/core';
import type { HttpClient } from 'android-sms-gateway';
import type {
  DeviceLink,
  DeviceRecord,
  SmsGateEventName,
  SmsGateUserApiOptions,
} from '../src/index.js';
import { memoryStore, smsgateUserApi } from '../src/index.js';

export const OWNER = '+18005550199';
export const OWNER_SIM2 = '+18005550198';
export const USER = { username: 'ops', password: 'a-long-password-1' };
export const DEVICE_ID = 'DeviceAAAAAAAAAAAAAA1';
export const START = Date.UTC(2026, 10, 24, 12, 0, 0);

export interface Told {
  accountId: string;
  deviceId: string | null;
  event: SmsGateEventName;
  data?: Record<string, string>;
}

export function device(
  accountId: string,
  id: string,
  phoneNumbers: string[],
  at = START,
): DeviceRecord {
  return {
    id,
    accountId,
    tokenHash: `hash-${id}`,
    keyId: null,
    name: `phone ${id.slice(0, 6)}`,
    phoneNumbers,
    simCards: [{ slotIndex: 0, simNumber: 1, phoneNumber: '*******0199' }],
    signingKey: 'k',
    createdAt: at,
    updatedAt: at,
    lastSeen: at,
  };
}

export interface SetupOptions {
  store?: Store;
  api?: Partial<SmsGateUserApiOptions>;
  /** Extra handler for requests the SMSGate API does not take (the httpSMS API). */
  fallback?: (
    gateway: ReturnType<typeof createGateway>,
  ) => (req: IncomingMessage, res: ServerResponse) => void;
}

export async function userSetup(options: SetupOptions = {}) {
  const store = options.store ?? createMemoryStore();
  const clock = new ManualClock(START);
  const transport = new FakeTransport();
  const gateway = createGateway({
    store,
    clock,
    logger: silentLogger,
    transports: [transport],
    nodeId: 'node-a',
  });
  const { record: account, apiKey } = await gateway.accounts.create({ email: 'ops@example.com' });
  await gateway.phones.upsert(account.id, { phoneNumber: OWNER, messagesPerMinute: 0 });
  await gateway.phones.upsert(account.id, { phoneNumber: OWNER_SIM2, messagesPerMinute: 0 });
  const smsgate = memoryStore();
  await smsgate.insertDevice(device(account.id, DEVICE_ID, [OWNER, OWNER_SIM2]));
  const told: Told[] = [];
  const disconnected: string[] = [];
  const link: DeviceLink = {
    store: smsgate,
    disconnect: (deviceId) => void disconnected.push(deviceId),
    tell(accountId, deviceId, event, data) {
      told.push(
        data === undefined ? { accountId, deviceId, event } : { accountId, deviceId, event, data },
      );
    },
  };
  const api = smsgateUserApi(gateway, link, {
    users: [{ ...USER, accountId: account.id }],
    version: '1.2.3',
    releaseId: 7,
    ...options.api,
  });
  const fallback = options.fallback?.(gateway);
  const server: Server = createServer((req, res) => {
    if (api.handle(req, res)) return;
    if (fallback) return fallback(req, res);
    res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const base = `${origin}${options.api?.path ?? '/smsgate/3rdparty/v1'}`;
  const phone: Principal = {
    accountId: account.id,
    kind: 'phone',
    keyId: null,
    phoneNumbers: null,
  };
  const basic = `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}`;

  /** A raw request under the API's path (Basic auth unless `auth` is null). */
  async function call(
    method: string,
    path: string,
    o: { body?: unknown; auth?: string | null; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...o.headers };
    const auth = o.auth === undefined ? basic : o.auth;
    if (auth !== null) headers.authorization = auth;
    let body: string | undefined;
    if (o.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    }
    const res = await fetch(`${base}${path}`, { method, headers, body });
    const text = await res.text();
    const isJson = res.headers.get('content-type')?.includes('application/json') ?? false;
    // biome-ignore lint/suspicious/noExplicitAny: test access to arbitrary JSON
    const json: any = isJson && text !== '' ? JSON.parse(text) : undefined;
    return { status: res.status, headers: res.headers, text, json };
  }

  async function close() {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
    await gateway.stop();
  }

  return {
    store,
    clock,
    transport,
    gateway,
    account,
    apiKey,
    smsgate,
    link,
    told,
    disconnected,
    api,
    origin,
    base,
    phone,
    call,
    close,
  };
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}: ${JSON.stringify(body)}`);
  }
}

/** The HttpClient the npm client wants, on `fetch`: throws on non-2xx, null on 204. */
export function fetchHttpClient(): HttpClient {
  async function request<T>(
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) {
    const res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const isJson = res.headers.get('content-type')?.includes('application/json') ?? false;
    const parsed = isJson && text !== '' ? JSON.parse(text) : null;
    if (!res.ok) throw new HttpError(res.status, parsed);
    return parsed as T;
  }
  return {
    get: (url, headers) => request('GET', url, undefined, headers),
    post: (url, body, headers) => request('POST', url, body, headers),
    put: (url, body, headers) => request('PUT', url, body, headers),
    patch: (url, body, headers) => request('PATCH', url, body, headers),
    delete: (url, headers) => request('DELETE', url, undefined, headers),
  };
}
