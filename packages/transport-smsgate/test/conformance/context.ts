/** What each conformance group gets, and the records it builds its cases from. */
import {
  createGateway,
  type Gateway,
  type MessageRecord,
  type Store,
  silentLogger,
} from '@textport/core';
import { hashToken, newId, newSecret } from '../../src/ids.js';
import type { DeviceRecord, GroupRecord, SmsGateStore } from '../../src/store/types.js';

/** What an implementation hands to `runSmsGateStoreConformance`. */
export interface SmsGateStoreHarness {
  store: SmsGateStore;
  /** textport's store the group's messages go to (the gateway of the suite writes there). */
  coreStore: Store;
  /**
   * Whether `acceptGroup` hands `send` a store bound to its own transaction, so a
   * failure rolls the textport messages back too (SQL stores); the memory store
   * passes none.
   */
  transactional: boolean;
  close(): Promise<void>;
}

export interface ConformanceContext {
  readonly store: SmsGateStore;
  readonly coreStore: Store;
  readonly gateway: Gateway;
  readonly transactional: boolean;
}

export type Group = (ctx: ConformanceContext) => void;

/** The number the accounts' phone sends from, and numbers it sends to. */
export const OWNER = '+18005550199';
export const CONTACTS = ['+18005550100', '+18005550101', '+18005550102'] as const;

/** A fresh account with a phone for `OWNER`: every case isolates itself with one. */
export async function newAccount(ctx: ConformanceContext): Promise<string> {
  const { record } = await ctx.gateway.accounts.create();
  await ctx.gateway.phones.upsert(record.id, { phoneNumber: OWNER, messagesPerMinute: 0 });
  return record.id;
}

export function gatewayOn(store: Store): Gateway {
  return createGateway({ store, logger: silentLogger });
}

/** A `send` that queues one textport message per recipient through the store it is given. */
export function sendTo(
  ctx: ConformanceContext,
  accountId: string,
  to: readonly string[] = CONTACTS.slice(0, 2),
  content = 'your code is 1234',
): (store: Store | undefined) => Promise<MessageRecord[]> {
  return (store) =>
    ctx.gateway.messages.sendBulk(accountId, { from: OWNER, to, content }, { store });
}

export function makeDevice(accountId: string, overrides: Partial<DeviceRecord> = {}): DeviceRecord {
  return {
    id: newId(),
    accountId,
    tokenHash: hashToken(newSecret()),
    keyId: null,
    name: 'Xiaomi/sweet_global',
    phoneNumbers: [OWNER],
    simCards: [{ slotIndex: 0, simNumber: 1, phoneNumber: '*******0199', carrierName: '****fone' }],
    signingKey: newSecret(6),
    createdAt: 1_000,
    updatedAt: 1_000,
    lastSeen: 1_000,
    ...overrides,
  };
}

export function makeGroup(accountId: string, overrides: Partial<GroupRecord> = {}): GroupRecord {
  return {
    accountId,
    id: newId(),
    deviceId: newId(),
    messageIds: [],
    phoneNumbers: CONTACTS.slice(0, 2),
    simNumber: null,
    priority: 0,
    withDeliveryReport: true,
    validUntil: null,
    scheduleAt: null,
    createdAt: 1_000,
    ...overrides,
  };
}
