/** `GET /health/ready`: public, 200 with pass or warn, 503 when a check fails. */

import {
  createGateway,
  createMemoryStore,
  FakeTransport,
  type Store,
  silentLogger,
} from '@textport/core';
import { describe, expect, it } from 'vitest';
import { createHttpApi } from '../src/index.js';

async function ready(store: Store, transports = [new FakeTransport({ phones: [] })]) {
  const gateway = createGateway({ store, logger: silentLogger, transports });
  const api = createHttpApi(gateway);
  const response = await api.handle({ method: 'GET', path: '/health/ready', headers: {} });
  return { status: response?.status, body: JSON.parse(String(response?.body)) };
}

describe('GET /health/ready', () => {
  it('passes on a store that answers, warns for a phone no transport can reach', async () => {
    const store = createMemoryStore();
    expect(await ready(store)).toMatchObject({
      status: 200,
      body: { status: 'pass', checks: { store: { status: 'pass' } } },
    });
    const gateway = createGateway({ store, logger: silentLogger });
    const { record } = await gateway.accounts.create();
    await gateway.phones.upsert(record.id, { phoneNumber: '+18005550199', fcmToken: 'tok' });
    const warned = await ready(store);
    expect(warned.status).toBe(200);
    expect(warned.body.status).toBe('warn');
    expect(warned.body.checks['phones:stranded']).toMatchObject({
      observedUnit: 'phones',
      observedValue: 1,
      status: 'warn',
    });
  });

  it('fails with 503 when the store does not answer', async () => {
    const store = createMemoryStore();
    const broken = new Proxy(store, {
      get(target, name) {
        if (name === 'getAccount') return async () => Promise.reject(new Error('connection lost'));
        const value = Reflect.get(target, name);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const answer = await ready(broken);
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ status: 'fail', checks: { store: { status: 'fail' } } });
  });
});
