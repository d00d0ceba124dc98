import type {
  AnyGatewayEvent,
  GatewayConfig,
  GatewayEvent,
  GatewayEventType,
  Principal,
  Transport,
} from '../../src/index.js';
import { createGateway, ManualClock, silentLogger } from '../../src/index.js';
import { createMemoryStore, memoryRawReader } from '../../src/store/memory/index.js';

export const OWNER = '+18005550199';
export const CONTACT = '+18005550100';

/** A gateway on a fresh memory store with a manual clock, one account and one phone. */
export async function setup(
  options: {
    logger?: typeof silentLogger;
    transports?: Transport[];
    /** More gateway configuration (opt-outs, failure retries, quota). */
    config?: Partial<GatewayConfig>;
  } = {},
) {
  const store = createMemoryStore();
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 12, 0, 0));
  const gateway = createGateway({
    store,
    clock,
    logger: options.logger ?? silentLogger,
    transports: options.transports ?? [],
    ...options.config,
  });
  const { record: account, apiKey } = await gateway.accounts.create({ email: 'ops@example.com' });
  const phone = await gateway.phones.upsert(account.id, { phoneNumber: OWNER });
  const events: AnyGatewayEvent[] = [];
  const types: GatewayEventType[] = [
    'message.api.sent',
    'message.api.canceled',
    'message.api.deleted',
    'message.phone.sending',
    'message.phone.sent',
    'message.phone.delivered',
    'message.send.failed',
    'message.phone.received',
    'message.call.missed',
    'phone.updated',
    'phone.deleted',
    'phone.heartbeat.online',
    'message-thread.api.deleted',
    'contact.opted_out',
    'contact.opted_in',
  ];
  for (const type of types) gateway.on(type, (e) => void events.push(e as AnyGatewayEvent));
  const user: Principal = { accountId: account.id, kind: 'user', keyId: null, phoneNumbers: null };
  return {
    store,
    raw: memoryRawReader(store),
    clock,
    gateway,
    account,
    apiKey,
    phone,
    events,
    user,
  };
}

export type Setup = Awaited<ReturnType<typeof setup>>;

export function ofType<T extends GatewayEventType>(
  events: AnyGatewayEvent[],
  type: T,
): GatewayEvent<T>[] {
  return events.filter((e) => e.type === type) as unknown as GatewayEvent<T>[];
}
