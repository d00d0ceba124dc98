import { describe, expect, it } from 'vitest';
import {
  createGateway,
  createMemoryStore,
  FakeTransport,
  ManualClock,
  silentLogger,
  TransportError,
} from '../../src/index.js';
import { CONTACT, OWNER } from './helpers.js';

const retryable = () => new TransportError('push service unavailable', { retryable: true });

describe('transport retries', () => {
  it('are stored with the message: a restarted gateway goes on counting', async () => {
    const store = createMemoryStore();
    const clock = new ManualClock(Date.UTC(2026, 10, 24, 12, 0, 0));
    const boot = () => {
      const transport = new FakeTransport();
      const gateway = createGateway({
        store,
        clock,
        logger: silentLogger,
        transports: [transport],
        dispatch: { maxTransportRetries: 1 },
      });
      return { gateway, transport };
    };
    const first = boot();
    const { record: account } = await first.gateway.accounts.create();
    await first.gateway.phones.upsert(account.id, { phoneNumber: OWNER });
    const m = await first.gateway.messages.send(account.id, {
      from: OWNER,
      to: CONTACT,
      content: 'x',
    });

    first.transport.failNext(retryable());
    await first.gateway.dispatcher.runOnce();
    expect(await store.getMessage(account.id, m.id)).toMatchObject({
      status: 'scheduled',
      transportAttempts: 1,
      awaitingHandoff: true,
    });

    const second = boot();
    second.transport.failNext(retryable());
    clock.advance(10 * 60_000);
    await second.gateway.dispatcher.runOnce();
    expect(await store.getMessage(account.id, m.id)).toMatchObject({
      status: 'failed',
      failureReason: 'push service unavailable',
    });
    expect(second.transport.handedOff()).toEqual([]);
  });

  it('start afresh with the next send attempt, after an expiry', async () => {
    const store = createMemoryStore();
    const clock = new ManualClock(Date.UTC(2026, 10, 24, 12, 0, 0));
    const transport = new FakeTransport();
    const gateway = createGateway({
      store,
      clock,
      logger: silentLogger,
      transports: [transport],
      dispatch: { maxTransportRetries: 1 },
    });
    const { record: account } = await gateway.accounts.create();
    await gateway.phones.upsert(account.id, { phoneNumber: OWNER, maxSendAttempts: 2 });
    const m = await gateway.messages.send(account.id, { from: OWNER, to: CONTACT, content: 'x' });
    transport.failNext(retryable());
    await gateway.dispatcher.runOnce();
    clock.advance(10 * 60_000);
    await gateway.dispatcher.runOnce();
    expect(transport.handedOff()).toEqual([m.id]);
    expect((await store.getMessage(account.id, m.id))?.awaitingHandoff).toBe(false);
    clock.advance(11 * 60_000);
    await gateway.dispatcher.runOnce();
    expect(await store.getMessage(account.id, m.id)).toMatchObject({
      status: 'expired',
      transportAttempts: 0,
    });
    transport.failNext(retryable());
    await gateway.dispatcher.runOnce();
    expect(await store.getMessage(account.id, m.id)).toMatchObject({
      status: 'scheduled',
      transportAttempts: 1,
    });
  });
});
