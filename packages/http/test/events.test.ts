/**
 * `GET /v1/events`: the account's gateway events as server-sent events over a real socket,
 * only its own, bounded per account, with heartbeats, ended when the key is rotated.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import {
  createGateway,
  createLocalNotifier,
  createMemoryStore,
  silentLogger,
} from '@textport/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHttpApi, createNodeHandler, type HttpApiOptions } from '../src/index.js';
import { CONTACT, OWNER, setup } from './helpers.js';

const servers: Server[] = [];
const readers: ReadableStreamDefaultReader<string>[] = [];

afterEach(async () => {
  for (const reader of readers.splice(0)) await reader.cancel().catch(() => {});
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function serve(options: HttpApiOptions = {}) {
  const t = await setup();
  const server = createServer(createNodeHandler(t.gateway, options));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { ...t, base };
}

/** Opens the stream and collects what it says; `ended` once the server closed it. */
async function open(base: string, key: string) {
  const response = await fetch(`${base}/v1/events`, { headers: { 'x-api-key': key } });
  const state = { response, text: '', ended: false };
  if (!response.body) return state;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  readers.push(reader);
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: '', done: true }));
      if (done) break;
      state.text += value;
    }
    state.ended = true;
  })();
  return state;
}

const send = (t: Awaited<ReturnType<typeof setup>>, accountId: string, content: string) =>
  t.gateway.messages.send(accountId, { from: OWNER, to: CONTACT, content });

describe('GET /v1/events', () => {
  it('answers 401 without a working key', async () => {
    const t = await serve();
    expect((await fetch(`${t.base}/v1/events`)).status).toBe(401);
    const wrong = await fetch(`${t.base}/v1/events`, { headers: { 'x-api-key': 'uk_nope' } });
    expect(wrong.status).toBe(401);
  });

  it("streams the account's events, and none of another account", async () => {
    const t = await serve();
    const stream = await open(t.base, t.apiKey);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const other = await t.gateway.accounts.create({ email: 'other@example.com' });
    await t.gateway.phones.upsert(other.record.id, { phoneNumber: OWNER });
    const theirs = await send(t, other.record.id, 'not yours');
    const mine = await send(t, t.account.id, 'hello live');

    await vi.waitFor(() => expect(stream.text).toContain(mine.id), { timeout: 5000 });
    expect(stream.text).toContain('event: message.api.sent\n');
    const frame = stream.text.split('\n\n').find((f) => f.includes(mine.id)) ?? '';
    const data = JSON.parse(
      frame
        .split('\n')
        .find((l) => l.startsWith('data: '))
        ?.slice(6) ?? '',
    );
    expect(data).toMatchObject({
      type: 'message.api.sent',
      owner: OWNER,
      data: { message_id: mine.id, content: 'hello live', contact: CONTACT },
    });
    expect(stream.text).not.toContain(theirs.id);
    expect(stream.text).not.toContain('not yours');
  });

  it('holds at most maxStreamsPerAccount streams per account, and frees a slot on close', async () => {
    const t = await serve({ events: { maxStreamsPerAccount: 2 } });
    const first = await open(t.base, t.apiKey);
    await open(t.base, t.apiKey);
    const third = await fetch(`${t.base}/v1/events`, { headers: { 'x-api-key': t.apiKey } });
    expect(third.status).toBe(429);
    expect(await third.json()).toMatchObject({ status: 'error' });
    // Another account has slots of its own.
    const other = await t.gateway.accounts.create({ email: 'other@example.com' });
    expect((await open(t.base, other.apiKey)).response.status).toBe(200);

    await readers[0]?.cancel();
    expect(first.response.ok).toBe(true);
    await vi.waitFor(
      async () => {
        const again = await fetch(`${t.base}/v1/events`, { headers: { 'x-api-key': t.apiKey } });
        if (again.ok) await again.body?.cancel();
        expect(again.status).toBe(200);
      },
      { timeout: 5000, interval: 100 },
    );
  });

  it('sends heartbeat comments', async () => {
    const t = await serve({ events: { heartbeatMs: 50 } });
    const stream = await open(t.base, t.apiKey);
    await vi.waitFor(() => expect(stream.text).toContain('\n:\n\n'), { timeout: 5000 });
    expect(stream.ended).toBe(false);
  });

  it('ends the stream when its key is rotated', async () => {
    const t = await serve({ authCacheMs: 60_000 });
    const stream = await open(t.base, t.apiKey);
    await vi.waitFor(() => expect(stream.text).toContain(': connected'), { timeout: 5000 });
    const rotated = await fetch(`${t.base}/v1/users/${t.account.id}/api-keys`, {
      method: 'DELETE',
      headers: { 'x-api-key': t.apiKey },
    });
    expect(rotated.status).toBe(200);
    await vi.waitFor(() => expect(stream.ended).toBe(true), { timeout: 5000 });
  });

  it('ends the stream when its key is revoked on another node (the notifier)', async () => {
    const store = createMemoryStore();
    const notifier = createLocalNotifier();
    const nodeA = createGateway({ store, notifier, logger: silentLogger });
    const nodeB = createGateway({ store, notifier, logger: silentLogger });
    const { record: account, apiKey } = await nodeA.accounts.create();
    const server = createServer(createNodeHandler(nodeB, { authCacheMs: 60_000 }));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const stream = await open(base, apiKey);
    await vi.waitFor(() => expect(stream.text).toContain(': connected'), { timeout: 5000 });

    await nodeA.accounts.rotateApiKey(account.id);
    await vi.waitFor(() => expect(stream.ended).toBe(true), { timeout: 5000 });
  });

  it('ends a stream nobody reads once maxBufferedBytes wait, instead of buffering on', async () => {
    const t = await setup();
    const api = createHttpApi(t.gateway, { events: { maxBufferedBytes: 2000 } });
    const headers = { 'x-api-key': t.apiKey };
    const response = await api.handle({ method: 'GET', path: '/v1/events', headers });
    const stream = response?.stream as Readable;
    for (let i = 0; i < 20; i++) await send(t, t.account.id, `message ${i} ${'x'.repeat(100)}`);
    expect(stream.readableLength).toBeGreaterThan(2000);
    expect(stream.readableLength).toBeLessThan(4000);
    const chunks: string[] = [];
    for await (const chunk of stream) chunks.push(String(chunk));
    expect(chunks.join('')).not.toContain('message 19');
    stream.destroy();
  });

  it('answers HEAD with the headers only', async () => {
    const t = await setup();
    const api = createHttpApi(t.gateway);
    const response = await api.handle({
      method: 'HEAD',
      path: '/v1/events',
      headers: { 'x-api-key': t.apiKey },
    });
    expect(response?.status).toBe(200);
    expect(response?.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(response?.stream).toBeUndefined();
  });
});
