import type {
  AnyGatewayEvent,
  GatewayConfig,
  GatewayEvent,
  GatewayEventType,
  Principal,
} from '../../src/index.js';
import { createGateway, FakeTransport, ManualClock, silentLogger } from '../../src/index.js';
import { createMemoryStore, memoryRawReader } from '../../src/store/memory/index.js';

export const OWNER = '+18005550199';
export const CONTACT = '+18005550100';

/** A gateway with a fake transport, a manual clock and one phone; the dispatcher is driven by hand. */
export async function dispatchSetup(
  options: { messagesPerMinute?: number; config?: Partial<GatewayConfig>; start?: number } = {},
) {
  const store = createMemoryStore();
  const clock = new ManualClock(options.start ?? Date.UTC(2026, 10, 24, 12, 0, 0));
  const transport = new FakeTransport();
  const gateway = createGateway({
    store,
    clock,
    logger: silentLogger,
    transports: [transport],
    nodeId: 'node-a',
    ...options.config,
  });
  const { record: account } = await gateway.accounts.create();
  const phone = await gateway.phones.upsert(account.id, {
    phoneNumber: OWNER,
    messagesPerMinute: options.messagesPerMinute ?? 0,
  });
  const events: AnyGatewayEvent[] = [];
  for (const type of [
    'message.send.expired',
    'message.send.failed',
    'phone.heartbeat.offline',
    'phone.heartbeat.online',
  ] as const) {
    gateway.on(type, (e) => void events.push(e as AnyGatewayEvent));
  }
  const user: Principal = { accountId: account.id, kind: 'user', keyId: null, phoneNumbers: null };
  const send = (content = 'hi', extra: { sendAt?: number } = {}) =>
    gateway.messages.send(account.id, { from: OWNER, to: CONTACT, content, ...extra });
  return {
    store,
    raw: memoryRawReader(store),
    clock,
    transport,
    gateway,
    account,
    phone,
    events,
    user,
    send,
  };
}

export function ofType<T extends GatewayEventType>(events: AnyGatewayEvent[], type: T) {
  return events.filter((e) => e.type === type) as unknown as GatewayEvent<T>[];
}
