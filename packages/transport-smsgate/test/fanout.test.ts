/**
 * Device events across nodes in one process: two gateways on one memory store,
 * one SMSGate store, with a shared in-process notifier (or none between them, so
 * only the poll carries events); and the event log reader on its own.
 */

import type { Notifier, Store } from '@textport/core';
import {
  createGateway,
  createLocalNotifier,
  createMemoryStore,
  silentLogger,
} from '@textport/core';
import { WAIT } from '@textport/core/testing';
import { describe, expect, it, vi } from 'vitest';
import type { SmsGateStore } from '../src/index.js';
import { memoryStore } from '../src/index.js';
import { EVENT_RETENTION_MS, EventFanout, GAP_WAIT_MS } from '../src/sse/fanout.js';
import type { FakeSmsGateApp } from './app.js';
import { accountWithKey, fakeApp, OWNER, type SmsGateNode, smsgateNode } from './helpers.js';

async function nodes(options: { sharedNotifier: boolean; eventPollMs: number }) {
  const store: Store = createMemoryStore();
  const smsgate = memoryStore();
  const shared = createLocalNotifier();
  const node = (notifier: Notifier) =>
    smsgateNode({
      store,
      gateway: { notifier },
      transport: { store: smsgate, eventPollMs: options.eventPollMs },
    });
  const a = await node(options.sharedNotifier ? shared : createLocalNotifier());
  const b = await node(options.sharedNotifier ? shared : createLocalNotifier());
  const { account, phoneKey } = await accountWithKey(a);
  await a.gateway.phones.upsert(account.id, { phoneNumber: OWNER, messagesPerMinute: 0 });
  const connect = async (n: SmsGateNode) => {
    const app = fakeApp(n);
    expect(await app.register(phoneKey)).toBe(201);
    expect(await app.connect()).toBe(200);
    await app.idle();
    return app;
  };
  return { a, b, smsgate, account, appA: await connect(a), appB: await connect(b) };
}

const count = (app: FakeSmsGateApp, name: string, key?: string) =>
  app.events.filter((e) => e.name === name && (key === undefined || e.data?.key === key)).length;

describe('device events on two nodes of one process', () => {
  it('reach the streams of both nodes, each exactly once, whichever node told them', async () => {
    const { a, b, smsgate, account, appA, appB } = await nodes({
      sharedNotifier: true,
      eventPollMs: 20,
    });
    const idA = appA.deviceId ?? '';
    const idB = appB.deviceId ?? '';
    expect(a.transport.tell(account.id, null, 'SettingsUpdated')).toBe(1);
    expect(b.transport.tell(account.id, idA, 'WebhooksUpdated')).toBe(0);
    expect(a.transport.tell(account.id, idB, 'MessagesExportRequested', { key: 'x' })).toBe(0);
    await vi.waitFor(async () => expect(await smsgate.lastEventSeq()).toBe(3), WAIT);
    // Several reads on both nodes, by signal, poll and by hand: none writes an event again.
    for (const n of [a, b, a, b]) await n.transport.syncEvents();
    // A marker told from each node: what either node wrote before it is on the wire first.
    a.transport.tell(account.id, null, 'MessagesExportRequested', { key: 'end-a' });
    b.transport.tell(account.id, null, 'MessagesExportRequested', { key: 'end-b' });
    for (const app of [appA, appB]) {
      await vi.waitFor(() => {
        expect(count(app, 'MessagesExportRequested', 'end-a')).toBe(1);
        expect(count(app, 'MessagesExportRequested', 'end-b')).toBe(1);
      }, WAIT);
    }
    for (const n of [a, b, a, b]) await n.transport.syncEvents();
    expect(count(appA, 'SettingsUpdated')).toBe(1);
    expect(count(appB, 'SettingsUpdated')).toBe(1);
    expect(count(appA, 'WebhooksUpdated')).toBe(1);
    expect(count(appB, 'WebhooksUpdated')).toBe(0);
    expect(count(appB, 'MessagesExportRequested', 'x')).toBe(1);
    expect(count(appA, 'MessagesExportRequested', 'x')).toBe(0);
    expect(count(appA, 'MessagesExportRequested')).toBe(2);
    expect(count(appB, 'MessagesExportRequested')).toBe(3);
  });

  it('reach the other node by its poll when no signal gets there, and a deletion closes the stream', async () => {
    const { a, b, account, appA, appB } = await nodes({ sharedNotifier: false, eventPollMs: 20 });
    a.transport.tell(account.id, appB.deviceId, 'WebhooksUpdated');
    await vi.waitFor(() => expect(count(appB, 'WebhooksUpdated')).toBe(1), WAIT);
    expect(b.transport.stats().streams).toBe(1);
    await a.transport.store.deleteDevice(account.id, appB.deviceId ?? '');
    a.transport.disconnect(appB.deviceId ?? '', account.id);
    await vi.waitFor(() => expect(b.transport.stats().streams).toBe(0), WAIT);
    expect(a.transport.stats().streams).toBe(1);
    expect(count(appA, 'WebhooksUpdated')).toBe(0);
  });
});

