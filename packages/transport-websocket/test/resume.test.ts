import type { WireMessage } from '@textport/core';
import { WAIT } from '@textport/core/testing';
import { describe, expect, it, vi } from 'vitest';
import type { OutgoingSms, SendResult } from '../src/client/index.js';
import { PhoneClient } from '../src/client/index.js';
import type { GatewayNode } from './helpers.js';
import {
  accountWithPhone,
  CONTACT,
  gatewayNode,
  onCleanup,
  rawSocket,
  virtualPhone,
} from './helpers.js';

type Frame = Record<string, unknown>;
type Raw = Awaited<ReturnType<typeof rawSocket>>;

/** The ids of the `message` frames a raw socket got. */
function pushedIds(socket: Raw): string[] {
  return socket.frames
    .filter((f) => f.type === 'message')
    .map((f) => (f.message as WireMessage).id);
}

/** A raw phone socket past `welcome`; `hello` carries `extra`. */
async function rawPhone(node: GatewayNode, phoneKey: string, extra: Frame = {}) {
  const socket = await rawSocket(node.url, { 'x-api-key': phoneKey });
  socket.send({ type: 'hello', id: 'h', ...extra });
  await vi.waitFor(() => expect(socket.frames.some((f) => f.type === 'welcome')).toBe(true), WAIT);
  const welcome = socket.frames.find((f) => f.type === 'welcome') as Frame;
  let seq = 0;
  /** Sends a request and waits for its reply. */
  const request = async (frame: Frame): Promise<Frame> => {
    const id = `r${++seq}`;
    socket.send({ ...frame, id });
    let reply: Frame | undefined;
    await vi.waitFor(() => {
      reply = socket.frames.find((f) => f.id === id);
      expect(reply).toBeDefined();
    }, WAIT);
    return reply as Frame;
  };
  return { ...socket, welcome, request };
}

async function sendThree(node: GatewayNode, accountId: string, from: string) {
  const sent = [];
  for (const content of ['one', 'two', 'three']) {
    sent.push(await node.gateway.messages.send(accountId, { from, to: CONTACT, content }));
  }
  return sent.map((m) => m.id);
}

describe('resume after a lost link', () => {
  it('acks again after a drop that took the ack: the message is not pushed again and is sent once', async () => {
    const node = await gatewayNode();
    const { account, phoneKey, phone } = await accountWithPhone(node);
    const device = virtualPhone({ url: node.url, apiKey: phoneKey });
    const pushes: WireMessage[] = [];
    let dropped = false;
    device.on('push', (message) => {
      pushes.push(message);
      if (!dropped) {
        dropped = true;
        device.dropConnection();
      }
    });
    const disconnects: number[] = [];
    device.on('disconnected', (info) => disconnects.push(info.code));
    await device.connect();

    const m = await node.gateway.messages.send(account.id, {
      from: phone.phoneNumber,
      to: CONTACT,
      content: 'survives a drop',
    });
    await vi.waitFor(async () => {
      expect((await node.gateway.messages.get(account.id, m.id)).status).toBe('sent');
    }, WAIT);
    expect(disconnects).toHaveLength(1);
    expect(pushes.map((p) => p.id)).toEqual([m.id]);
    expect(device.sender.sent.map((s) => s.id)).toEqual([m.id]);
    const row = await node.gateway.messages.get(account.id, m.id);
    expect(row.sendAttemptCount).toBe(1);
  });

  it('reports SENT after reconnecting when the link dropped during the send', async () => {
    const node = await gatewayNode();
    const { account, phoneKey, phone } = await accountWithPhone(node);
    const calls: OutgoingSms[] = [];
    const client: PhoneClient = new PhoneClient({
      url: node.url,
      apiKey: phoneKey,
      reconnect: { minDelayMs: 10, maxDelayMs: 50 },
      sender: {
        send(sms): SendResult {
          calls.push(sms);
          client.dropConnection();
          return { ok: true };
        },
      },
    });
    onCleanup(() => client.close());
    await client.connect();
    const m = await node.gateway.messages.send(account.id, {
      from: phone.phoneNumber,
      to: CONTACT,
      content: 'report survives',
    });
    await vi.waitFor(async () => {
      expect((await node.gateway.messages.get(account.id, m.id)).status).toBe('sent');
    }, WAIT);
    expect(calls.map((c) => c.id)).toEqual([m.id]);
  });

  it('drops a duplicate push of a message it already took', async () => {
    const node = await gatewayNode({ start: false });
    const { account, phoneKey, phone } = await accountWithPhone(node);
    const device = virtualPhone({ url: node.url, apiKey: phoneKey });
    const duplicates: string[] = [];
    let pushes = 0;
    device.on('push', (message, duplicate) => {
      pushes += 1;
      if (duplicate) duplicates.push(message.id);
    });
    await device.connect();
    const m = await node.gateway.messages.send(account.id, {
      from: phone.phoneNumber,
      to: CONTACT,
      content: 'twice',
    });
    const record = await node.store.getMessage(account.id, m.id);
    if (!record) throw new Error('message not stored');
    await node.transport.notify(phone, [record]);
    // The same attempt on the same socket is not written twice.
    await node.transport.notify(phone, [record]);
    await vi.waitFor(() => expect(device.sender.sent.map((s) => s.id)).toEqual([m.id]), WAIT);
    expect(pushes).toBe(1);
    // Once acked it is written again when asked; the phone drops it.
    await node.transport.notify(phone, [record]);
    await vi.waitFor(() => expect(duplicates).toEqual([m.id]), WAIT);
    expect(pushes).toBe(2);
    expect(device.sender.sent).toHaveLength(1);
  });
});

