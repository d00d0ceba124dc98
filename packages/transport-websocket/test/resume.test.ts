import type { WireMessage } from '@textport/core';
import { WAIT } from '@textport/core/testing';
import { describe, expect, it, vi } from 'vitest';
import type { OutgoingSms, SendResult } from '../src/client/index.js';
import { PhoneClient } from '../src/client/index.js';
import { accountWithPhone, CONTACT, gatewayNode, onCleanup, virtualPhone } from './helpers.js';

describe('resume after a lost link', () => {
  it('pushes a message again when the socket dropped before the ack; the phone sends it once', async () => {
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
    expect(pushes.map((p) => p.id)).toEqual([m.id, m.id]);
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
    device.on('push', (message, duplicate) => {
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
    await node.transport.notify(phone, [record]);
    await vi.waitFor(() => expect(device.sender.sent.map((s) => s.id)).toEqual([m.id]), WAIT);
    await node.transport.notify(phone, [record]);
    await vi.waitFor(() => expect(duplicates).toEqual([m.id, m.id]), WAIT);
    expect(device.sender.sent).toHaveLength(1);
  });
});
