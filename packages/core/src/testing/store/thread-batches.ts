/** Conformance (ThreadStore): `findThreads` and `updateThreads`, the dispatcher's batched thread upkeep. */
import { expect, it } from 'vitest';
import type { ThreadRecord } from '../../domain/records.js';
import { makeThread, randomPhoneNumber } from '../fixtures.js';
import type { GroupContext } from './context.js';
import { uuid } from './context.js';

export function threadBatchesGroup(ctx: GroupContext): void {
  async function threads(n: number): Promise<ThreadRecord[]> {
    const accountId = uuid();
    const owner = randomPhoneNumber();
    const made = Array.from({ length: n }, () => makeThread({ accountId, owner }));
    for (const thread of made) await ctx.store.insertThread(thread);
    return made;
  }
  const keyOf = (t: ThreadRecord) => ({
    accountId: t.accountId,
    owner: t.owner,
    contact: t.contact,
  });
  const byId = (a: ThreadRecord, b: ThreadRecord) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

  it('finds the threads of the pairs that have one, once each, in id order', async () => {
    const made = await threads(5);
    const [a, b, c] = made as [ThreadRecord, ThreadRecord, ThreadRecord];
    const found = await ctx.store.findThreads([
      keyOf(c),
      keyOf(a),
      { ...keyOf(a), contact: randomPhoneNumber() },
      keyOf(c),
      { ...keyOf(b), accountId: uuid() },
      keyOf(b),
    ]);
    expect(found).toEqual([a, b, c].sort(byId));
    expect(await ctx.store.findThreads([])).toEqual([]);
  });

  it('applies each patch to its thread, patches of different shapes in one call', async () => {
    const [a, b, c] = (await threads(3)) as [ThreadRecord, ThreadRecord, ThreadRecord];
    const at = Date.now() + 1000;
    await ctx.store.updateThreads([
      { id: a.id, patch: { status: 'scheduled', orderTimestamp: at, lastMessageContent: 'one' } },
      { id: uuid(), patch: { status: 'failed' } },
      { id: b.id, patch: { status: 'sent', isRead: false, updatedAt: at } },
      {
        id: c.id,
        patch: { status: 'scheduled', orderTimestamp: at + 1, lastMessageContent: 'two' },
      },
    ]);
    expect(await ctx.store.getThread(a.accountId, a.id)).toEqual({
      ...a,
      status: 'scheduled',
      orderTimestamp: at,
      lastMessageContent: 'one',
    });
    expect(await ctx.store.getThread(b.accountId, b.id)).toEqual({
      ...b,
      status: 'sent',
      isRead: false,
      updatedAt: at,
    });
    expect(await ctx.store.getThread(c.accountId, c.id)).toEqual({
      ...c,
      status: 'scheduled',
      orderTimestamp: at + 1,
      lastMessageContent: 'two',
    });
    await ctx.store.updateThreads([]);
  });

  it('rolls the patches back with the transaction', async () => {
    const [a, b] = (await threads(2)) as [ThreadRecord, ThreadRecord];
    const boom = new Error('rolled back');
    await expect(
      ctx.store.transaction(async (tx) => {
        const found = await tx.findThreads([keyOf(a), keyOf(b)]);
        expect(found).toHaveLength(2);
        await tx.updateThreads(found.map((t) => ({ id: t.id, patch: { status: 'failed' } })));
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect((await ctx.store.getThread(a.accountId, a.id))?.status).toBe(a.status);
    expect((await ctx.store.getThread(b.accountId, b.id))?.status).toBe(b.status);
  });

  it('lets two transactions that lock the same threads finish one after the other', async () => {
    const made = await threads(6);
    const keys = made.map(keyOf);
    // Each takes the threads in its own key order; the store locks them in id order, so neither deadlocks.
    const run = (order: typeof keys, status: 'sent' | 'failed') =>
      ctx.store.transaction(async (tx) => {
        const found = await tx.findThreads(order);
        await tx.updateThreads(found.map((t) => ({ id: t.id, patch: { status } })));
        return found.length;
      });
    const counts = await Promise.all([run(keys, 'sent'), run([...keys].reverse(), 'failed')]);
    expect(counts).toEqual([6, 6]);
    const statuses = await Promise.all(
      made.map(async (t) => (await ctx.store.getThread(t.accountId, t.id))?.status),
    );
    // One transaction's patches were applied last, to every thread alike.
    expect(new Set(statuses).size).toBe(1);
  });
}
