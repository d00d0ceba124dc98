/**
 * What one socket may cost the server: the frame size before it has
 * authenticated, the replies waiting in its send buffer, the acks it may owe,
 * and the rows one heartbeat frame may write; and how many sockets may wait
 * for their welcome at once.
 */
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { WireMessage } from '@textport/core';
import { ManualClock } from '@textport/core';
import { WAIT } from '@textport/core/testing';
import { describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { CLOSE_CODES, websocketTransport } from '../src/index.js';
import { ACK_WAIT_MS } from '../src/server/pushed.js';
import {
  accountWithPhone,
  CONTACT,
  gatewayNode,
  onCleanup,
  rawSocket,
  virtualPhone,
} from './helpers.js';

describe('frames before authentication', () => {
  it('closes with 1009 on a frame over maxPreAuthPayload before welcome, unparsed', async () => {
    const node = await gatewayNode({ transport: { maxPreAuthPayload: 1024 } });
    const { phoneKey } = await accountWithPhone(node);
    const socket = await rawSocket(node.url, { 'x-api-key': phoneKey });
    // A valid hello, only too big for a socket that has not authenticated yet.
    socket.send({ type: 'hello', id: 'h', client: 'x'.repeat(2000) });
    expect((await socket.closed).code).toBe(CLOSE_CODES.tooBig);
    expect(socket.frames).toEqual([]);
  });

  it('takes frames up to maxPayload once the socket has its welcome', async () => {
    const node = await gatewayNode({ transport: { maxPreAuthPayload: 1024 } });
    const { phoneKey } = await accountWithPhone(node);
    const socket = await rawSocket(node.url, { 'x-api-key': phoneKey });
    socket.send({ type: 'hello', id: 'h' });
    await vi.waitFor(() => expect(socket.frames).toHaveLength(1), WAIT);
    socket.send({ type: 'heartbeat', id: 'b', padding: 'x'.repeat(100_000) });
    await vi.waitFor(() => expect(socket.frames).toHaveLength(2), WAIT);
    expect(socket.frames[1]).toMatchObject({ type: 'result', id: 'b' });
  });

  it('refuses a pre-auth limit above maxPayload, and defaults to the smaller of the two', () => {
    expect(() => websocketTransport({ maxPayload: 2048, maxPreAuthPayload: 4096 })).toThrow(
      /maxPreAuthPayload: must be at most maxPayload/,
    );
    expect(websocketTransport({ maxPayload: 2048 }).options.maxPreAuthPayload).toBe(2048);
    expect(websocketTransport().options.maxPreAuthPayload).toBe(4096);
  });
});

/** The HTTP status of an upgrade (101 once open; the socket stays open until the test ends). */
async function upgrade(url: string): Promise<{ status: number; retryAfter?: string }> {
  const ws = new WebSocket(url);
  onCleanup(async () => ws.terminate());
  ws.on('error', () => {});
  const refused = once(ws, 'unexpected-response').then(([, res]) => {
    const response = res as IncomingMessage;
    response.resume();
    return { status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'] };
  });
  const opened = once(ws, 'open').then(() => ({ status: 101 }));
  return Promise.race([refused, opened]);
}

describe('sockets waiting for their welcome', () => {
  it('refuses upgrades with 503 and Retry-After while maxPendingSockets wait, until one closes or is welcomed', async () => {
    const node = await gatewayNode({ transport: { maxPendingSockets: 3 } });
    const { phoneKey } = await accountWithPhone(node);
    const silent = [await rawSocket(node.url), await rawSocket(node.url)];
    const phone = await rawSocket(node.url, { 'x-api-key': phoneKey });
    expect(await upgrade(node.url)).toEqual({ status: 503, retryAfter: '10' });

    silent[0]?.ws.close();
    await vi.waitFor(() => expect(node.transport.stats().pending).toBe(2), WAIT);
    expect(await upgrade(node.url)).toEqual({ status: 101 });
    expect(await upgrade(node.url)).toMatchObject({ status: 503 });

    phone.send({ type: 'hello', id: 'h' });
    await vi.waitFor(() => expect(phone.frames[0]).toMatchObject({ type: 'welcome' }), WAIT);
    expect(await upgrade(node.url)).toEqual({ status: 101 });
    // The welcomed socket does not count: three wait again.
    expect(await upgrade(node.url)).toMatchObject({ status: 503 });
    expect(node.transport.stats()).toMatchObject({ sockets: 4, pending: 3, phones: 1 });
  });

  it('frees the slot of a socket refused, closed during its hello, or welcomed twice, once each', async () => {
    let gate: Promise<void> = Promise.resolve();
    let authenticating = 0;
    const node = await gatewayNode({
      transport: { maxPendingSockets: 3 },
      host: (host) => ({
        ...host,
        authenticate: async (key) => {
          authenticating++;
          await gate;
          return host.authenticate(key);
        },
      }),
    });
    const { phoneKey } = await accountWithPhone(node);

    const unknownKey = await rawSocket(node.url, { 'x-api-key': 'pk_unknown' });
    expect((await unknownKey.closed).code).toBe(CLOSE_CODES.unauthorized);
    const noHello = await rawSocket(node.url);
    noHello.send({ type: 'heartbeat', id: 'b' });
    expect((await noHello.closed).code).toBe(CLOSE_CODES.unauthorized);

    // Closes while its key is being resolved; the hello goes on afterwards.
    let release = () => {};
    gate = new Promise((resolve) => {
      release = resolve;
    });
    const before = authenticating;
    const leaving = await rawSocket(node.url, { 'x-api-key': phoneKey });
    leaving.send({ type: 'hello', id: 'h' });
    await vi.waitFor(() => expect(authenticating).toBe(before + 1), WAIT);
    leaving.ws.close();
    await vi.waitFor(() => expect(node.transport.stats().pending).toBe(0), WAIT);
    release();

    const twice = await rawSocket(node.url, { 'x-api-key': phoneKey });
    twice.send({ type: 'hello', id: 'h1' });
    twice.send({ type: 'hello', id: 'h2' });
    await vi.waitFor(() => expect(twice.frames).toHaveLength(2), WAIT);
    expect(twice.frames.map((f) => f.type)).toEqual(['welcome', 'welcome']);
    expect(node.transport.stats()).toMatchObject({ sockets: 1, pending: 0, phones: 1 });

    for (let i = 0; i < 3; i++) expect(await upgrade(node.url)).toEqual({ status: 101 });
    expect(await upgrade(node.url)).toMatchObject({ status: 503 });
  });

  it('frees the slots of sockets closed for no hello in time', async () => {
    const node = await gatewayNode({ transport: { maxPendingSockets: 2, authTimeoutMs: 50 } });
    const silent = [await rawSocket(node.url), await rawSocket(node.url)];
    for (const socket of silent) {
      expect((await socket.closed).code).toBe(CLOSE_CODES.unauthorized);
    }
    await vi.waitFor(() => expect(node.transport.stats().pending).toBe(0), WAIT);
    expect(await upgrade(node.url)).toEqual({ status: 101 });
    expect(await upgrade(node.url)).toEqual({ status: 101 });
    expect(await upgrade(node.url)).toEqual({ status: 503, retryAfter: '1' });
  });

  it('checks maxPendingSockets like the other limits', () => {
    expect(websocketTransport().options.maxPendingSockets).toBe(1000);
    expect(() => websocketTransport({ maxPendingSockets: 0 })).toThrow(
      /maxPendingSockets: must be an integer from 1 to 1000000/,
    );
  });
});

describe('replies waiting to be sent', () => {
  it('stops answering a socket that does not read once maxBufferedBytes wait, and resumes when it reads', async () => {
    const cap = 64 * 1024;
    const node = await gatewayNode({ start: false, transport: { maxBufferedBytes: cap } });
    const { account, userKey } = await accountWithPhone(node);
    for (let i = 0; i < 200; i++) {
      const phoneNumber = `+1800555${String(1000 + i)}`;
      await node.gateway.phones.upsert(account.id, { phoneNumber });
    }
    const ws = new WebSocket(node.url, { headers: { 'x-api-key': userKey } });
    onCleanup(async () => ws.terminate());
    let welcomes = 0;
    let welcomeBytes = 0;
    ws.on('message', (data: Buffer) => {
      welcomes++;
      welcomeBytes = data.length;
    });
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ v: 1, type: 'hello', id: 'h' }));
    await vi.waitFor(() => expect(welcomes).toBe(1), WAIT);
    expect(welcomeBytes).toBeGreaterThan(15_000);

    // Stop reading, then ask 2,000 times for the ~20 KB welcome (40 MB of replies).
    ws.pause();
    let mostBuffered = 0;
    const watch = setInterval(() => {
      mostBuffered = Math.max(mostBuffered, node.transport.stats().bufferedBytes);
    }, 2);
    onCleanup(async () => clearInterval(watch));
    const requests = 2000;
    for (let i = 0; i < requests; i++) {
      ws.send(JSON.stringify({ v: 1, type: 'hello', id: `again-${i}` }));
    }
    await vi.waitFor(() => expect(mostBuffered).toBeGreaterThan(cap / 2), { timeout: 10_000 });
    // Give a server that kept answering the time to buffer far past the cap.
    await new Promise((resolve) => setTimeout(resolve, 300));
    ws.resume();
    await vi.waitFor(() => expect(welcomes).toBe(requests + 1), { timeout: 30_000 });
    clearInterval(watch);
    // At most one reply beyond the cap ever waited in the server's send buffer.
    expect(mostBuffered).toBeGreaterThan(0);
    expect(mostBuffered).toBeLessThanOrEqual(cap + welcomeBytes);
  }, 60_000);
});

