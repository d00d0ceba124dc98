/**
 * The conformance suite of `SmsGateStore`: every implementation runs it (the
 * memory store, SQLite, Postgres). Each group gets a harness of its own from
 * `makeStore()`; its cases isolate themselves with fresh accounts.
 */
import type { Gateway } from '@textport/core';
import { afterAll, beforeAll, describe } from 'vitest';
import { acceptGroup } from './conformance/accept.js';
import {
  type ConformanceContext,
  type Group,
  gatewayOn,
  type SmsGateStoreHarness,
} from './conformance/context.js';
import { devicesGroup } from './conformance/devices.js';
import { eventsGroup } from './conformance/events.js';
import { groupQueries } from './conformance/group-queries.js';
import { inboundGroup, settingsGroup, webhooksGroup } from './conformance/registrations.js';

export type { SmsGateStoreHarness } from './conformance/context.js';

const GROUPS: readonly (readonly [name: string, group: Group])[] = [
  ['devices', devicesGroup],
  ['acceptGroup', acceptGroup],
  ['listGroups', groupQueries],
  ['webhooks', webhooksGroup],
  ['settings', settingsGroup],
  ['inbound', inboundGroup],
  ['events', eventsGroup],
];

function registerGroup(
  name: string,
  makeStore: () => Promise<SmsGateStoreHarness>,
  group: Group,
): void {
  let harness: SmsGateStoreHarness | undefined;
  let gateway: Gateway | undefined;
  const current = (): SmsGateStoreHarness => {
    if (!harness) throw new Error(`the ${name} harness is not ready`);
    return harness;
  };
  beforeAll(async () => {
    harness = await makeStore();
    gateway = gatewayOn(harness.coreStore);
  });
  afterAll(async () => {
    await harness?.close();
  });
  const ctx: ConformanceContext = {
    get store() {
      return current().store;
    },
    get coreStore() {
      return current().coreStore;
    },
    get gateway() {
      if (!gateway) throw new Error(`the ${name} harness is not ready`);
      return gateway;
    },
    get transactional() {
      return current().transactional;
    },
  };
  group(ctx);
}

/**
 * Registers the suite under `describe(name)`. With `skip` a string, the groups
 * are listed as skipped with that reason in the title.
 */
export function runSmsGateStoreConformance(
  name: string,
  makeStore: () => Promise<SmsGateStoreHarness>,
  options: { skip?: string | false } = {},
): void {
  const reason = typeof options.skip === 'string' ? options.skip : null;
  const title = reason === null ? name : `${name} (skipped: ${reason})`;
  describe.skipIf(reason !== null)(title, () => {
    for (const [groupName, group] of GROUPS) {
      describe(groupName, () => registerGroup(name, makeStore, group));
    }
  });
}
