import { describe, expect, it } from 'vitest';
import { createGateway, FakeTransport, ManualClock, silentLogger } from '../../src/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';

describe('two dispatchers on one store', () => {
  it('hand off 5,000 messages, each exactly once', async () => {
    const store = createMemoryStore();
    const clock = new ManualClock(Date.UTC(2026, 10, 24, 12));
    const nodes = ['node-a', 'node-b'].map((nodeId) => {
      const transport = new FakeTransport();
      const gateway = createGateway({
        store,
        clock,
        logger: silentLogger,
        transports: [transport],
        nodeId,
        dispatch: { batchSize: 50 },
      });
      return { transport, gateway };
    });
    const [a] = nodes;
    if (!a) throw new Error('no node');
    const { record: account } = await a.gateway.accounts.create();
    const senders = [
      '+18005550101',
      '+18005550102',
      '+18005550103',
      '+18005550104',
      '+18005550105',
    ];
    for (const phoneNumber of senders) {
      await a.gateway.phones.upsert(account.id, { phoneNumber, messagesPerMinute: 0 });
    }
    const sent: string[] = [];
    for (const from of senders) {
      const to = Array.from({ length: 1000 }, (_, i) => `+1202555${String(i).padStart(4, '0')}`);
      const list = await a.gateway.messages.sendBulk(account.id, { from, to, content: 'hi' });
      sent.push(...list.map((m) => m.id));
    }
    const drain = async (node: (typeof nodes)[number]) => {
      while ((await node.gateway.dispatcher.runOnce()) > 0) {
        // keep claiming until nothing is due
      }
    };
    await Promise.all(nodes.map(drain));
    const handed = nodes.flatMap((n) => n.transport.handedOff());
    expect(handed).toHaveLength(5000);
    expect(new Set(handed)).toEqual(new Set(sent));
    expect(nodes.every((n) => n.transport.handedOff().length > 0)).toBe(true);
  });
});
