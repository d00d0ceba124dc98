import { afterEach, describe, expect, it } from 'vitest';
import type { OperationEventData, OperationEventType } from '../../src/index.js';
import { createGateway, ManualClock, silentLogger, TransportError } from '../../src/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { makeWebhook } from '../../src/testing/fixtures.js';
import { dispatchSetup } from '../dispatch/helpers.js';
import { startReceiver } from '../webhooks/receiver.js';

type Seen = {
  [T in OperationEventType]: { type: T; data: OperationEventData[T] };
}[OperationEventType];

const TYPES: readonly OperationEventType[] = [
  'dispatch.handoff',
  'dispatch.round',
  'message.status',
  'webhook.attempt',
  'store.error',
];

function record(gateway: { operations: { on: (t: never, l: never) => unknown } }) {
  const seen: Seen[] = [];
  for (const type of TYPES) {
    gateway.operations.on(
      type as never,
      ((data: never) => seen.push({ type, data } as Seen)) as never,
    );
  }
  const of = <T extends OperationEventType>(type: T) =>
    seen.filter((s) => s.type === type).map((s) => s.data as OperationEventData[T]);
  return { seen, of };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('operational events', () => {
  it('a send → hand-off → sent → delivered cycle reports each step', async () => {
    const t = await dispatchSetup();
    const ops = record(t.gateway);
    const m = await t.send();
    t.clock.advance(250);
    expect(await t.gateway.dispatcher.runOnce()).toBe(1);
    await t.gateway.phoneApi.takeOutstanding(t.user, m.id);
    t.clock.advance(1000);
    await t.gateway.phoneApi.reportEvent(t.user, m.id, { event: 'SENT' });
    t.clock.advance(2000);
    await t.gateway.phoneApi.reportEvent(t.user, m.id, { event: 'DELIVERED' });

    expect(ops.of('message.status').map((s) => [s.from, s.to, s.sinceRequestMs])).toEqual([
      [null, 'pending', null],
      ['pending', 'scheduled', null],
      [null, 'sending', null],
      ['sending', 'sent', 1250],
      ['sent', 'delivered', 3250],
    ]);
    expect(ops.of('message.status').every((s) => s.messageId === m.id)).toBe(true);
    expect(ops.of('dispatch.handoff')).toEqual([
      {
        accountId: t.account.id,
        messageId: m.id,
        owner: m.owner,
        transport: 'fake',
        sinceRequestMs: 250,
        ok: true,
        retryable: false,
        error: null,
      },
    ]);
    expect(ops.of('dispatch.round')).toEqual([{ claimed: 1, durationMs: 0 }]);
    expect(ops.of('store.error')).toEqual([]);
  });

  it('a failed hand-off says whether it is retried', async () => {
    const t = await dispatchSetup({ config: { dispatch: { maxTransportRetries: 1 } } });
    const ops = record(t.gateway);
    const down = () => new TransportError('down', { retryable: true });
    t.transport.failNext(down(), down());
    await t.send();
    await t.gateway.dispatcher.runOnce();
    t.clock.advance(3_600_000);
    await t.gateway.dispatcher.runOnce();
    expect(ops.of('dispatch.handoff').map((h) => [h.ok, h.retryable])).toEqual([
      [false, true],
      [false, false],
    ]);
    expect(ops.of('message.status').at(-1)).toMatchObject({ from: 'scheduled', to: 'failed' });
  });

  it('a failing webhook reports retry, then gave_up', async () => {
    const receiver = await startReceiver([{ status: 503 }, { status: 500 }]);
    closers.push(receiver.close);
    const store = createMemoryStore();
    const clock = new ManualClock(Date.now());
    const gateway = createGateway({
      store,
      clock,
      logger: silentLogger,
      webhooks: { maxAttempts: 2 },
    });
    const ops = record(gateway);
    const { record: account } = await gateway.accounts.create();
    await gateway.phones.upsert(account.id, { phoneNumber: '+18005550199' });
    const hook = makeWebhook({
      accountId: account.id,
      url: receiver.url,
      events: ['message.phone.received'],
      phoneNumbers: ['+18005550199'],
    });
    await store.insertWebhook(hook);
    const user = { accountId: account.id, kind: 'user' as const, keyId: null, phoneNumbers: null };
    await gateway.phoneApi.receive(user, {
      from: '+18005550100',
      to: '+18005550199',
      content: 'hello',
      sim: 'SIM1',
      timestamp: new Date(clock.now()).toISOString(),
    });
    expect(await gateway.webhookWorker.runOnce()).toBe(1);
    clock.advance(3_600_000);
    expect(await gateway.webhookWorker.runOnce()).toBe(1);
    const attempts = ops.of('webhook.attempt');
    expect(attempts.map((a) => [a.outcome, a.httpStatus, a.webhookId, a.eventType])).toEqual([
      ['retry', 503, hook.id, 'message.phone.received'],
      ['gave_up', 500, hook.id, 'message.phone.received'],
    ]);
    expect(attempts[0]?.error).toContain('503');
  });

  it('a listener that throws does not reach the engine', async () => {
    const t = await dispatchSetup();
    t.gateway.operations.on('message.status', () => {
      throw new Error('listener bug');
    });
    const m = await t.send();
    expect(await t.gateway.dispatcher.runOnce()).toBe(1);
    expect((await t.gateway.messages.get(t.account.id, m.id)).status).toBe('scheduled');
  });

  it('a failing dispatch round is reported as a store error', async () => {
    const t = await dispatchSetup();
    const ops = record(t.gateway);
    const failing = new Error('database is gone');
    // A round picks its rows in a transaction of the store.
    t.store.transaction = () => Promise.reject(failing);
    await t.gateway.start();
    await expect
      .poll(() => ops.of('store.error'), { timeout: 5000 })
      .toContainEqual({
        operation: 'dispatch.round',
        error: failing,
      });
    await t.gateway.stop();
  });
});
