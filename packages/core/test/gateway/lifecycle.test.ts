/** `gateway.start()` and `stop()`: what readiness sees, and a start that fails part way. */
import { describe, expect, it } from 'vitest';
import { createGateway, FakeTransport, silentLogger } from '../../src/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';

describe('gateway lifecycle', () => {
  it('stops the transports already started when one fails to start, and can start again', async () => {
    const first = new FakeTransport({ name: 'first', phones: [] });
    const second = new FakeTransport({ name: 'second', phones: [] });
    const stopped: string[] = [];
    const stop = first.stop.bind(first);
    first.stop = async () => {
      stopped.push(first.name);
      await stop();
    };
    const start = second.start.bind(second);
    second.start = async () => Promise.reject(new Error('no modem'));
    const gateway = createGateway({
      store: createMemoryStore(),
      logger: silentLogger,
      transports: [first, second],
    });
    await expect(gateway.start()).rejects.toThrow('no modem');
    expect(stopped).toEqual(['first']);
    expect((await gateway.readiness()).checks.transports).toMatchObject({
      status: 'fail',
      observedValue: 0,
      description: 'the gateway is not started (gateway.start())',
    });

    second.start = start;
    await gateway.start();
    expect((await gateway.readiness()).checks.transports).toMatchObject({
      status: 'pass',
      observedValue: 2,
    });
    await gateway.stop();
    expect(stopped).toEqual(['first', 'first']);
    expect((await gateway.readiness()).checks.transports?.status).toBe('fail');
  });
});
