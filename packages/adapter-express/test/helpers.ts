import type { GatewayConfig } from '@textport/core';
import {
  createGateway,
  createMemoryStore,
  ManualClock,
  memoryRawReader,
  silentLogger,
} from '@textport/core';
import type { RawReader } from '@textport/core/testing';
import express from 'express';
import request from 'supertest';
import { createRouter, type RouterOptions } from '../src/index.js';

export const OWNER = '+18005550199';
export const CONTACT = '+18005550100';
export const PREFIX = '/sms';

export interface AppOptions {
  /** Put `express.json()` in front of the router. */
  json?: boolean;
  router?: RouterOptions;
  gateway?: Partial<GatewayConfig>;
}

type Method = 'get' | 'post' | 'put' | 'delete' | 'options' | 'head';

/** An Express app with the router at `/sms`, a gateway on a memory store, one account and phone. */
export async function appSetup(options: AppOptions = {}) {
  const store = createMemoryStore();
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 12, 0, 0));
  const gateway = createGateway({ store, clock, logger: silentLogger, ...options.gateway });
  const { record: account, apiKey } = await gateway.accounts.create({ email: 'ops@example.com' });
  const phone = await gateway.phones.upsert(account.id, { phoneNumber: OWNER });
  const app = express();
  if (options.json) app.use(express.json());
  app.use(PREFIX, createRouter(gateway, options.router));
  const agent = request(app);

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
    app,
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
