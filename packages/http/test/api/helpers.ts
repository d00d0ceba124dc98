/**
 * The API as a client meets it: `createNodeHandler` under a path prefix, driven
 * with supertest, on a gateway with a memory store, one account and one phone.
 */
import type { GatewayConfig } from '@textport/core';
import {
  createGateway,
  createMemoryStore,
  ManualClock,
  memoryRawReader,
  silentLogger,
} from '@textport/core';
import type { RawReader } from '@textport/core/testing';
import request from 'supertest';
import { createNodeHandler, type NodeHandlerOptions } from '../../src/index.js';

export const OWNER = '+18005550199';
export const CONTACT = '+18005550100';
export const PREFIX = '/sms';

export interface AppOptions {
  api?: Omit<NodeHandlerOptions, 'basePath'>;
  gateway?: Partial<GatewayConfig>;
}

type Method = 'get' | 'post' | 'put' | 'delete' | 'options' | 'head';

/** The node handler at `/sms`, a gateway on a memory store, one account and phone. */
export async function appSetup(options: AppOptions = {}) {
  const store = createMemoryStore();
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 12, 0, 0));
  const gateway = createGateway({ store, clock, logger: silentLogger, ...options.gateway });
  const { record: account, apiKey } = await gateway.accounts.create({ email: 'ops@example.com' });
  const phone = await gateway.phones.upsert(account.id, { phoneNumber: OWNER });
  const handler = createNodeHandler(gateway, { ...options.api, basePath: PREFIX });
  const agent = request(handler);

  /** A request to `PREFIX + path`, with `x-api-key: key` unless key is null. */
  function call(method: Method, path: string, key: string | null = apiKey) {
    const test = agent[method](PREFIX + path);
    return key === null ? test : test.set('x-api-key', key);
  }

  async function otherAccount() {
    const { record, apiKey: key } = await gateway.accounts.create({ email: 'other@example.com' });
    const otherPhone = await gateway.phones.upsert(record.id, { phoneNumber: '+18005550177' });
    return { account: record, apiKey: key, phone: otherPhone };
  }

  async function phoneKey(name = 'phone') {
    return (await gateway.accounts.createPhoneKey(account.id, { name })).apiKey;
  }

  return {
    handler,
    agent,
    store,
    raw: memoryRawReader(store) as RawReader,
    clock,
    gateway,
    account,
    apiKey,
    phone,
    call,
    otherAccount,
    phoneKey,
  };
}

export type App = Awaited<ReturnType<typeof appSetup>>;

/** Sends a message through the gateway directly. */
export function seedMessage(t: App, content = 'Hello') {
  return t.gateway.messages.send(t.account.id, { from: OWNER, to: CONTACT, content });
}
