import type { AnyGatewayEvent } from '@textport/core';
import { makeWebhook, WAIT } from '@textport/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { accountWithPhone, CONTACT, gatewayNode, virtualPhone } from './helpers.js';

describe('end to end: API → gateway → socket → phone → events', () => {
  it('delivers a sent message and emits sent and delivered, with webhook outbox rows', async () => {
    const node = await gatewayNode();
    const { gateway } = node;
    const { account, phoneKey, phone } = await accountWithPhone(node);
    const events: AnyGatewayEvent[] = [];
    for (const type of [
      'message.phone.sending',
      'message.phone.sent',
      'message.phone.delivered',
    ] as const) {
      gateway.on(type, (e) => void events.push(e as AnyGatewayEvent));
    }
    const hook = makeWebhook({
      accountId: account.id,
      events: ['message.phone.sent', 'message.phone.delivered'],
      phoneNumbers: [phone.phoneNumber],
    });
    await gateway.store.insertWebhook(hook);

    const device = virtualPhone({ url: node.url, apiKey: phoneKey, deliver: true });
    const welcome = await device.connect();
    expect(welcome.phones).toEqual([
      { id: phone.id, phone_number: phone.phoneNumber, sim: 'SIM1' },
    ]);

    const sent = await gateway.messages.send(account.id, {
      from: phone.phoneNumber,
      to: CONTACT,
      content: 'hello over the socket',
    });
    await vi.waitFor(async () => {
      expect((await gateway.messages.get(account.id, sent.id)).status).toBe('delivered');
    }, WAIT);

    expect(device.sender.sent.map((s) => [s.id, s.to, s.content])).toEqual([
      [sent.id, CONTACT, 'hello over the socket'],
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'message.phone.sending',
      'message.phone.sent',
      'message.phone.delivered',
    ]);
    const outbox = await gateway.store.listOutbox({ accountId: account.id, skip: 0, limit: 10 });
    expect(outbox.map((row) => row.eventType).sort()).toEqual([
      'message.phone.delivered',
      'message.phone.sent',
    ]);
    expect(outbox.every((row) => row.webhookId === hook.id)).toBe(true);
  });

  it('gets the backlog out when the phone connects', async () => {
    const node = await gatewayNode();
    const { account, phoneKey, phone } = await accountWithPhone(node);
    const ids: string[] = [];
    for (const content of ['one', 'two', 'three']) {
      const m = await node.gateway.messages.send(account.id, {
        from: phone.phoneNumber,
        to: CONTACT,
        content,
      });
      ids.push(m.id);
    }
    const device = virtualPhone({ url: node.url, apiKey: phoneKey });
    await device.connect();
    await vi.waitFor(() => expect(device.sender.sent.map((s) => s.id)).toEqual(ids), WAIT);
    await vi.waitFor(async () => {
      const rows = await node.store.getMessages(account.id, ids);
      expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
    }, WAIT);
  });

  it('reports a failed send as FAILED with the sender reason', async () => {
    const node = await gatewayNode();
    const { account, phoneKey, phone } = await accountWithPhone(node);
    // One attempt: GENERIC_FAILURE is transient and would otherwise be tried again.
    await node.gateway.phones.upsert(account.id, {
      phoneNumber: phone.phoneNumber,
      maxSendAttempts: 1,
    });
    const device = virtualPhone({ url: node.url, apiKey: phoneKey, failureRate: 1 });
    await device.connect();
    const m = await node.gateway.messages.send(account.id, {
      from: phone.phoneNumber,
      to: CONTACT,
      content: 'x',
    });
    await vi.waitFor(async () => {
      const row = await node.gateway.messages.get(account.id, m.id);
      expect(row).toMatchObject({ status: 'failed', failureReason: 'GENERIC_FAILURE' });
    }, WAIT);
    expect(device.sender.sent).toEqual([]);
  });

  it('serves a user key for the numbers it names', async () => {
    const node = await gatewayNode();
    const { account, userKey, phone } = await accountWithPhone(node);
    const device = virtualPhone({
      url: node.url,
      apiKey: userKey,
      authIn: 'hello',
      phoneNumbers: [phone.phoneNumber],
    });
    expect((await device.connect()).phones.map((p) => p.id)).toEqual([phone.id]);
    const m = await node.gateway.messages.send(account.id, {
      from: phone.phoneNumber,
      to: CONTACT,
      content: 'via user key',
    });
    await vi.waitFor(() => expect(device.sender.sent.map((s) => s.id)).toEqual([m.id]), WAIT);
  });
});
