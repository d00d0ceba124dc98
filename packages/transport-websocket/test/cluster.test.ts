import { createLocalNotifier, createMemoryStore } from '@textport/core';
import { WAIT } from '@textport/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { accountWithPhone, CONTACT, gatewayNode, virtualPhone } from './helpers.js';

/** Two gateway nodes on one store and one notifier, as two processes on one Postgres would be. */
async function twoNodes() {
  const store = createMemoryStore();
  const notifier = createLocalNotifier();
  const a = await gatewayNode({ store, gateway: { notifier, nodeId: 'node-a' } });
  const b = await gatewayNode({ store, gateway: { notifier, nodeId: 'node-b' } });
  return { a, b };
}

describe('several gateway nodes sharing a store', () => {
  it('a message sent through node A reaches the phone connected to node B', async () => {
    const { a, b } = await twoNodes();
    const { account, phoneKey, phone } = await accountWithPhone(a);
    const device = virtualPhone({ url: b.url, apiKey: phoneKey, deliver: true });
    await device.connect();
    expect(b.transport.reach().phoneIds).toEqual([phone.id]);
    expect(a.transport.reach().phoneIds).toEqual([]);

    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const m = await a.gateway.messages.send(account.id, {
        from: phone.phoneNumber,
        to: CONTACT,
        content: `via A ${i}`,
      });
      ids.push(m.id);
    }
    await vi.waitFor(async () => {
      const rows = await a.store.getMessages(account.id, ids);
      expect(rows.map((r) => r.status)).toEqual(ids.map(() => 'delivered'));
    }, WAIT);
    expect(device.sender.sent.map((s) => s.id)).toEqual(ids);
  });

  it('a phone that moves to another node gets the messages the first node pushed but never saw acked', async () => {
    const { a, b } = await twoNodes();
    const { account, phoneKey, phone } = await accountWithPhone(a);
    const first = virtualPhone({ url: b.url, apiKey: phoneKey });
    const pushed: string[] = [];
    first.on('push', (message) => {
      pushed.push(message.id);
      void first.close();
    });
    await first.connect();
    const m = await a.gateway.messages.send(account.id, {
      from: phone.phoneNumber,
      to: CONTACT,
      content: 'moves with the phone',
    });
    await vi.waitFor(() => expect(pushed).toEqual([m.id]), WAIT);
    await vi.waitFor(() => expect(b.transport.reach().phoneIds).toEqual([]), WAIT);
    expect((await a.gateway.messages.get(account.id, m.id)).status).toBe('scheduled');

    const second = virtualPhone({ url: a.url, apiKey: phoneKey });
    await second.connect();
    await vi.waitFor(async () => {
      expect((await a.gateway.messages.get(account.id, m.id)).status).toBe('sent');
    }, WAIT);
    expect(second.sender.sent.map((s) => s.id)).toEqual([m.id]);
    expect(first.sender.sent).toEqual([]);
  });
});
