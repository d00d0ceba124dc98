import type { WireMessage } from '@textport/core';
import { WAIT } from '@textport/core/testing';
import { describe, expect, it, vi } from 'vitest';
import type { GatewayNode } from './helpers.js';
import { accountWithPhone, CONTACT, gatewayNode, rawSocket, virtualPhone } from './helpers.js';

type Frame = Record<string, unknown>;

/** A raw phone socket past `welcome`, with a request helper that waits for the answer. */
async function rawPhone(node: GatewayNode, phoneKey: string) {
  const socket = await rawSocket(node.url, { 'x-api-key': phoneKey });
  socket.send({ type: 'hello', id: 'h', defer_resume: true });
  await vi.waitFor(() => expect(socket.frames.some((f) => f.type === 'welcome')).toBe(true), WAIT);
  let seq = 0;
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
  const pushed = () =>
    socket.frames.filter((f) => f.type === 'message').map((f) => f.message as WireMessage);
  return { ...socket, request, pushed };
}

describe('an ack resent after a lost answer', () => {
  it('is answered with the message when the server had applied it, on the attempt it names', async () => {
    const node = await gatewayNode();
    const { account, phoneKey, phone } = await accountWithPhone(node);
    const first = await rawPhone(node, phoneKey);
    const m = await node.gateway.messages.send(account.id, {
      from: phone.phoneNumber,
      to: CONTACT,
      content: 'answer lost',
    });
    await vi.waitFor(() => expect(first.pushed().map((p) => p.id)).toEqual([m.id]), WAIT);
    const attempt = first.pushed()[0]?.send_attempt_count;
    expect(attempt).toBe(1);
    // Applied; the phone never saw the answer.
    await first.request({ type: 'ack', message_id: m.id });
    first.ws.terminate();

    const second = await rawPhone(node, phoneKey);
    const plain = await second.request({ type: 'ack', message_id: m.id });
    expect(plain).toMatchObject({ type: 'error', code: 'not_found' });
    const wrongAttempt = await second.request({
      type: 'ack',
      message_id: m.id,
      attempt: 2,
      resent: true,
    });
    expect(wrongAttempt).toMatchObject({ type: 'error', code: 'not_found' });
    const resent = await second.request({ type: 'ack', message_id: m.id, attempt, resent: true });
    expect(resent).toMatchObject({
      type: 'result',
      data: { message: { id: m.id, status: 'sending', send_attempt_count: 1 } },
    });

    // Another account's phone gets nothing for it.
    const other = await accountWithPhone(node, '+18005550177');
    const stranger = await rawPhone(node, other.phoneKey);
    const theirs = await stranger.request({ type: 'ack', message_id: m.id, attempt, resent: true });
    expect(theirs).toMatchObject({ type: 'error', code: 'not_found' });
  });

  it('lets a client whose link dropped after the server took the message send it at once', async () => {
    const node = await gatewayNode();
    const { account, phoneKey, phone } = await accountWithPhone(node);
    const device = virtualPhone({ url: node.url, apiKey: phoneKey });
    const api = node.gateway.transportHost.phoneApi;
    const take = api.takeOutstanding;
    let drops = 0;
    // The first take is applied, then the link drops before its answer is written.
    api.takeOutstanding = async (principal, id) => {
      const taken = await take(principal, id);
      if (drops++ === 0) device.dropConnection();
      return taken;
    };
    const pushes: string[] = [];
    device.on('push', (message) => pushes.push(message.id));
    await device.connect();
    const m = await node.gateway.messages.send(account.id, {
      from: phone.phoneNumber,
      to: CONTACT,
      content: 'taken once',
    });
    await vi.waitFor(async () => {
      expect((await node.gateway.messages.get(account.id, m.id)).status).toBe('sent');
    }, WAIT);
    expect(drops).toBe(1);
    expect(pushes).toEqual([m.id]);
    expect(device.sender.sent.map((s) => s.id)).toEqual([m.id]);
    expect((await node.gateway.messages.get(account.id, m.id)).sendAttemptCount).toBe(1);
  });
});
