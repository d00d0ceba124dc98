import { WAIT } from '@textport/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { CLOSE_CODES } from '../src/index.js';
import { accountWithPhone, CONTACT, gatewayNode, rawSocket, virtualPhone } from './helpers.js';

/** A node with one healthy phone connected, to show bad sockets leave others alone. */
async function nodeWithHealthyPhone(transport = {}) {
  const node = await gatewayNode({ transport });
  const fixture = await accountWithPhone(node);
  const device = virtualPhone({ url: node.url, apiKey: fixture.phoneKey });
  await device.connect();
  const stillServed = async () => {
    const m = await node.gateway.messages.send(fixture.account.id, {
      from: fixture.phone.phoneNumber,
      to: CONTACT,
      content: 'still here',
    });
    await vi.waitFor(() => expect(device.sender.sent.map((s) => s.id)).toContain(m.id), WAIT);
  };
  return { node, ...fixture, device, stillServed };
}

describe('authentication', () => {
  it('closes with 4401 on an unknown key in the header, and leaves other phones alone', async () => {
    const t = await nodeWithHealthyPhone();
    const bad = await rawSocket(t.node.url, { 'x-api-key': 'pk_not-a-real-key' });
    expect(await bad.closed).toEqual({ code: CLOSE_CODES.unauthorized, reason: 'unknown API key' });
    expect(bad.frames).toEqual([
      { v: 1, type: 'error', id: null, code: 'unauthorized', message: 'unknown API key' },
    ]);
    await t.stillServed();
  });

  it('closes with 4401 when hello has no key, or an unknown one', async () => {
    const node = await gatewayNode();
    const none = await rawSocket(node.url);
    none.send({ type: 'hello', id: 'h1' });
    expect((await none.closed).code).toBe(CLOSE_CODES.unauthorized);
    expect(none.frames[0]).toMatchObject({ type: 'error', id: 'h1', code: 'unauthorized' });
    const wrong = await rawSocket(node.url);
    wrong.send({ type: 'hello', id: 'h2', api_key: 'uk_wrong' });
    expect(await wrong.closed).toEqual({ code: 4401, reason: 'unknown API key' });
  });

  it('accepts the key in hello, never in the URL', async () => {
    const node = await gatewayNode();
    const { phoneKey, phone } = await accountWithPhone(node);
    const inUrl = await rawSocket(`${node.url}?api_key=${phoneKey}`);
    inUrl.send({ type: 'hello', id: 'h' });
    expect((await inUrl.closed).code).toBe(4401);
    const inHello = await rawSocket(node.url);
    inHello.send({ type: 'hello', id: 'h', api_key: phoneKey });
    await vi.waitFor(() => expect(inHello.frames).toHaveLength(1), WAIT);
    expect(inHello.frames[0]).toMatchObject({
      v: 1,
      type: 'welcome',
      id: 'h',
      phones: [{ id: phone.id, phone_number: phone.phoneNumber, sim: 'SIM1' }],
      ping_interval_ms: 30_000,
      max_payload: 1_048_576,
    });
  });

  it('closes with 4401 when the first frame is not hello, or no hello comes in time', async () => {
    const node = await gatewayNode({ transport: { authTimeoutMs: 50 } });
    const { phoneKey } = await accountWithPhone(node);
    const early = await rawSocket(node.url, { 'x-api-key': phoneKey });
    early.send({ type: 'heartbeat', id: 'x' });
    expect(await early.closed).toEqual({ code: 4401, reason: 'send hello first' });
    const silent = await rawSocket(node.url, { 'x-api-key': phoneKey });
    expect(await silent.closed).toEqual({ code: 4401, reason: 'no hello in time' });
  });

  it('closes with 4403 when a phone key asks for a number it is not bound to', async () => {
    const node = await gatewayNode();
    const { phoneKey } = await accountWithPhone(node);
    const socket = await rawSocket(node.url, { 'x-api-key': phoneKey });
    socket.send({ type: 'hello', id: 'h', phone_numbers: ['+18005550111'] });
    expect((await socket.closed).code).toBe(CLOSE_CODES.forbidden);
    expect(socket.frames[0]).toMatchObject({ type: 'error', id: 'h', code: 'forbidden' });
  });

  it('refuses hello numbers that are not E.164 before looking any up (Postgres refuses NUL)', async () => {
    const node = await gatewayNode();
    const { phoneKey } = await accountWithPhone(node);
    for (const register of [false, true]) {
      const socket = await rawSocket(node.url, { 'x-api-key': phoneKey });
      socket.send({ type: 'hello', id: 'h', phone_numbers: ['+1800555\u00000199'], register });
      expect((await socket.closed).code).toBe(CLOSE_CODES.forbidden);
      expect(socket.frames[0]).toMatchObject({
        type: 'error',
        id: 'h',
        code: 'validation',
        fields: { phone_numbers: [expect.stringContaining('E.164')] },
      });
    }
  });

  it('registers the numbers a new phone key names in hello with register: true', async () => {
    const node = await gatewayNode();
    const { record: account } = await node.gateway.accounts.create();
    const { apiKey, record } = await node.gateway.accounts.createPhoneKey(account.id, {
      name: 'new',
    });
    const device = virtualPhone({
      url: node.url,
      apiKey,
      phoneNumbers: ['+18005550142', '+18005550143'],
      register: true,
    });
    const welcome = await device.connect();
    expect(welcome.phones.map((p) => [p.phone_number, p.sim])).toEqual([
      ['+18005550142', 'SIM1'],
      ['+18005550143', 'SIM2'],
    ]);
    const key = await node.store.getApiKey(account.id, record.id);
    expect(key?.phoneNumbers).toEqual(['+18005550142', '+18005550143']);

    // One socket serves both SIMs.
    expect(node.transport.reach().phoneIds).toHaveLength(2);
    for (const from of ['+18005550142', '+18005550143']) {
      await node.gateway.messages.send(account.id, { from, to: CONTACT, content: from });
    }
    await vi.waitFor(() => expect(device.sender.sent).toHaveLength(2), WAIT);
    expect(device.sender.sent.map((s) => [s.from, s.sim]).sort()).toEqual([
      ['+18005550142', 'SIM1'],
      ['+18005550143', 'SIM2'],
    ]);
  });

  it('hands a phone to its newest socket and closes the old one with 4409', async () => {
    const node = await gatewayNode();
    const { phoneKey, phone } = await accountWithPhone(node);
    const old = await rawSocket(node.url, { 'x-api-key': phoneKey });
    old.send({ type: 'hello', id: 'h' });
    await vi.waitFor(() => expect(old.frames[0]).toMatchObject({ type: 'welcome' }), WAIT);
    const device = virtualPhone({ url: node.url, apiKey: phoneKey });
    await device.connect();
    expect(await old.closed).toEqual({ code: 4409, reason: 'replaced by a newer connection' });
    expect(node.transport.reach().phoneIds).toEqual([phone.id]);
    await vi.waitFor(
      () => expect(node.transport.stats()).toMatchObject({ sockets: 1, phones: 1 }),
      WAIT,
    );
  });
});