describe('acks a socket owes', () => {
  it('claims nothing for a phone awaiting maxUnackedMessages acks until half are answered or outwaited', async () => {
    const clock = new ManualClock(Date.now());
    const node = await gatewayNode({
      start: false,
      transport: { maxUnackedMessages: 4 },
      gateway: { clock },
    });
    const { account, phone, phoneKey } = await accountWithPhone(node);
    const socket = await rawSocket(node.url, { 'x-api-key': phoneKey });
    socket.send({ type: 'hello', id: 'h' });
    await vi.waitFor(
      () => expect(socket.frames.some((f) => f.type === 'welcome')).toBe(true),
      WAIT,
    );
    const pushed = () =>
      socket.frames.filter((f) => f.type === 'message').map((f) => f.message as WireMessage);
    const send = (n: number) =>
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          node.gateway.messages.send(account.id, {
            from: phone.phoneNumber,
            to: CONTACT,
            content: `m${i}`,
          }),
        ),
      );
    const busy = () => node.transport.reach().busy?.has(phone.id) ?? false;
    const ack = async (m: WireMessage) => {
      socket.send({ type: 'ack', id: `ack-${m.id}`, message_id: m.id, attempt: 1 });
      await vi.waitFor(
        () => expect(socket.frames.some((f) => f.id === `ack-${m.id}`)).toBe(true),
        WAIT,
      );
    };

    // One round goes out whole, and leaves the socket full.
    await send(6);
    expect(await node.gateway.dispatcher.runOnce()).toBe(6);
    await vi.waitFor(() => expect(pushed()).toHaveLength(6), WAIT);
    expect(busy()).toBe(true);

    // Nothing more is claimed for it.
    await send(2);
    expect(await node.gateway.dispatcher.runOnce()).toBe(0);
    const first = pushed();
    for (const m of first.slice(0, 3)) await ack(m);
    expect(busy()).toBe(true);
    expect(await node.gateway.dispatcher.runOnce()).toBe(0);

    // Half of the cap awaited: room again.
    await ack(first[3] as WireMessage);
    expect(busy()).toBe(false);
    expect(await node.gateway.dispatcher.runOnce()).toBe(2);
    await vi.waitFor(() => expect(pushed()).toHaveLength(8), WAIT);
    expect(busy()).toBe(true);

    // Pushes the phone never acks (it dedupes by id) stop counting once outwaited.
    await send(1);
    clock.advance(ACK_WAIT_MS - 1);
    expect(busy()).toBe(true);
    // Looked at again at most once a second.
    clock.advance(1_000);
    expect(busy()).toBe(false);
    expect(await node.gateway.dispatcher.runOnce()).toBe(1);
    await vi.waitFor(() => expect(pushed()).toHaveLength(9), WAIT);
    // Each message was pushed once.
    expect(new Set(pushed().map((m) => m.id)).size).toBe(9);
  });
});

