/** An Express app with the router mounted under a prefix, for the mounting tests. */
import { createGateway, createMemoryStore, ManualClock, silentLogger } from '@textport/core';
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
}

type Method = 'get' | 'post' | 'put' | 'delete' | 'options' | 'head';

/** An Express app with the router at `/sms`, a gateway on a memory store, one account and phone. */
export async function appSetup(options: AppOptions = {}) {
  const store = createMemoryStore();
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 12, 0, 0));
  const gateway = createGateway({ store, clock, logger: silentLogger });
  const { record: account, apiKey } = await gateway.accounts.create({ email: 'ops@example.com' });
  await gateway.phones.upsert(account.id, { phoneNumber: OWNER });
  const app = express();
  if (options.json) app.use(express.json());
  app.use(PREFIX, createRouter(gateway, options.router));
  const agent = request(app);

  /** A request to `PREFIX + path`, with `x-api-key: key` unless key is null. */
  function call(method: Method, path: string, key: string | null = apiKey) {
    const test = agent[method](PREFIX + path);
    return key === null ? test : test.set('x-api-key', key);
  }

  return { app, agent, gateway, account, apiKey, call };
}
