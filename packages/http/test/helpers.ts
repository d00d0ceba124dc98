/** A gateway on a memory store with a manual clock, one account and phone, and its HTTP API. */
import type { GatewayConfig, Principal } from '@textport/core';
import {
  createGateway,
  createMemoryStore,
  ManualClock,
  memoryRawReader,
  silentLogger,
} from '@textport/core';
import type { RawReader } from '@textport/core/testing';
import type { HttpApiOptions, HttpRequest } from '../src/index.js';
import { createHttpApi } from '../src/index.js';

export const OWNER = '+18005550199';
export const CONTACT = '+18005550100';

/** A gateway on a fresh memory store with a manual clock, one account and one phone. */
export async function setup(config: Partial<GatewayConfig> = {}) {
  const store = createMemoryStore();
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 12, 0, 0));
  const gateway = createGateway({ store, clock, logger: silentLogger, ...config });
  const { record: account, apiKey } = await gateway.accounts.create({ email: 'ops@example.com' });
  const phone = await gateway.phones.upsert(account.id, { phoneNumber: OWNER });
  const user: Principal = { accountId: account.id, kind: 'user', keyId: null, phoneNumbers: null };
  const raw = memoryRawReader(store) as RawReader;
  return { store, raw, clock, gateway, account, apiKey, phone, user };
}

export interface CallOptions {
  key?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
  query?: HttpRequest['query'];
}

/** A gateway (memory store, manual clock, one account and phone) behind the HTTP API. */
export async function httpSetup(options: HttpApiOptions = {}, config: Partial<GatewayConfig> = {}) {
  const t = await setup(config);
  const api = createHttpApi(t.gateway, options);
  async function call(method: string, path: string, o: CallOptions = {}) {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...o.headers };
    const key = o.key === undefined ? t.apiKey : o.key;
    if (key !== null) headers['x-api-key'] = key;
    const body =
      o.body === undefined
        ? undefined
        : Buffer.from(typeof o.body === 'string' ? o.body : JSON.stringify(o.body));
    const response = await api.handle({ method, path, query: o.query, headers, body });
    const text =
      response?.body === undefined
        ? ''
        : typeof response.body === 'string'
          ? response.body
          : Buffer.from(response.body).toString('utf8');
    const isJson = response?.headers['content-type']?.startsWith('application/json') ?? false;
    return {
      status: response?.status ?? 0,
      headers: response?.headers ?? {},
      text,
      // biome-ignore lint/suspicious/noExplicitAny: test access to arbitrary JSON
      json: (isJson && text !== '' ? JSON.parse(text) : undefined) as any,
      matched: response !== null,
    };
  }
  return { ...t, api, call };
}
