import { TransportError } from '@textport/core';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../src/index.js';
import { gatewaySetup, sample, serve } from './helpers.js';

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setup(options: { token?: string; backlogCacheMs?: number } = {}) {
  const t = await gatewaySetup();
  const m = createMetrics({ gateway: t.gateway, backlogCacheMs: 0, ...options });
  closers.push(() => m.close());
  const server = await serve(m.handler);
  closers.push(server.close);
  const scrape = async () => {
    const headers: Record<string, string> = options.token
      ? { authorization: `Bearer ${options.token}` }
      : {};
    const response = await server.get('/metrics', headers);
    expect(response.status).toBe(200);
    return response.text;
  };
  return { ...t, m, server, scrape };
}

describe('gateway metrics', () => {
  it('reflect a send → hand-off → sent → delivered cycle', async () => {
    const t = await setup();
    const before = await t.scrape();
    expect(sample(before, 'textport_messages_total', { status: 'delivered' })).toBe(0);
    expect(sample(before, 'textport_phones_online', { transport: 'fake' })).toBe(0);

    t.transport.setConnected(t.phone.id, true);
    const m = await t.send();
    t.clock.advance(2_000);
    let text = await t.scrape();
    expect(sample(text, 'textport_phones_online', { transport: 'fake' })).toBe(1);
    expect(sample(text, 'textport_messages_total', { status: 'pending' })).toBe(1);
    expect(sample(text, 'textport_queue_due_messages')).toBe(1);
    expect(sample(text, 'textport_queue_oldest_due_seconds')).toBe(2);

    expect(await t.gateway.dispatcher.runOnce()).toBe(1);
    await t.gateway.phoneApi.takeOutstanding(t.user, m.id);
    t.clock.advance(1_000);
    await t.gateway.phoneApi.reportEvent(t.user, m.id, { event: 'SENT' });
    t.clock.advance(7_000);
    await t.gateway.phoneApi.reportEvent(t.user, m.id, { event: 'DELIVERED' });

    text = await t.scrape();
    for (const status of ['pending', 'scheduled', 'sending', 'sent', 'delivered']) {
      expect(sample(text, 'textport_messages_total', { status })).toBe(1);
    }
    expect(sample(text, 'textport_messages_total', { status: 'failed' })).toBe(0);
    expect(sample(text, 'textport_handoffs_total', { transport: 'fake', outcome: 'ok' })).toBe(1);
    const api = { transport: 'fake' };
    expect(sample(text, 'textport_api_to_phone_seconds_count', api)).toBe(1);
    expect(sample(text, 'textport_api_to_phone_seconds_sum', api)).toBe(2);
    expect(sample(text, 'textport_api_to_phone_seconds_bucket', { ...api, le: '1' })).toBe(0);
    expect(sample(text, 'textport_api_to_phone_seconds_bucket', { ...api, le: '2.5' })).toBe(1);
    expect(sample(text, 'textport_send_seconds_count', { status: 'sent' })).toBe(1);
    expect(sample(text, 'textport_send_seconds_sum', { status: 'sent' })).toBe(3);
    expect(sample(text, 'textport_send_seconds_count', { status: 'delivered' })).toBe(1);
    expect(sample(text, 'textport_send_seconds_sum', { status: 'delivered' })).toBe(10);
    expect(sample(text, 'textport_dispatch_round_seconds_count')).toBe(1);
    expect(sample(text, 'textport_queue_due_messages')).toBe(0);
    expect(sample(text, 'textport_queue_oldest_due_seconds')).toBe(0);
    // No message ids or phone numbers as labels.
    expect(text).not.toContain(m.id);
    expect(text).not.toContain('18005550199');
  });

  it('count failed and retried hand-offs and store errors', async () => {
    const t = await setup();
    t.transport.setConnected(t.phone.id, true);
    t.transport.failNext(new TransportError('down', { retryable: true }));
    await t.send();
    await t.gateway.dispatcher.runOnce();
    // A round picks its rows in a transaction of the store.
    const failing = t.store.transaction;
    t.store.transaction = () => Promise.reject(new Error('database is gone'));
    await t.gateway.start();
    await expect
      .poll(
        async () =>
          sample(await t.scrape(), 'textport_store_errors_total', { operation: 'dispatch.round' }),
        {
          timeout: 5000,
        },
      )
      .toBeGreaterThan(0);
    t.store.transaction = failing;
    await t.gateway.stop();
    const text = await t.scrape();
    expect(sample(text, 'textport_handoffs_total', { transport: 'fake', outcome: 'retry' })).toBe(
      1,
    );
    expect(sample(text, 'textport_handoffs_total', { transport: 'fake', outcome: 'ok' })).toBe(0);
    expect(sample(text, 'textport_api_to_phone_seconds_count', { transport: 'fake' })).toBe(0);
  });

  it('reads the backlog at most once per cache period', async () => {
    const t = await setup({ backlogCacheMs: 10_000 });
    let reads = 0;
    const read = t.store.getDueBacklog.bind(t.store);
    t.store.getDueBacklog = (now) => {
      reads += 1;
      return read(now);
    };
    await t.scrape();
    await t.send();
    expect(sample(await t.scrape(), 'textport_queue_due_messages')).toBe(0);
    expect(reads).toBe(1);
    t.clock.advance(10_000);
    expect(sample(await t.scrape(), 'textport_queue_due_messages')).toBe(1);
    expect(reads).toBe(2);
  });

  it('asks for the bearer token when one is set', async () => {
    const t = await setup({ token: 's3cret' });
    expect((await t.server.get('/metrics')).status).toBe(401);
    expect((await t.server.get('/metrics', { authorization: 'Bearer wrong' })).status).toBe(401);
    const ok = await t.server.get('/metrics', { authorization: 'Bearer s3cret' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/plain');
    expect(ok.text).toContain('# TYPE textport_messages_total counter');
    expect((await t.server.get('/metrics', {}, 'POST')).status).toBe(405);
  });

  it('close() stops counting and removes its metrics from a shared registry', async () => {
    const t = await gatewaySetup();
    const registry = new Registry();
    const m = createMetrics({ gateway: t.gateway, registry, prefix: 'sms_' });
    await t.send();
    expect(await registry.getSingleMetricAsString('sms_messages_total')).toContain(
      'sms_messages_total{status="pending"} 1',
    );
    m.close();
    expect(registry.getMetricsAsArray()).toEqual([]);
    await t.send();
    const again = createMetrics({ gateway: t.gateway, registry, prefix: 'sms_' });
    closers.push(() => again.close());
    expect(sample(await registry.metrics(), 'sms_messages_total', { status: 'pending' })).toBe(0);
  });
});

describe('http metrics', () => {
  it('label requests by route pattern, method and status; others are unmatched', async () => {
    const t = await gatewaySetup();
    const m = createMetrics({ gateway: t.gateway });
    closers.push(() => m.close());
    const count = m.httpMetrics({
      routes: [
        { method: 'GET', path: '/v1/messages/{messageID}' },
        { method: 'GET', path: '/v1/messages/outstanding' },
      ],
    });
    const server = await serve((req, res) => {
      count(req, res);
      res.writeHead(req.url?.startsWith('/v1/') ? 200 : 404).end();
    });
    closers.push(server.close);
    await server.get('/v1/messages/0b6c4c4e-1111-4f6e-9d1b-05d0f7c0b7a1');
    await server.get('/v1/messages/another-id?x=1');
    await server.get('/v1/messages/outstanding');
    await server.get('/secret/+18005550199');
    const text = await m.registry.metrics();
    const byId = { method: 'GET', route: '/v1/messages/{messageID}', status: '200' };
    expect(sample(text, 'textport_http_requests_total', byId)).toBe(2);
    const literal = { method: 'GET', route: '/v1/messages/outstanding', status: '200' };
    expect(sample(text, 'textport_http_requests_total', literal)).toBe(1);
    const unmatched = { method: 'GET', route: 'unmatched', status: '404' };
    expect(sample(text, 'textport_http_requests_total', unmatched)).toBe(1);
    const timed = { method: 'GET', route: '/v1/messages/{messageID}' };
    expect(sample(text, 'textport_http_request_duration_seconds_count', timed)).toBe(2);
    expect(text).not.toContain('18005550199');
  });
});
