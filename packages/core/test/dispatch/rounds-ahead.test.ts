/**
 * The dispatcher's loop takes the next rounds while it works the round in hand
 * (`dispatch.roundsAhead`): rounds are still handed off in claim order, and a round
 * taken ahead is handed off even when the gateway stops meanwhile.
 */
import { describe, expect, it } from 'vitest';
import type { MessageRecord, Store, Transport } from '../../src/index.js';
import { createGateway, handedOffAll, ManualClock, silentLogger } from '../../src/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';

const OWNER = '+18005550199';

/**
 * The store, counting the rounds taken (`pickDue` calls inside transactions);
 * `skipLocked` overrides what it declares.
 */
function countingStore(skipLocked?: boolean): { store: Store; picks: () => number } {
  const store = createMemoryStore();
  const capabilities =
    skipLocked === undefined ? store.capabilities : { ...store.capabilities, skipLocked };
  let picks = 0;
  const counted = (tx: Store): Store =>
    new Proxy(tx, {
      get(target, prop) {
        if (prop === 'pickDue') {
          return (query: Parameters<Store['pickDue']>[0]) => {
            picks += 1;
            return target.pickDue(query);
          };
        }
        const value = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  const wrapped = new Proxy(store, {
    get(target, prop) {
      if (prop === 'transaction') {
        return <T>(fn: (tx: Store) => Promise<T>) => target.transaction((tx) => fn(counted(tx)));
      }
      if (prop === 'capabilities') return capabilities;
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: wrapped, picks: () => picks };
}

/** A transport that records hand-offs; `gate` (when set) holds each notify until it resolves. */
function recordingTransport() {
  const handed: string[] = [];
  const state: { gate?: Promise<void> } = {};
  const transport: Transport = {
    name: 'recording',
    async start() {},
    async stop() {},
    reach: () => ({ phoneIds: 'any', has: () => true }),
    async notify(_phone, messages: readonly MessageRecord[]) {
      await state.gate;
      for (const m of messages) handed.push(m.id);
      return handedOffAll(messages);
    },
    async requestHeartbeat() {},
  };
  return { transport, handed, state };
}

async function setup(roundsAhead: number | undefined, count: number, skipLocked?: boolean) {
  const { store, picks } = countingStore(skipLocked);
  const clock = new ManualClock(Date.UTC(2026, 11, 7, 12));
  const rec = recordingTransport();
  const gateway = createGateway({
    store,
    clock,
    logger: silentLogger,
    transports: [rec.transport],
    nodeId: 'node-a',
    dispatch: { batchSize: 10, ...(roundsAhead === undefined ? {} : { roundsAhead }) },
  });
  const { record: account } = await gateway.accounts.create();
  await gateway.phones.upsert(account.id, { phoneNumber: OWNER, messagesPerMinute: 0 });
  const to = Array.from({ length: count }, (_, i) => `+1312555${String(i).padStart(4, '0')}`);
  const sent = await gateway.messages.sendBulk(account.id, { from: OWNER, to, content: 'x' });
  return { gateway, store, picks, rec, ids: sent.map((m) => m.id), account };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}

describe('dispatcher: rounds taken ahead', () => {
  it('takes the next rounds while one is handed off, and hands off in claim order', async () => {
    for (const roundsAhead of [0, 2]) {
      const t = await setup(roundsAhead, 95);
      let release = () => {};
      t.rec.state.gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      await t.gateway.start();
      // While the first round is with the phone, the next rounds are taken (or not).
      await until(() => t.picks() === 1 + roundsAhead && t.rec.handed.length === 0);
      await new Promise((r) => setTimeout(r, 50));
      expect(t.picks()).toBe(1 + roundsAhead);
      release();
      await until(() => t.rec.handed.length === 95);
      await t.gateway.stop();
      expect(t.rec.handed).toEqual(t.ids);
    }
  });

  it('takes 2 rounds ahead by default where claims skip locked rows, none where they do not', async () => {
    for (const [skipLocked, ahead] of [
      [true, 2],
      [false, 0],
    ] as const) {
      const t = await setup(undefined, 95, skipLocked);
      let release = () => {};
      t.rec.state.gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      await t.gateway.start();
      await until(() => t.picks() === 1 + ahead);
      await new Promise((r) => setTimeout(r, 50));
      expect(t.picks()).toBe(1 + ahead);
      release();
      await until(() => t.rec.handed.length === 95);
      await t.gateway.stop();
    }
  });

  it('hands off the rounds taken ahead when the gateway stops meanwhile', async () => {
    const t = await setup(2, 30);
    let release = () => {};
    t.rec.state.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    await t.gateway.start();
    // The first round is with the phone; the next two are taken meanwhile.
    await until(() => t.picks() === 3);
    const stopped = t.gateway.stop();
    release();
    await stopped;
    expect(t.rec.handed).toEqual(t.ids);
    for (const id of t.ids) {
      expect(await t.store.getMessage(t.account.id, id)).toMatchObject({
        status: 'scheduled',
        sendAttemptCount: 1,
      });
    }
  });
});