describe('frames', () => {
  const cases: [string, string | Buffer][] = [
    ['not JSON', '{"v":1,'],
    ['not an object', '[1,2]'],
    ['another version', '{"v":2,"type":"heartbeat","id":"1"}'],
    ['an unknown type', '{"v":1,"type":"teleport","id":"1"}'],
    ['no id', '{"v":1,"type":"heartbeat"}'],
    ['a field of the wrong type', '{"v":1,"type":"ack","id":"1","message_id":42}'],
    ['a missing field', '{"v":1,"type":"event","id":"1","message_id":"m"}'],
    ['binary', Buffer.from([1, 2, 3])],
  ];
  it.each(cases)('closes with 4400 on %s, and leaves other phones alone', async (_, payload) => {
    const t = await nodeWithHealthyPhone();
    const other = await accountWithPhone(t.node, '+18005550177');
    const socket = await rawSocket(t.node.url, { 'x-api-key': other.phoneKey });
    socket.send({ type: 'hello', id: 'h' });
    await vi.waitFor(() => expect(socket.frames).toHaveLength(1), WAIT);
    socket.ws.send(payload);
    expect((await socket.closed).code).toBe(CLOSE_CODES.badFrame);
    expect(socket.frames[1]).toMatchObject({ type: 'error', id: null, code: 'bad_request' });
    await t.stillServed();
  });

  it('closes with 1009 on a frame over maxPayload, and leaves other phones alone', async () => {
    const t = await nodeWithHealthyPhone({ maxPayload: 4096 });
    const other = await accountWithPhone(t.node, '+18005550177');
    const socket = await rawSocket(t.node.url, { 'x-api-key': other.phoneKey });
    socket.send({ type: 'hello', id: 'h', client: 'x'.repeat(5000) });
    expect((await socket.closed).code).toBe(CLOSE_CODES.tooBig);
    await t.stillServed();
  });

  it('answers each request with its id; a refused request gets an error frame, not a close', async () => {
    const node = await gatewayNode();
    const { phoneKey, phone } = await accountWithPhone(node);
    const socket = await rawSocket(node.url, { 'x-api-key': phoneKey });
    socket.send({ type: 'hello', id: 'h' });
    socket.send({ type: 'ack', id: 'a1', message_id: '3f0e4b9e-9a7f-4a51-9c1e-2a6d3c1b0e11' });
    socket.send({ type: 'ack', id: 'a2', message_id: 'not-a-uuid' });
    socket.send({ type: 'heartbeat', id: 'b1', charging: true });
    await vi.waitFor(() => expect(socket.frames).toHaveLength(4), WAIT);
    const [welcome, a1, a2, b1] = socket.frames;
    expect(welcome).toMatchObject({ type: 'welcome', id: 'h' });
    expect(a1).toMatchObject({ type: 'error', id: 'a1', code: 'not_found' });
    expect(a2).toMatchObject({ type: 'error', id: 'a2', code: 'validation' });
    expect(a2?.fields).toHaveProperty('message_id');
    expect(b1).toMatchObject({
      type: 'result',
      id: 'b1',
      data: { heartbeats: [{ owner: phone.phoneNumber, charging: true }] },
    });
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
  });
});