describe('resume on request (defer_resume)', () => {
  it('pushes again only what the phone neither acked nor holds, and again to a phone that lost it', async () => {
    const node = await gatewayNode();
    const { account, phoneKey, phone } = await accountWithPhone(node);
    const first = await rawPhone(node, phoneKey, { defer_resume: true });
    expect(first.welcome.defer_resume).toBe(true);
    const ids = await sendThree(node, account.id, phone.phoneNumber);
    await vi.waitFor(() => expect(pushedIds(first).sort()).toEqual([...ids].sort()), WAIT);
    const [taken, held, lost] = pushedIds(first) as [string, string, string];
    expect(await first.request({ type: 'ack', message_id: taken })).toMatchObject({
      type: 'result',
    });
    first.ws.terminate();

    // The phone holds `held` (its ack was lost with the link): it acks it, then asks.
    const second = await rawPhone(node, phoneKey, { defer_resume: true });
    expect(await second.request({ type: 'ack', message_id: held })).toMatchObject({
      type: 'result',
    });
    expect(await second.request({ type: 'resume' })).toMatchObject({ data: { pushed: 1 } });
    expect(pushedIds(second)).toEqual([lost]);
    // Asking again pushes nothing twice on one socket.
    expect(await second.request({ type: 'resume' })).toMatchObject({ data: { pushed: 0 } });
    expect(pushedIds(second)).toEqual([lost]);
    second.ws.terminate();

    // A phone that restarted and lost what it was pushed gets it again.
    const third = await rawPhone(node, phoneKey, { defer_resume: true });
    expect(await third.request({ type: 'resume' })).toMatchObject({ data: { pushed: 1 } });
    expect(pushedIds(third)).toEqual([lost]);
    expect(await third.request({ type: 'ack', message_id: lost })).toMatchObject({
      type: 'result',
    });
    for (const id of ids) {
      expect((await node.gateway.messages.get(account.id, id)).status).toBe('sending');
    }
  });

  it('pushes the unacked messages at welcome to a phone that does not defer, once per socket', async () => {
    const node = await gatewayNode();
    const { account, phoneKey, phone } = await accountWithPhone(node);
    const first = await rawPhone(node, phoneKey);
    expect(first.welcome).not.toHaveProperty('defer_resume');
    const ids = await sendThree(node, account.id, phone.phoneNumber);
    await vi.waitFor(() => expect(pushedIds(first)).toHaveLength(3), WAIT);
    // What the dispatcher pushed on this socket is not pushed again by a resume.
    expect(await first.request({ type: 'resume' })).toMatchObject({ data: { pushed: 0 } });
    first.ws.terminate();

    const second = await rawPhone(node, phoneKey);
    await vi.waitFor(() => expect(pushedIds(second).sort()).toEqual([...ids].sort()), WAIT);
    expect(await second.request({ type: 'resume' })).toMatchObject({ data: { pushed: 0 } });
    expect(pushedIds(second)).toHaveLength(3);
  });

  it('a client whose link drops while its acks are in flight is pushed each message once', async () => {
    const node = await gatewayNode();
    const { account, phoneKey, phone } = await accountWithPhone(node);
    const device = virtualPhone({ url: node.url, apiKey: phoneKey });
    const pushes: string[] = [];
    device.on('push', (message) => {
      pushes.push(message.id);
      if (pushes.length === 1) device.dropConnection();
    });
    let connections = 0;
    device.on('connected', () => {
      connections += 1;
    });
    await device.connect();
    const ids = await sendThree(node, account.id, phone.phoneNumber);
    await vi.waitFor(async () => {
      for (const id of ids) {
        expect((await node.gateway.messages.get(account.id, id)).status).toBe('sent');
      }
    }, WAIT);
    expect(connections).toBe(2);
    expect([...pushes].sort()).toEqual([...ids].sort());
    expect(device.sender.sent.map((s) => s.id).sort()).toEqual([...ids].sort());
  });
});

describe('a message the phone holds from its socket', () => {
  it('is not pushed again until its ack is answered, whatever the attempt', async () => {
    const node = await gatewayNode({ start: false });
    const { account, phoneKey, phone, user } = await accountWithPhone(node);
    const socket = await rawPhone(node, phoneKey, { defer_resume: true });
    const [held, refused] = await sendThree(node, account.id, phone.phoneNumber);
    const record = async (id: string | undefined) => {
      const found = await node.store.getMessage(account.id, id ?? '');
      if (!found) throw new Error('message not stored');
      return found;
    };
    const first = await record(held);
    await node.transport.notify(phone, [first]);
    // A retry after expiry while the phone's ack waits: the ack takes it, no second frame.
    const retry = { ...first, sendAttemptCount: first.sendAttemptCount + 1 };
    await node.transport.notify(phone, [retry]);
    expect(await socket.request({ type: 'ack', message_id: held })).toMatchObject({
      type: 'result',
    });
    // Frames written before the ack's answer arrived before it.
    expect(pushedIds(socket)).toEqual([held]);
    await node.transport.notify(phone, [retry]);
    await vi.waitFor(() => expect(pushedIds(socket)).toEqual([held, held]), WAIT);

    // A refused ack (someone else took it) clears it too.
    const other = await record(refused);
    await node.transport.notify(phone, [other]);
    await node.gateway.phoneApi.takeOutstanding(user, other.id);
    expect(await socket.request({ type: 'ack', message_id: other.id })).toMatchObject({
      type: 'error',
      code: 'not_found',
    });
    await node.transport.notify(phone, [other]);
    await vi.waitFor(
      () => expect(pushedIds(socket)).toEqual([held, held, other.id, other.id]),
      WAIT,
    );
  });
});
