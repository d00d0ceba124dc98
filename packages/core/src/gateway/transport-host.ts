/**
 * The `TransportHost` a gateway hands its transports on `start()`: wake-ups, the
 * phone API, key authentication, clearing dead push tokens through a unit of work
 * (so `phone.updated` fires), event and key-change subscriptions, the
 * 'transport' signal between nodes, and read-only lookups. Nothing else of the gateway is reachable from a transport.
 */
import { isHandedOff } from '../dispatch/plan.js';
import type { MessageRecord, PhoneRecord } from '../domain/records.js';
import type { PhoneApi, Principal } from '../phone-api.js';
import type { TransportHost, TransportLookups } from '../transport.js';
import type { GatewayContext } from '../uow/context.js';
import { wake } from '../uow/context.js';
import { eachRow } from './pages.js';
import { clearPushToken } from './phones.js';

export interface TransportHostParts {
  wake(): void;
  phoneApi: PhoneApi;
  authenticate(apiKey: string): Promise<Principal | null>;
}

function lookups(ctx: GatewayContext): TransportLookups {
  return {
    async phonesOf(accountId) {
      const phones: PhoneRecord[] = [];
      for await (const phone of eachRow((page) => ctx.store.listPhones({ accountId, ...page }))) {
        phones.push(phone);
      }
      return phones;
    },
    phoneByNumber: (accountId, phoneNumber) => ctx.store.findPhoneByNumber(accountId, phoneNumber),
    async handedOff(phone) {
      const found: MessageRecord[] = [];
      const scheduled = eachRow((page) =>
        ctx.store.searchMessages({
          accountId: phone.accountId,
          owners: [phone.phoneNumber],
          types: ['mobile-terminated'],
          statuses: ['scheduled'],
          ...page,
        }),
      );
      for await (const m of scheduled) if (m.phoneId === phone.id && isHandedOff(m)) found.push(m);
      return found.sort(
        (a, b) =>
          (a.scheduledAt ?? 0) - (b.scheduledAt ?? 0) ||
          a.createdAt - b.createdAt ||
          a.bulkIndex - b.bulkIndex,
      );
    },
    message: (accountId, id) => ctx.store.getMessage(accountId, id),
    hasDueWork: async (phoneIds) =>
      phoneIds.length > 0 && (await ctx.store.nextDueAt(phoneIds)) !== null,
    async phoneKeyNumbers(accountId, keyId) {
      const key = await ctx.store.getApiKey(accountId, keyId);
      if (key?.kind !== 'phone') return null;
      return [...(key.allowedNumbers ?? key.phoneNumbers)];
    },
  };
}

export function createTransportHost(ctx: GatewayContext, parts: TransportHostParts): TransportHost {
  return {
    wake: parts.wake,
    phoneApi: parts.phoneApi,
    authenticate: parts.authenticate,
    clearPushToken: (phoneId, token) => clearPushToken(ctx, phoneId, token),
    subscribe(type, listener) {
      ctx.emitter.on(type, listener as never);
      return () => void ctx.emitter.off(type, listener as never);
    },
    onKeysChanged: (listener) => ctx.notifier.subscribe('keys', listener),
    signal: () => wake(ctx, 'transport'),
    onSignal: (listener) => ctx.notifier.subscribe('transport', listener),
    lookups: lookups(ctx),
    logger: ctx.logger,
    clock: ctx.clock,
  };
}
