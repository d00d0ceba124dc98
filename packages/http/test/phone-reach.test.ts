/** `GET /v1/phones/reach`: which of the node's transports reach each phone. */
import type { Transport } from '@textport/core';
import { describe, expect, it } from 'vitest';
import { createHttpApi } from '../src/index.js';
import { OWNER, setup } from './helpers.js';

function transport(name: string, reaches: (number: string) => boolean): Transport {
  return {
    name,
    start: async () => {},
    stop: async () => {},
    reach: () => ({ phoneIds: 'any', has: (phone) => reaches(phone.phoneNumber) }),
    notify: async () => [],
    requestHeartbeat: async () => {},
  };
}

describe('GET /v1/phones/reach', () => {
  it("names the transports that reach each of the account's phones, none for an unreachable one", async () => {
    const broken: Transport = {
      ...transport('broken', () => true),
      reach: () => {
        throw new Error('not started');
      },
    };
    const t = await setup({
      transports: [
        transport('websocket', (n) => n === OWNER),
        transport('fcm', () => true),
        broken,
      ],
    });
    const other = await t.gateway.phones.upsert(t.account.id, { phoneNumber: '+18005550177' });
    const api = createHttpApi(t.gateway);
    const response = await api.handle({
      method: 'GET',
      path: '/v1/phones/reach',
      headers: { 'x-api-key': t.apiKey },
    });
    expect(response?.status).toBe(200);
    const body = JSON.parse(String(response?.body));
    expect(body.message).toBe('fetched 2 phones');
    const byNumber = Object.fromEntries(
      body.data.map((r: { phone_number: string; transports: string[] }) => [
        r.phone_number,
        r.transports,
      ]),
    );
    expect(byNumber).toEqual({ [OWNER]: ['websocket', 'fcm'], [other.phoneNumber]: ['fcm'] });
    expect(body.data.find((r: { phone_number: string }) => r.phone_number === OWNER).phone_id).toBe(
      t.phone.id,
    );
    const anonymous = await api.handle({ method: 'GET', path: '/v1/phones/reach', headers: {} });
    expect(anonymous?.status).toBe(401);
  });
});