describe('heartbeat frames', () => {
  it('follows the HTTP rule of one or two numbers per heartbeat and writes nothing past it', async () => {
    const node = await gatewayNode({ start: false });
    const { account, userKey, phone } = await accountWithPhone(node);
    const numbers = [phone.phoneNumber, '+18005550111', '+18005550112'];
    for (const phoneNumber of numbers.slice(1)) {
      await node.gateway.phones.upsert(account.id, { phoneNumber });
    }
    const socket = await rawSocket(node.url, { 'x-api-key': userKey });
    socket.send({ type: 'hello', id: 'h', phone_numbers: numbers });
    await vi.waitFor(() => expect(socket.frames).toHaveLength(1), WAIT);
    const many = Array.from({ length: 20_000 }, (_, i) => `+1800${String(i).padStart(7, '0')}`);
    socket.send({ type: 'heartbeat', id: 'three', phone_numbers: numbers });
    socket.send({ type: 'heartbeat', id: 'many', phone_numbers: many });
    // The socket serves three numbers: the default list breaks the rule too.
    socket.send({ type: 'heartbeat', id: 'default' });
    socket.send({ type: 'heartbeat', id: 'two', phone_numbers: numbers.slice(0, 2) });
    await vi.waitFor(() => expect(socket.frames).toHaveLength(5), WAIT);
    for (const id of ['three', 'many', 'default']) {
      const reply = socket.frames.find((f) => f.id === id);
      expect(reply).toMatchObject({ type: 'error', code: 'validation' });
      expect(reply?.fields).toHaveProperty('phone_numbers');
    }
    expect(socket.frames.find((f) => f.id === 'two')).toMatchObject({ type: 'result' });
    const stored = await Promise.all(
      numbers.map((owner) => node.gateway.phones.heartbeats(account.id, { owner, limit: 100 })),
    );
    expect(stored.map((rows) => rows.length)).toEqual([1, 1, 0]);
  });

  it('the phone client sends the heartbeat of a socket serving three numbers two per frame', async () => {
    const node = await gatewayNode({ start: false });
    const { account, userKey, phone } = await accountWithPhone(node);
    const numbers = [phone.phoneNumber, '+18005550111', '+18005550112'];
    for (const phoneNumber of numbers.slice(1)) {
      await node.gateway.phones.upsert(account.id, { phoneNumber });
    }
    const device = virtualPhone({ url: node.url, apiKey: userKey, phoneNumbers: numbers });
    await device.connect();
    const beats = await device.heartbeat();
    expect(beats.map((b) => b.owner).sort()).toEqual([...numbers].sort());
  });
});

