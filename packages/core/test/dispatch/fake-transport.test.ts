import { createGateway, createMemoryStore, FakeTransport, silentLogger } from '../../src/index.js';
import { runTransportConformance } from '../../src/testing/index.js';

runTransportConformance({
  name: 'fake',
  unreachableRetryable: true,
  async createHarness() {
    const transport = new FakeTransport({ phones: [] });
    const gateway = createGateway({ store: createMemoryStore(), logger: silentLogger });
    return {
      transport,
      host: gateway.transportHost,
      async connect(phone) {
        transport.setConnected(phone.id, true);
        return phone;
      },
      async disconnect(phone) {
        transport.setConnected(phone.id, false);
        return phone;
      },
      async received(phone) {
        return transport.handoffs
          .filter((h) => h.phoneId === phone.id)
          .flatMap((h) => h.messageIds);
      },
      async heartbeatRequests(phone) {
        return transport.heartbeatRequests.filter((id) => id === phone.id).length;
      },
      async canceled() {
        return [...transport.cancels];
      },
    };
  },
});
