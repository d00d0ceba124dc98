import type { AnyGatewayEvent } from '@textport/core';
import { makeMessage, WAIT } from '@textport/core/testing';
import { isRetryable, TransportError } from '@textport/core/transport';
import { describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { accountWithPhone, CONTACT, gatewayNode, onCleanup, virtualPhone } from './helpers.js';

describe('phone → gateway over the socket', () => {
  it('reports an incoming SMS and a missed call', async () => {
    const node = await gatewayNode();
    const { account, phoneKey, phone } = await accountWithPhone(node);
    const events: AnyGatewayEvent[] = [];
    node.gateway.on('message.phone.received', (e) => void events.push(e as AnyGatewayEvent));
    node.gateway.on('message.call.missed', (e) => void events.push(e as AnyGatewayEvent));
    const device = virtualPhone({ url: node.url, apiKey: phoneKey });
    await device.connect();

    const sms = await device.reportReceived({ from: CONTACT, content: 'hi there' });
    expect(sms).toMatchObject({
      owner: phone.phoneNumber,
      contact: CONTACT,
      content: 'hi there',
      status: 'received',
      type: 'mobile-originated',
    });
    const call = await device.reportMissedCall({ from: CONTACT, sim: 'SIM1' });
    expect(call).toMatchObject({ owner: phone.phoneNumber, type: 'call/missed' });
    expect(events.map((e) => e.type)).toEqual(['message.phone.received', 'message.call.missed']);
    expect((await node.gateway.messages.get(account.id, sms.id)).content).toBe('hi there');
  });

  it('answers an event report with its outcome and the status it left', async () => {
    const node = await gatewayNode();
    const { account, phoneKey, phone } = await accountWithPhone(node);
    const device = virtualPhone({ url: node.url, apiKey: phoneKey });
    await device.connect();
    const m = await node.gateway.messages.send(account.id, {
      from: phone.phoneNumber,
      to: CONTACT,
      content: 'events',
    });
    await vi.waitFor(async () => {
      expect((await node.gateway.messages.get(account.id, m.id)).status).toBe('sent');
    }, WAIT);
    expect(await device.reportEvent(m.id, 'SENT')).toMatchObject({
      outcome: 'ignored',
      status: 'sent',
      reason: expect.any(String),
    });
    expect(await device.reportEvent(`${m.id}.1`, 'DELIVERED')).toEqual({
      outcome: 'duplicate',
      status: null,
    });
    expect(await device.reportEvent(m.id, 'DELIVERED')).toEqual({
      outcome: 'applied',
      status: 'delivered',
    });
  });

  it('rejects a report the gateway refuses, with its code and fields', async () => {
    const node = await gatewayNode();
    const { phoneKey } = await accountWithPhone(node);
    const device = virtualPhone({ url: node.url, apiKey: phoneKey });
    await device.connect();
    const error = await device.reportReceived({ from: CONTACT, content: '' }).catch((e) => e);
    expect(error).toMatchObject({ name: 'PhoneRequestError', code: 'validation' });
    expect(error.fields).toHaveProperty('content');
    const outside = await device
      .reportReceived({ from: CONTACT, to: '+18005550111', content: 'x' })
      .catch((e) => e);
    expect(outside).toMatchObject({ code: 'unauthorized' });
  });

  it('keeps reports made offline and sends them after reconnecting', async () => {
    const node = await gatewayNode();
    const { account, phoneKey, phone } = await accountWithPhone(node);
    const device = virtualPhone({ url: node.url, apiKey: phoneKey });
    await device.connect();
    const log: string[] = [];
    device.on('disconnected', () => void log.push('disconnected'));
    device.on('connected', () => void log.push('connected'));
    node.gateway.on('message.phone.received', (e) => void log.push(`stored ${e.data.content}`));
    node.gateway.on('message.call.missed', () => void log.push('stored missed call'));
    const offline = new Promise<void>((resolve) => device.once('disconnected', () => resolve()));
    device.dropConnection();
    await offline;
    expect(device.connected).toBe(false);
    // Both reports are made while the link is down: they can only be written after the next welcome.
    const [sms, call] = await Promise.all([
      device.reportReceived({ from: CONTACT, content: 'sent while offline' }),
      device.reportMissedCall({ from: CONTACT, sim: 'SIM1' }),
    ]);
    expect(log.slice(0, 2)).toEqual(['disconnected', 'connected']);
    expect(log.slice(2).sort()).toEqual(['stored missed call', 'stored sent while offline']);
    const stored = await node.gateway.messages.get(account.id, sms.id);
    expect(stored).toMatchObject({
      owner: phone.phoneNumber,
      contact: CONTACT,
      content: 'sent while offline',
      status: 'received',
    });
    expect((await node.gateway.messages.get(account.id, call.id)).type).toBe('call/missed');
  });

  it('sends a heartbeat on connect and when the gateway asks for one', async () => {
    const node = await gatewayNode();
    const { account, phoneKey, phone } = await accountWithPhone(node);
    const device = virtualPhone({ url: node.url, apiKey: phoneKey, version: '9.9.9' });
    const requested: string[][] = [];
    device.on('heartbeatRequested', (numbers) => void requested.push(numbers));
    await device.connect();
    const beats = () =>
      node.gateway.phones.heartbeats(account.id, { owner: phone.phoneNumber, limit: 10 });
    await vi.waitFor(async () => expect(await beats()).toHaveLength(1), WAIT);
    await node.transport.requestHeartbeat(phone);
    await vi.waitFor(async () => expect(await beats()).toHaveLength(2), WAIT);
    expect(requested).toEqual([[phone.phoneNumber]]);
    expect((await beats())[0]?.version).toBe('9.9.9');
  });

  it('tells the phone when a message it may hold is canceled', async () => {
    const node = await gatewayNode({ start: false });
    const { account, phoneKey, phone } = await accountWithPhone(node);
    const device = virtualPhone({ url: node.url, apiKey: phoneKey });
    const canceled: string[] = [];
    device.on('canceled', (id) => void canceled.push(id));
    await device.connect();
    const m = await node.gateway.messages.send(account.id, {
      from: phone.phoneNumber,
      to: CONTACT,
      content: 'never mind',
    });
    await node.gateway.messages.cancel(account.id, m.id);
    await vi.waitFor(() => expect(canceled).toEqual([m.id]), WAIT);
    const next = await node.gateway.messages.send(account.id, {
      from: phone.phoneNumber,
      to: CONTACT,
      content: 'nor this one',
    });
    await node.gateway.messages.cancel(account.id, next.id);
    await vi.waitFor(() => expect(canceled).toEqual([m.id, next.id]), WAIT);
  });
});

describe('link health', () => {
  it('closes a socket that stops answering pings within two intervals', async () => {
    const node = await gatewayNode({ transport: { pingIntervalMs: 500 } });
    const { phoneKey, phone } = await accountWithPhone(node);
    const ws = new WebSocket(node.url, { headers: { 'x-api-key': phoneKey }, autoPong: false });
    onCleanup(async () => ws.terminate());
    ws.on('error', () => {});
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.on('open', () => ws.send(JSON.stringify({ v: 1, type: 'hello', id: 'h' })));
    await vi.waitFor(() => expect(node.transport.reach().has(phone)).toBe(true), WAIT);
    // Two ping intervals (1 s) plus slack for a loaded machine; the assertion is the outcome.
    await vi.waitFor(() => expect(node.transport.reach().has(phone)).toBe(false), WAIT);
    expect(await closed).toBe(1006);
  });

  it('refuses to buffer without bound: notify throws a retryable error past maxBufferedBytes', async () => {
    const node = await gatewayNode({ start: false, transport: { maxBufferedBytes: 65_536 } });
    const { account, phoneKey, phone } = await accountWithPhone(node);
    const ws = new WebSocket(node.url, { headers: { 'x-api-key': phoneKey } });
    onCleanup(async () => ws.terminate());
    ws.on('open', () => ws.send(JSON.stringify({ v: 1, type: 'hello', id: 'h' })));
    await vi.waitFor(() => expect(node.transport.reach().has(phone)).toBe(true), WAIT);
    ws.pause();
    const outcomes: Promise<unknown>[] = [];
    for (let i = 0; i < 2000; i++) {
      // One message each: the same attempt is written once per socket.
      const big = makeMessage({
        accountId: account.id,
        phoneId: phone.id,
        owner: phone.phoneNumber,
        content: 'x'.repeat(16_384),
      });
      outcomes.push(
        node.transport.notify(phone, [big]).then(
          () => 'written',
          (e: unknown) => e,
        ),
      );
    }
    ws.resume();
    const settled = await Promise.all(outcomes);
    const refused = settled.filter((o) => o instanceof TransportError);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((e) => isRetryable(e))).toBe(true);
    expect((refused[0] as Error).message).toMatch(/bytes waiting to be sent/);
    expect(settled[0]).toBe('written');
  });

  it('refuses to notify a phone with no socket on this node', async () => {
    const node = await gatewayNode({ start: false });
    const { phone } = await accountWithPhone(node);
    const error = await node.transport.notify(phone, []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(isRetryable(error)).toBe(true);
    await expect(node.transport.requestHeartbeat(phone)).rejects.toThrow(/no open WebSocket/);
  });
});