describe('the event log reader', () => {
  async function reader(store: SmsGateStore) {
    let now = Date.UTC(2026, 11, 1);
    const gateway = createGateway({ store: createMemoryStore(), logger: silentLogger });
    const host = { ...gateway.transportHost, clock: { now: () => now } };
    const delivered: number[] = [];
    const fanout = new EventFanout({
      store,
      pollMs: 3_600_000,
      deliver: (e) => void delivered.push(Number(e.data?.n)),
    });
    await fanout.start(host);
    const append = (n: number) =>
      store.appendEvent({
        accountId: 'acc',
        deviceId: null,
        name: 'SettingsUpdated',
        data: { n: String(n) },
        createdAt: now,
      });
    return {
      fanout,
      delivered,
      append,
      advance: (ms: number) => {
        now += ms;
      },
    };
  }

  it('delivers an event that shows up after later ones, and passes a gap that stays after a while', async () => {
    const base = memoryStore();
    const hidden = new Set<number>();
    // An insert not yet committed (Postgres numbers at insert): not visible yet.
    const store: SmsGateStore = {
      ...base,
      eventsAfter: async (seq, limit) =>
        (await base.eventsAfter(seq, limit)).filter((e) => !hidden.has(e.seq)),
    };
    const r = await reader(store);
    await r.append(1);
    hidden.add(await r.append(2));
    await r.append(3);
    await r.fanout.read();
    expect(r.delivered).toEqual([1, 3]);
    hidden.clear();
    await r.fanout.read();
    await r.fanout.read();
    expect(r.delivered).toEqual([1, 3, 2]);
    // A number that never shows up (a rolled-back insert) is passed after GAP_WAIT_MS.
    hidden.add(await r.append(4));
    await r.append(5);
    await r.fanout.read();
    r.advance(GAP_WAIT_MS - 1);
    await r.fanout.read();
    await r.append(6);
    r.advance(1);
    await r.fanout.read();
    hidden.clear();
    await r.fanout.read();
    expect(r.delivered).toEqual([1, 3, 2, 5, 6]);
  });

  it('skips the events it logged itself, even read back before the append answered; purges old events now and then', async () => {
    const base = memoryStore();
    let release: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The row is in the log at once; the append answers (with its number) later.
    const store: SmsGateStore = {
      ...base,
      appendEvent: async (e) => {
        const seq = await base.appendEvent(e);
        await answered;
        return seq;
      },
    };
    const r = await reader(store);
    r.fanout.publish({
      accountId: 'acc',
      deviceId: null,
      name: 'SettingsUpdated',
      data: { n: '1' },
    });
    await base.appendEvent({
      accountId: 'acc',
      deviceId: null,
      name: 'SettingsUpdated',
      data: { n: '2' },
      createdAt: Date.UTC(2026, 11, 1),
    });
    const reading = r.fanout.read();
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await reading;
    await r.fanout.read();
    expect(r.delivered).toEqual([2]);
    r.advance(EVENT_RETENTION_MS + 1);
    await r.fanout.read();
    expect(await base.eventsAfter(0, 10)).toEqual([]);
    expect(await base.lastEventSeq()).toBe(2);
    r.fanout.stop();
  });
});
