import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/index.js';
import {
  createGateway,
  FakeTransport,
  MAX_RETRY_AFTER_MS,
  ManualClock,
  silentLogger,
  TransportError,
} from '../../src/index.js';
import { createMemoryStore, memoryRawReader } from '../../src/store/memory/index.js';
import { dispatchSetup, OWNER, ofType } from './helpers.js';

describe('dispatcher: hand-off', () => {
  it('hands a due message to the transport, counts the attempt and arms its expiry', async () => {
    const t = await dispatchSetup();
    const m = await t.send();
    expect(await t.gateway.dispatcher.runOnce()).toBe(1);
    expect(t.transport.handedOff()).toEqual([m.id]);
    const row = await t.store.getMessage(t.account.id, m.id);
    expect(row).toMatchObject({
      status: 'scheduled',
      sendAttemptCount: 1,
      scheduledAt: t.clock.now(),
    });
    expect(row?.dueAt).toBe(t.clock.now() + 600_000);
    expect((await t.raw.message(m.id))?.leaseOwner).toBeNull();
    expect(await t.gateway.dispatcher.runOnce()).toBe(0);
  });

  it('batches the messages of one phone into one notify call', async () => {
    const t = await dispatchSetup();
    const ids = [(await t.send('a')).id, (await t.send('b')).id, (await t.send('c')).id];
    await t.gateway.dispatcher.runOnce();
    expect(t.transport.handoffs).toEqual([{ phoneId: t.phone.id, messageIds: ids }]);
  });

  it('only claims for phones a transport reaches; a connecting phone gets its backlog', async () => {
    const t = await dispatchSetup();
    t.transport.setConnected('someone-else', true);
    const m = await t.send();
    expect(await t.gateway.dispatcher.runOnce()).toBe(0);
    expect((await t.raw.message(m.id))?.status).toBe('pending');
    t.transport.setConnected(t.phone.id, true);
    await t.gateway.dispatcher.runOnce();
    expect(t.transport.handedOff()).toEqual([m.id]);
  });
  it('claims with the same phone list while the transports reach the same phones, a new one once they change', async () => {
    const inner: Store = createMemoryStore();
    const lists: (readonly string[] | 'all')[] = [];
    const store = new Proxy(inner, {
      get(target, prop) {
        if (prop === 'transaction') {
          return <T>(fn: (tx: Store) => Promise<T>) =>
            target.transaction((tx) =>
              fn(
                new Proxy(tx, {
                  get(t, p) {
                    if (p === 'pickDue') {
                      return (query: Parameters<Store['pickDue']>[0]) => {
                        lists.push(query.phoneIds);
                        return t.pickDue(query);
                      };
                    }
                    const value = t[p as keyof Store];
                    return typeof value === 'function' ? value.bind(t) : value;
                  },
                }),
              ),
            );
        }
        const value = target[prop as keyof Store];
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const t = await dispatchSetup({ config: { store } });
    t.transport.setConnected(t.phone.id, true);
    await t.gateway.dispatcher.runOnce();
    await t.gateway.dispatcher.runOnce();
    expect(lists).toHaveLength(2);
    expect(lists[1]).toBe(lists[0]);
    expect(lists[0]).toEqual([t.phone.id]);
    t.transport.setConnected('another-phone', true);
    await t.gateway.dispatcher.runOnce();
    expect(lists[2]).not.toBe(lists[0]);
    expect(lists[2]).toEqual([t.phone.id, 'another-phone']);
  });
});

describe('dispatcher: rounds', () => {
  it('hands a round across many threads to each phone in claim order', async () => {
    const t = await dispatchSetup();
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const to = `+1312555${String(9000 - i * 7).padStart(4, '0')}`;
      ids.push((await t.gateway.messages.send(t.account.id, { from: OWNER, to, content: 'x' })).id);
    }
    expect(await t.gateway.dispatcher.runOnce()).toBe(40);
    expect(t.transport.handoffs).toEqual([{ phoneId: t.phone.id, messageIds: ids }]);
  });

  it('a failed step hands off nothing its transaction rolled back; the rows return after the lease', async () => {
    const inner = createMemoryStore();
    let failures = 1;
    const failing = (tx: Store) =>
      new Proxy(tx, {
        get(target, prop) {
          // The round reads its threads in one call (the batch) or one by one.
          if (prop === 'findThreads') {
            return (keys: { accountId: string; owner: string; contact: string }[]) => {
              const hit = keys.some((k) => k.contact === '+13125550002');
              if (hit && failures-- > 0) throw new Error('disk on fire');
              return target.findThreads(keys);
            };
          }
          if (prop === 'findThread') {
            return (accountId: string, owner: string, contact: string) => {
              if (contact === '+13125550002' && failures-- > 0) throw new Error('disk on fire');
              return target.findThread(accountId, owner, contact);
            };
          }
          const value = Reflect.get(target, prop);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    let dispatching = false;
    const store = new Proxy(inner, {
      get(target, prop) {
        if (prop === 'transaction') {
          return <T>(fn: (tx: Store) => Promise<T>) =>
            target.transaction((tx) => fn(dispatching ? failing(tx) : tx));
        }
        const value = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const clock = new ManualClock(Date.UTC(2026, 10, 24, 12, 0, 0));
    const transport = new FakeTransport();
    const gateway = createGateway({ store, clock, logger: silentLogger, transports: [transport] });
    const { record: account } = await gateway.accounts.create();
    await gateway.phones.upsert(account.id, { phoneNumber: OWNER, messagesPerMinute: 0 });
    const ids: string[] = [];
    for (const to of ['+13125550001', '+13125550002', '+13125550003']) {
      ids.push((await gateway.messages.send(account.id, { from: OWNER, to, content: 'x' })).id);
    }
    dispatching = true;
    await expect(gateway.dispatcher.runOnce()).rejects.toThrow('disk on fire');
    expect(transport.handedOff()).toEqual([]);
    const raw = memoryRawReader(inner);
    for (const id of ids) expect((await raw.message(id))?.status).toBe('pending');
    clock.advance(30_000);
    expect(await gateway.dispatcher.runOnce()).toBe(3);
    expect(transport.handedOff()).toEqual(ids);
  });
});

describe('dispatcher: pacing and scheduling', () => {
  it('spaces hand-offs by 60 / messages_per_minute seconds from the last one', async () => {
    const t = await dispatchSetup({ messagesPerMinute: 10 });
    const start = t.clock.now();
    const [a, b, c] = [await t.send('a'), await t.send('b'), await t.send('c')];
    await t.gateway.dispatcher.runOnce();
    expect(t.transport.handedOff()).toEqual([a.id]);
    const rows = await t.store.getMessages(t.account.id, [b.id, c.id]);
    const at = Object.fromEntries(rows.map((r) => [r.id, r.scheduledAt]));
    expect(at[b.id]).toBe(start + 6000);
    expect(at[c.id]).toBe(start + 12_000);
    t.clock.advance(5999);
    await t.gateway.dispatcher.runOnce();
    expect(t.transport.handedOff()).toEqual([a.id]);
    t.clock.advance(1);
    await t.gateway.dispatcher.runOnce();
    expect(t.transport.handedOff()).toEqual([a.id, b.id]);
    t.clock.advance(6000);
    await t.gateway.dispatcher.runOnce();
    expect(t.transport.handedOff()).toEqual([a.id, b.id, c.id]);
  });

  it('spreads a bulk send by index, in order', async () => {
    const t = await dispatchSetup({ messagesPerMinute: 20 });
    const start = t.clock.now();
    const to = ['+18005550101', '+18005550102', '+18005550103', '+18005550104'];
    const list = await t.gateway.messages.sendBulk(t.account.id, { from: OWNER, to, content: 'x' });
    await t.gateway.dispatcher.runOnce();
    const rows = await t.store.getMessages(
      t.account.id,
      list.map((m) => m.id),
    );
    const byId = new Map(rows.map((r) => [r.id, r.scheduledAt]));
    expect(list.map((m) => (byId.get(m.id) ?? 0) - start)).toEqual([0, 3000, 6000, 9000]);
  });

  it('honours send_at exactly, without pacing', async () => {
    const t = await dispatchSetup({ messagesPerMinute: 1 });
    await t.send('now');
    await t.gateway.dispatcher.runOnce();
    const at = t.clock.now() + 10_000;
    const later = await t.send('later', { sendAt: at });
    await t.gateway.dispatcher.runOnce();
    expect(t.transport.handedOff()).not.toContain(later.id);
    t.clock.set(at);
    await t.gateway.dispatcher.runOnce();
    expect(t.transport.handedOff()).toContain(later.id);
    expect((await t.store.getMessage(t.account.id, later.id))?.scheduledAt).toBe(at);
  });

  it('moves hand-offs into the phone send window, across a DST change', async () => {
    // Saturday 2026-03-28 12:00 UTC; window Sunday 03:00-04:00 Berlin (the night clocks jump).
    const t = await dispatchSetup({ start: Date.UTC(2026, 2, 28, 12) });
    const schedule = {
      id: crypto.randomUUID(),
      accountId: t.account.id,
      name: 'night',
      timezone: 'Europe/Berlin',
      windows: [{ dayOfWeek: 0, startMinute: 180, endMinute: 240 }],
      createdAt: t.clock.now(),
      updatedAt: t.clock.now(),
    };
    await t.store.insertSendSchedule(schedule);
    await t.gateway.phones.upsert(t.account.id, {
      phoneNumber: OWNER,
      sendScheduleId: schedule.id,
    });
    const m = await t.send();
    await t.gateway.dispatcher.runOnce();
    const row = await t.store.getMessage(t.account.id, m.id);
    expect(row?.status).toBe('scheduled');
    expect(row?.scheduledAt).toBe(Date.UTC(2026, 2, 29, 1));
    t.clock.set(Date.UTC(2026, 2, 29, 1));
    await t.gateway.dispatcher.runOnce();
    expect(t.transport.handedOff()).toEqual([m.id]);
  });
});

describe('dispatcher: expiry and retries', () => {
  it('expires after message_expiration_seconds and retries until max_send_attempts', async () => {
    const t = await dispatchSetup();
    const m = await t.send();
    await t.gateway.dispatcher.runOnce();
    t.clock.advance(599_999);
    await t.gateway.dispatcher.runOnce();
    expect(ofType(t.events, 'message.send.expired')).toHaveLength(0);
    t.clock.advance(1);
    await t.gateway.dispatcher.runOnce();
    const first = ofType(t.events, 'message.send.expired');
    expect(first.map((e) => e.data)).toMatchObject([
      { message_id: m.id, send_attempt_count: 1, is_final: false },
    ]);
    // The retry is handed off on the next round (attempt 2).
    await t.gateway.dispatcher.runOnce();
    expect(t.transport.handedOff()).toEqual([m.id, m.id]);
    expect((await t.store.getMessage(t.account.id, m.id))?.sendAttemptCount).toBe(2);
    t.clock.advance(600_000);
    await t.gateway.dispatcher.runOnce();
    const all = ofType(t.events, 'message.send.expired');
    expect(all[1]?.data).toMatchObject({ send_attempt_count: 2, is_final: true });
    const row = await t.raw.message(m.id);
    expect(row).toMatchObject({ status: 'expired', dueAt: null });
    t.clock.advance(3_600_000);
    expect(await t.gateway.dispatcher.runOnce()).toBe(0);
    expect(t.transport.handedOff()).toHaveLength(2);
  });

  it('a message that reached sent never expires', async () => {
    const t = await dispatchSetup();
    const m = await t.send();
    await t.gateway.dispatcher.runOnce();
    await t.gateway.phoneApi.takeOutstanding(t.user, m.id);
    await t.gateway.phoneApi.reportEvent(t.user, m.id, { event: 'SENT' });
    t.clock.advance(7_200_000);
    await t.gateway.dispatcher.runOnce();
    expect((await t.raw.message(m.id))?.status).toBe('sent');
    expect(ofType(t.events, 'message.send.expired')).toHaveLength(0);
  });

  it('a message the phone took but never reported expires from sending', async () => {
    const t = await dispatchSetup();
    const m = await t.send();
    await t.gateway.dispatcher.runOnce();
    t.clock.advance(1000);
    await t.gateway.phoneApi.takeOutstanding(t.user, m.id);
    t.clock.advance(599_000);
    await t.gateway.dispatcher.runOnce();
    expect((await t.raw.message(m.id))?.status).toBe('expired');
  });

  it('a canceled message is never handed off', async () => {
    const t = await dispatchSetup({ messagesPerMinute: 1 });
    await t.send('first');
    const second = await t.send('second');
    await t.gateway.dispatcher.runOnce();
    await t.gateway.messages.cancel(t.account.id, second.id);
    t.clock.advance(120_000);
    await t.gateway.dispatcher.runOnce();
    expect(t.transport.handedOff()).not.toContain(second.id);
  });
});

describe('dispatcher: transport errors and leases', () => {
  it('retries a retryable transport error with backoff, then hands off', async () => {
    const t = await dispatchSetup({
      config: { dispatch: { retry: { jitter: 0, minDelayMs: 1000 } } },
    });
    t.transport.failNext(new TransportError('503 from push service', { retryable: true }));
    const m = await t.send();
    await t.gateway.dispatcher.runOnce();
    expect(t.transport.handedOff()).toEqual([]);
    const row = await t.store.getMessage(t.account.id, m.id);
    expect(row).toMatchObject({
      status: 'scheduled',
      sendAttemptCount: 0,
      dueAt: t.clock.now() + 1000,
    });
    t.clock.advance(999);
    await t.gateway.dispatcher.runOnce();
    expect(t.transport.handedOff()).toEqual([]);
    t.clock.advance(1);
    await t.gateway.dispatcher.runOnce();
    expect(t.transport.handedOff()).toEqual([m.id]);
    expect((await t.store.getMessage(t.account.id, m.id))?.sendAttemptCount).toBe(1);
    await t.gateway.phoneApi.takeOutstanding(t.user, m.id);
    await t.gateway.phoneApi.reportEvent(t.user, m.id, { event: 'SENT' });
    expect(await t.store.getMessage(t.account.id, m.id)).toMatchObject({
      status: 'sent',
      failureReason: null,
    });
  });

  it('honours Retry-After when it is longer than the backoff', async () => {
    const t = await dispatchSetup();
    t.transport.failNext(new TransportError('429', { retryable: true, retryAfterMs: 60_000 }));
    const m = await t.send();
    await t.gateway.dispatcher.runOnce();
    expect((await t.store.getMessage(t.account.id, m.id))?.dueAt).toBe(t.clock.now() + 60_000);
  });

  it('caps a Retry-After at an hour: a transport cannot park a message for longer', async () => {
    const t = await dispatchSetup();
    const year = 365 * 24 * 3_600_000;
    t.transport.failNext(new TransportError('429', { retryable: true, retryAfterMs: year }));
    const m = await t.send();
    await t.gateway.dispatcher.runOnce();
    expect((await t.store.getMessage(t.account.id, m.id))?.dueAt).toBe(
      t.clock.now() + MAX_RETRY_AFTER_MS,
    );
  });

  it('a permanent transport error fails the message with a clear reason', async () => {
    const t = await dispatchSetup();
    t.transport.failNext(
      new TransportError('the FCM token is not registered', { retryable: false }),
    );
    const m = await t.send();
    await t.gateway.dispatcher.runOnce();
    const row = await t.store.getMessage(t.account.id, m.id);
    expect(row).toMatchObject({
      status: 'failed',
      failureReason: 'the FCM token is not registered',
    });
    expect(ofType(t.events, 'message.send.failed')[0]?.data.error_message).toBe(
      'the FCM token is not registered',
    );
  });

  it('with maxTransportRetries = 2, fails on exactly the third retryable error, with its reason', async () => {
    const t = await dispatchSetup({
      config: { dispatch: { maxTransportRetries: 2, retry: { jitter: 0, minDelayMs: 1000 } } },
    });
    const boom = (n: number) => new TransportError(`timeout ${n}`, { retryable: true });
    t.transport.failNext(boom(1), boom(2), boom(3));
    const m = await t.send();
    // Two retryable errors are retried (1 s, then 2 s later): the message stays scheduled.
    for (const [attempt, delay] of [
      [1, 1000],
      [2, 2000],
    ] as const) {
      await t.gateway.dispatcher.runOnce();
      expect(await t.store.getMessage(t.account.id, m.id)).toMatchObject({
        status: 'scheduled',
        transportAttempts: attempt,
        dueAt: t.clock.now() + delay,
        failureReason: null,
      });
      expect(ofType(t.events, 'message.send.failed')).toHaveLength(0);
      t.clock.advance(delay);
    }
    // The third fails it, with the transport's reason.
    await t.gateway.dispatcher.runOnce();
    expect(await t.store.getMessage(t.account.id, m.id)).toMatchObject({
      status: 'failed',
      failureReason: 'timeout 3',
      dueAt: null,
    });
    expect(ofType(t.events, 'message.send.failed').map((e) => e.data.error_message)).toEqual([
      'timeout 3',
    ]);
    expect(t.transport.handedOff()).toEqual([]);
  });

  it('with maxTransportRetries = 2, two retryable errors then success: the message is sent', async () => {
    const t = await dispatchSetup({
      config: { dispatch: { maxTransportRetries: 2, retry: { jitter: 0, minDelayMs: 1000 } } },
    });
    const boom = () => new TransportError('timeout', { retryable: true });
    t.transport.failNext(boom(), boom());
    const m = await t.send();
    await t.gateway.dispatcher.runOnce();
    t.clock.advance(1000);
    await t.gateway.dispatcher.runOnce();
    t.clock.advance(2000);
    await t.gateway.dispatcher.runOnce();
    expect(t.transport.handedOff()).toEqual([m.id]);
    await t.gateway.phoneApi.takeOutstanding(t.user, m.id);
    await t.gateway.phoneApi.reportEvent(t.user, m.id, { event: 'SENT' });
    expect(await t.store.getMessage(t.account.id, m.id)).toMatchObject({
      status: 'sent',
      sendAttemptCount: 1,
      failureReason: null,
    });
    expect(ofType(t.events, 'message.send.failed')).toHaveLength(0);
  });

  it('a claim left by a crashed dispatcher comes back after its lease', async () => {
    const t = await dispatchSetup();
    const m = await t.send();
    const stolen = await t.store.claimDue({
      now: t.clock.now(),
      phoneIds: 'all',
      limit: 10,
      leaseMs: 30_000,
      claimer: 'crashed-node',
    });
    expect(stolen.map((r) => r.id)).toEqual([m.id]);
    expect(await t.gateway.dispatcher.runOnce()).toBe(0);
    t.clock.advance(30_000);
    await t.gateway.dispatcher.runOnce();
    expect(t.transport.handedOff()).toEqual([m.id]);
    expect((await t.raw.message(m.id))?.leaseOwner).toBeNull();
  });
});
