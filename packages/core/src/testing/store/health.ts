/** Conformance (Store.ping): the readiness probe's query answers, outside and inside a transaction. */
import { expect, it } from 'vitest';
import type { GroupContext } from './context.js';

export function healthGroup(ctx: GroupContext): void {
  it('answers a ping; a store with migrations lacks none once set up', async () => {
    const health = await ctx.store.ping();
    expect(health).toBeTypeOf('object');
    // A store without migrations leaves the list out; one with them lists what the database lacks.
    expect(health.pendingMigrations ?? []).toEqual([]);
  });

  it('answers a ping inside a transaction, which still commits', async () => {
    const health = await ctx.store.transaction((tx) => tx.ping());
    expect(health.pendingMigrations ?? []).toEqual([]);
    // The store is still usable after that transaction.
    await expect(ctx.store.ping()).resolves.toBeTypeOf('object');
  });
}
