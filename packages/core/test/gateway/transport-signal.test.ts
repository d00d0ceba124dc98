import { describe, expect, it } from 'vitest';
import {
  createGateway,
  createLocalNotifier,
  createMemoryStore,
  type Notifier,
  silentLogger,
} from '../../src/index.js';

describe('the transport host signal', () => {
  it("reaches every onSignal listener through the gateway's notifier, and no one after unsubscribing", async () => {
    const notifier = createLocalNotifier();
    const published: string[] = [];
    const watched: Notifier = {
      publish: (topic) => {
        published.push(topic);
        return notifier.publish(topic);
      },
      subscribe: (topic, listener) => notifier.subscribe(topic, listener),
    };
    const gateway = createGateway({
      store: createMemoryStore(),
      notifier: watched,
      logger: silentLogger,
    });
    const host = gateway.transportHost;
    const heard: string[] = [];
    const offA = host.onSignal(() => heard.push('a'));
    host.onSignal(() => heard.push('b'));
    let keys = 0;
    host.onKeysChanged(() => keys++);
    host.signal();
    await Promise.resolve();
    expect(published).toEqual(['transport']);
    expect(heard.sort()).toEqual(['a', 'b']);
    offA();
    host.signal();
    await Promise.resolve();
    expect(heard.sort()).toEqual(['a', 'b', 'b']);
    expect(keys).toBe(0);
    // A listener of another node's notifier hears the topic too.
    let direct = 0;
    notifier.subscribe('transport', () => direct++);
    await notifier.publish('transport');
    expect(direct).toBe(1);
  });

  it('logs a signal the notifier could not publish instead of throwing', async () => {
    const records: unknown[] = [];
    const logger = { ...silentLogger, warn: (obj: unknown) => void records.push(obj) };
    const failing: Notifier = {
      publish: () => Promise.reject(new Error('notifier down')),
      subscribe: () => () => undefined,
    };
    const gateway = createGateway({ store: createMemoryStore(), notifier: failing, logger });
    expect(() => gateway.transportHost.signal()).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(records).toEqual([expect.objectContaining({ topic: 'transport' })]);
  });
});