describe('a socket whose requests wait on the server', () => {
  it('is not closed as dead while the server, not the phone, holds its reading paused', async () => {
    const node = await gatewayNode({
      start: false,
      transport: { pingIntervalMs: 20, maxQueuedRequests: 2 },
      host: (host) => ({
        ...host,
        phoneApi: {
          ...host.phoneApi,
          // A slow store: each heartbeat takes longer than two ping intervals.
          heartbeat: async (principal, input) => {
            await new Promise((resolve) => setTimeout(resolve, 80));
            return host.phoneApi.heartbeat(principal, input);
          },
        },
      }),
    });
    const { phoneKey } = await accountWithPhone(node);
    const socket = await rawSocket(node.url, { 'x-api-key': phoneKey });
    socket.send({ type: 'hello', id: 'h' });
    await vi.waitFor(() => expect(socket.frames).toHaveLength(1), WAIT);
    for (let i = 0; i < 6; i++) socket.send({ type: 'heartbeat', id: `b${i}` });
    const answered = vi.waitFor(() => expect(socket.frames).toHaveLength(7), WAIT);
    const outcome = await Promise.race([
      answered.then(() => 'answered'),
      socket.closed.then(({ code }) => `closed with ${code}`),
    ]);
    expect(outcome).toBe('answered');
    expect(socket.frames.slice(1).map((f) => f.type)).toEqual(Array(6).fill('result'));
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
  });
});
