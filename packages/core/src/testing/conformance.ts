/**
 * Registers the Store conformance suite with Vitest. Groups are named after the
 * Store parts (`store/*.ts` in core): a part with several concerns has a folder
 * with one group per concern (`claims/due.ts` runs as `claims › due`). A group
 * that needs a capability (`ConformanceCapabilities`) runs only when the store
 * declares it.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import type { Store } from '../store.js';
import type {
  ConformanceCapability,
  SecondStore,
  StoreConformanceOptions,
  StoreHarness,
} from './harness.js';
import { accountPurgeGroup } from './store/account-purge.js';
import { activityGroup } from './store/activity.js';
import { backlogGroup } from './store/claims/backlog.js';
import { capsGroup } from './store/claims/caps.js';
import { crossProcessGroup } from './store/claims/cross-process.js';
import { dueGroup } from './store/claims/due.js';
import { dueReachGroup } from './store/claims/due-reach.js';
import { outstandingGroup } from './store/claims/outstanding.js';
import { pacingGroup } from './store/claims/pacing.js';
import { crossProcessPicksGroup, picksGroup } from './store/claims/picks.js';
import { recipientsGroup } from './store/claims/recipients.js';
import { skipLockedGroup } from './store/claims/skip-locked.js';
import type { Group, GroupContext } from './store/context.js';
import { keysGroup } from './store/directory/keys.js';
import { phonesGroup } from './store/directory/phones.js';
import { healthGroup } from './store/health.js';
import { idempotencyGroup } from './store/idempotency.js';
import { integrationsGroup } from './store/integrations.js';
import { batchesGroup } from './store/messages/batches.js';
import { outgoingCountGroup, recordsGroup } from './store/messages/records.js';
import { transitionsGroup } from './store/messages/transitions.js';
import { poolsGroup } from './store/pools.js';
import { retentionGroup } from './store/retention.js';
import { schedulesGroup } from './store/schedules.js';
import { suppressionsGroup } from './store/suppressions.js';
import { threadBatchesGroup } from './store/thread-batches.js';
import { threadsGroup } from './store/threads.js';
import { transactionsGroup } from './store/transactions.js';
import { outboxGroup } from './store/webhooks/outbox.js';
import { subscriptionsGroup } from './store/webhooks/subscriptions.js';

interface GroupEntry {
  /** The group's name inside its part; none when the part has one group. */
  readonly name?: string;
  readonly group: Group;
  /** Runs only when the store declares every one of these capabilities. */
  readonly requires?: readonly ConformanceCapability[];
}

/** The conformance groups of each Store part, in the order they run. */
const PARTS: readonly (readonly [part: string, groups: readonly GroupEntry[]])[] = [
  [
    'messages',
    [
      { name: 'records', group: recordsGroup },
      { name: 'outgoing count', group: outgoingCountGroup },
      { name: 'transitions', group: transitionsGroup },
      { name: 'batches', group: batchesGroup },
    ],
  ],
  [
    'claims',
    [
      { name: 'due', group: dueGroup },
      { name: 'due, phone lists', group: dueReachGroup },
      { name: 'backlog', group: backlogGroup },
      { name: 'outstanding', group: outstandingGroup },
      { name: 'pacing', group: pacingGroup },
      { name: 'caps', group: capsGroup },
      { name: 'recipients', group: recipientsGroup },
      { name: 'cross-process', group: crossProcessGroup, requires: ['crossProcess'] },
      { name: 'skip-locked', group: skipLockedGroup, requires: ['crossProcess', 'skipLocked'] },
      { name: 'picks', group: picksGroup },
      {
        name: 'picks across processes',
        group: crossProcessPicksGroup,
        requires: ['crossProcess', 'skipLocked'],
      },
    ],
  ],
  [
    'directory',
    [
      { name: 'keys', group: keysGroup },
      { name: 'phones', group: phonesGroup },
    ],
  ],
  [
    'threads',
    [
      { name: 'records', group: threadsGroup },
      { name: 'batches', group: threadBatchesGroup },
    ],
  ],
  [
    'webhooks',
    [
      { name: 'subscriptions', group: subscriptionsGroup },
      { name: 'outbox', group: outboxGroup },
    ],
  ],
  ['schedules', [{ group: schedulesGroup }]],
  ['idempotency', [{ group: idempotencyGroup }]],
  ['suppressions', [{ group: suppressionsGroup }]],
  ['pools', [{ group: poolsGroup }]],
  ['integrations', [{ group: integrationsGroup }]],
  [
    'retention',
    [
      { name: 'old rows', group: retentionGroup },
      { name: 'account', group: accountPurgeGroup },
    ],
  ],
  ['activity', [{ group: activityGroup }]],
  ['transactions', [{ group: transactionsGroup }]],
  ['health', [{ group: healthGroup }]],
];

/** Registers one group's tests with a harness of its own. */
function registerGroup(options: StoreConformanceOptions, entry: GroupEntry): void {
  let harness: StoreHarness | undefined;
  const seconds: SecondStore[] = [];
  const current = (): StoreHarness => {
    if (!harness) throw new Error(`the ${options.name} harness is not ready`);
    return harness;
  };
  beforeAll(async () => {
    harness = await options.createHarness();
  });
  afterAll(async () => {
    for (const second of seconds.splice(0)) await second.close();
    await harness?.close?.();
  });
  const ctx: GroupContext = {
    get store() {
      return current().store;
    },
    get raw() {
      return current().raw;
    },
    async openSecondStore(): Promise<Store> {
      const open = current().openSecondStore;
      if (!open) {
        throw new Error(
          `the ${options.name} harness declares crossProcess but has no openSecondStore`,
        );
      }
      const second = await open.call(current());
      seconds.push(second);
      return second.store;
    },
  };
  entry.group(ctx);
}

/**
 * Registers every conformance group under a `describe` named after the store,
 * one `describe` per Store part. Each group gets its own harness from
 * `createHarness()`; its tests share it and isolate themselves with fresh
 * account and phone ids.
 */
export function runStoreConformance(options: StoreConformanceOptions): void {
  const reason = typeof options.skip === 'string' ? options.skip : null;
  const title = reason === null ? options.name : `${options.name} (skipped: ${reason})`;
  const declared = options.capabilities ?? {};
  describe.skipIf(reason !== null)(title, () => {
    for (const [part, groups] of PARTS) {
      describe(part, () => {
        for (const entry of groups) {
          const missing = (entry.requires ?? []).filter((c) => declared[c] !== true);
          const name = entry.name ?? part;
          if (missing.length > 0) {
            const reason = `the store does not declare ${missing.join(' and ')}`;
            describe.skip(`${name} (skipped: ${reason})`, () => entry.group(SKIPPED));
          } else if (entry.name === undefined) {
            registerGroup(options, entry);
          } else {
            describe(entry.name, () => registerGroup(options, entry));
          }
        }
      });
    }
  });
}

/** The context of a skipped group: its tests are listed, never run. */
const SKIPPED: GroupContext = {
  get store(): Store {
    throw new Error('the group is skipped');
  },
  get raw(): never {
    throw new Error('the group is skipped');
  },
  openSecondStore: () => Promise.reject(new Error('the group is skipped')),
};
