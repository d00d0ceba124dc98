/** Registers the Store conformance suite with Vitest. */
import { afterAll, beforeAll, describe } from 'vitest';
import type { StoreConformanceOptions, StoreHarness } from './harness.js';
import { claimsGroup } from './store/claims.js';
import type { Group, GroupContext } from './store/context.js';
import { idempotencyGroup } from './store/idempotency.js';
import { keysGroup } from './store/keys.js';
import { messagesGroup } from './store/messages.js';
import { outboxGroup } from './store/outbox.js';
import { outstandingGroup } from './store/outstanding.js';
import { pacingGroup } from './store/pacing.js';
import { phonesGroup } from './store/phones.js';
import { threadsGroup } from './store/threads.js';
import { transactionsGroup } from './store/transactions.js';
import { transitionsGroup } from './store/transitions.js';

const GROUPS: readonly (readonly [string, Group])[] = [
  ['messages', messagesGroup],
  ['transitions', transitionsGroup],
  ['claims', claimsGroup],
  ['outstanding', outstandingGroup],
  ['threads', threadsGroup],
  ['accounts and keys', keysGroup],
  ['idempotency', idempotencyGroup],
  ['outbox', outboxGroup],
  ['transactions', transactionsGroup],
  ['phones, heartbeats, webhooks and schedules', phonesGroup],
  ['pacing and heartbeat checks', pacingGroup],
];

/**
 * Registers every conformance group under a `describe` named after the store.
 * Each group gets its own harness from `createHarness()`; its tests share it
 * and isolate themselves with fresh account and phone ids.
 */
export function runStoreConformance(options: StoreConformanceOptions): void {
  const reason = typeof options.skip === 'string' ? options.skip : null;
  const title = reason === null ? options.name : `${options.name} (skipped: ${reason})`;
  describe.skipIf(reason !== null)(title, () => {
    for (const [name, group] of GROUPS) {
      describe(name, () => {
        let harness: StoreHarness | undefined;
        const current = (): StoreHarness => {
          if (!harness) throw new Error(`the ${options.name} harness is not ready`);
          return harness;
        };
        beforeAll(async () => {
          harness = await options.createHarness();
        });
        afterAll(async () => {
          await harness?.close?.();
        });
        const ctx: GroupContext = {
          get store() {
            return current().store;
          },
          get raw() {
            return current().raw;
          },
        };
        group(ctx);
      });
    }
  });
}
