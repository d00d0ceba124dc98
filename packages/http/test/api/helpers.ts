/**
 * The API as a client meets it: `createNodeHandler` under a path prefix, driven
 * with supertest, on a gateway with a memory store, one account and one phone.
 */
import type { GatewayConfig } from '@textport/core';
import request from 'supertest';
import { createNodeHandler, type NodeHandlerOptions } from '../../src/index.js';
import { CONTACT, OWNER, setup } from '../helpers.js';

export { CONTACT, OWNER };
export const PREFIX = '/sms';

export interface AppOptions {
  api?: Omit<NodeHandlerOptions, 'basePath'>;
  gateway?: Partial<GatewayConfig>;
}

type Method = 'get' | 'post' | 'put' | 'delete' | 'options' | 'head';

/** The node handler at `/sms`, a gateway on a memory store, one account and phone. */
export async function appSetup(options: AppOptions = {}) {
  const t = await setup(options.gateway);
  const { gateway, account, apiKey } = t;
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

  return { ...t, handler, agent, call, otherAccount, phoneKey };
}

export type App = Awaited<ReturnType<typeof appSetup>>;

/** Sends a message through the gateway directly. */
export function seedMessage(t: App, content = 'Hello') {
  return t.gateway.messages.send(t.account.id, { from: OWNER, to: CONTACT, content });
}
