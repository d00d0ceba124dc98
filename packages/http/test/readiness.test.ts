/**
 * Health probes: `GET /health/live` answers while the process serves; `GET
 * /health/ready` is 200 when every check passes or warns, 503 when one fails
 * (the store's ping, its migrations, the gateway and its transports started).
 */
import {
  createGateway,
  createMemoryStore,
  FakeTransport,
  type Gateway,
  READINESS_STORE_TIMEOUT_MS,
  type Store,
  silentLogger,
  type Transport,
} from '@textport/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHttpApi } from '../src/index.js';

const gateways: Gateway[] = [];
afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.stop();
});

async function probe(gateway: Gateway, path: string) {
  const response = await createHttpApi(gateway).handle({ method: 'GET', path, headers: {} });
  return {
    status: response?.status,
    type: response?.headers['content-type'],
    body: JSON.parse(String(response?.body)),
  };
}

function gatewayOn(store: Store, transports: Transport[] = [new FakeTransport({ phones: [] })]) {
  const gateway = createGateway({ store, logger: silentLogger, transports });
  gateways.push(gateway);
  return gateway;
}

/** A memory store whose ping rejects while `down` is set, and never answers while `hung` is. */
function flakyStore() {
  const state = { down: false, hung: false };
  const store = new Proxy(createMemoryStore(), {
    get(target, name) {
      if (name === 'ping' && state.down) {
        return async () => Promise.reject(new Error('connection lost'));
      }
      if (name === 'ping' && state.hung) return () => new Promise(() => {});
      const value = Reflect.get(target, name);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store, state };
}

describe('GET /health/live', () => {
  it('answers 200 pass with no checks, even while the store is down', async () => {
    const { store, state } = flakyStore();
    state.down = true;
    const live = await probe(gatewayOn(store), '/health/live');
    expect(live).toEqual({
      status: 200,
      type: 'application/json; charset=utf-8',
      body: { status: 'pass', checks: {} },
    });
  });
});

describe('GET /health/ready', () => {
  it('passes on a started gateway whose store answers', async () => {
    const gateway = gatewayOn(createMemoryStore());
    await gateway.start();
    const ready = await probe(gateway, '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'pass',
      checks: {
        store: { status: 'pass', observedValue: 1 },
        transports: { status: 'pass', observedUnit: 'transports', observedValue: 1 },
        'phones:stranded': { status: 'pass' },
      },
    });
    // The memory store has no migrations: no check for them.
    expect(ready.body.checks['store:migrations']).toBeUndefined();
  });

  it('fails with 503 until the gateway is started, and again once it is stopped', async () => {
    const gateway = gatewayOn(createMemoryStore());
    const before = await probe(gateway, '/health/ready');
    expect([before.status, before.body.status, before.body.checks.transports]).toEqual([
      503,
      'fail',
      expect.objectContaining({ status: 'fail', observedValue: 0 }),
    ]);
    await gateway.start();
    expect((await probe(gateway, '/health/ready')).status).toBe(200);
    await gateway.stop();
    expect((await probe(gateway, '/health/ready')).body.checks.transports.status).toBe('fail');
  });

  it('fails with 503 after a transport failed to start; a later start() can succeed', async () => {
    const first = new FakeTransport({ phones: [] });
    const radio = new FakeTransport({ name: 'radio', phones: [] });
    const start = radio.start.bind(radio);
    radio.start = async () => Promise.reject(new Error('no modem'));
    const gateway = gatewayOn(createMemoryStore(), [first, radio]);
    await expect(gateway.start()).rejects.toThrow('no modem');
    const ready = await probe(gateway, '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.transports).toMatchObject({ status: 'fail', observedValue: 0 });
    expect(ready.body.checks.transports.description).toContain('not started');
    radio.start = start;
    await gateway.start();
    expect((await probe(gateway, '/health/ready')).body.checks.transports).toMatchObject({
      status: 'pass',
      observedValue: 2,
    });
  });

  it('answers 503 while the store does not answer its ping, and 200 once it does again', async () => {
    const { store, state } = flakyStore();
    const gateway = gatewayOn(store);
    await gateway.start();
    state.down = true;
    const down = await probe(gateway, '/health/ready');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({
      status: 'fail',
      checks: { store: { status: 'fail', observedValue: 0 }, transports: { status: 'pass' } },
    });
    // No phone query runs against a store that does not answer.
    expect(down.body.checks['phones:stranded']).toBeUndefined();
    state.down = false;
    const up = await probe(gateway, '/health/ready');
    expect([up.status, up.body.status, up.body.checks.store.status]).toEqual([200, 'pass', 'pass']);
  });

  it('fails with 503 when the store does not answer its ping within the time limit', async () => {
    const { store, state } = flakyStore();
    const gateway = gatewayOn(store);
    await gateway.start();
    state.hung = true;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const pending = probe(gateway, '/health/ready');
      await vi.advanceTimersByTimeAsync(READINESS_STORE_TIMEOUT_MS - 1);
      let settled = false;
      void pending.then(() => {
        settled = true;
      });
      await Promise.resolve();
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      const down = await pending;
      expect([down.status, down.body.checks.store.status]).toEqual([503, 'fail']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('fails with 503 when the store lacks migrations, naming them', async () => {
    const store = createMemoryStore();
    store.ping = async () => ({ pendingMigrations: ['0005_next'] });
    const gateway = gatewayOn(store);
    await gateway.start();
    const ready = await probe(gateway, '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks['store:migrations']).toMatchObject({
      status: 'fail',
      observedValue: 1,
    });
    expect(ready.body.checks['store:migrations'].description).toContain('0005_next');
  });

  it('stays 200 with a warning for a phone no transport can reach', async () => {
    const store = createMemoryStore();
    const gateway = gatewayOn(store);
    await gateway.start();
    const { record } = await gateway.accounts.create();
    await gateway.phones.upsert(record.id, { phoneNumber: '+18005550199', fcmToken: 'tok' });
    const warned = await probe(gateway, '/health/ready');
    expect(warned.status).toBe(200);
    expect(warned.body.status).toBe('warn');
    expect(warned.body.checks['phones:stranded']).toMatchObject({
      observedUnit: 'phones',
      observedValue: 1,
      status: 'warn',
    });
  });
});
