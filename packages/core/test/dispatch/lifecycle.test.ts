import { describe, expect, it, vi } from 'vitest';
import { createGateway, FakeTransport, silentLogger } from '../../src/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';

const OWNER = '+18005550199';

describe('gateway.start / stop', () => {
  it('hands off at once on send, resumes due work after a restart, and stops gracefully', async () => {
    const store = createMemoryStore();
    const make = () => {
      const transport = new FakeTransport();
      const gateway = createGateway({ store, logger: silentLogger, transports: [transport] });
      return { transport, gateway };
    };
    const first = make();
    const { record: account } = await first.gateway.accounts.create();
    await first.gateway.phones.upsert(account.id, { phoneNumber: OWNER, messagesPerMinute: 0 });
    await first.gateway.start();
    const m1 = await first.gateway.messages.send(account.id, {
      from: OWNER,
      to: '+18005550100',
      content: 'a',
    });
    await vi.waitFor(() => expect(first.transport.handedOff()).toEqual([m1.id]));
    await first.gateway.stop();

    // Stored while no dispatcher runs: a restarted gateway sends it promptly.
    const m2 = await first.gateway.messages.send(account.id, {
      from: OWNER,
      to: '+18005550100',
      content: 'b',
    });
    expect(first.transport.handedOff()).toEqual([m1.id]);
    const second = make();
    await second.gateway.start();
    await vi.waitFor(() => expect(second.transport.handedOff()).toEqual([m2.id]));
    await second.gateway.stop();
    await second.gateway.stop();
    expect((await store.getMessage(account.id, m2.id))?.leaseOwner).toBeNull();
  });
});
