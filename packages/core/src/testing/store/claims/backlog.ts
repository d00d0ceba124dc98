/** Conformance (ClaimStore): `getDueBacklog` counts every row due now, leased or not, and finds the oldest. */
import { expect, it } from 'vitest';
import type { MessageRecord } from '../../../domain/records.js';
import { makeMessage } from '../../fixtures.js';
import { type GroupContext, uuid } from '../context.js';

/** The backlog is read at this time, long before any other group's rows are due. */
const DAWN = Date.UTC(1970, 0, 2);

export function backlogGroup(ctx: GroupContext): void {
  function make(o: Partial<MessageRecord> = {}) {
    return makeMessage({ accountId: uuid(), phoneId: uuid(), status: 'scheduled', ...o });
  }

  it('counts the rows due by now, of every phone, and the earliest due time', async () => {
    const rows = [
      make({ dueAt: DAWN - 5000 }),
      make({ dueAt: DAWN - 10 }),
      make({ dueAt: DAWN }),
      make({ dueAt: DAWN + 1 }),
      make({ dueAt: null, status: 'delivered' }),
    ];
    await ctx.store.insertMessages(rows);
    expect(await ctx.store.getDueBacklog(DAWN)).toEqual({ due: 3, oldestDueAt: DAWN - 5000 });
    expect(await ctx.store.getDueBacklog(DAWN - 11)).toEqual({ due: 1, oldestDueAt: DAWN - 5000 });
    expect(await ctx.store.getDueBacklog(DAWN - 6000)).toEqual({ due: 0, oldestDueAt: null });
  });

  it('counts leased rows, whether their lease runs or ran out', async () => {
    const at = DAWN - 100_000;
    const phoneId = uuid();
    const rows = [make({ phoneId, dueAt: at - 3 }), make({ phoneId, dueAt: at - 2 })];
    await ctx.store.insertMessages(rows);
    const before = await ctx.store.getDueBacklog(at);
    const claimed = await ctx.store.claimDue({
      now: at,
      phoneIds: [phoneId],
      limit: 1,
      leaseMs: 60_000,
      claimer: 'c1',
    });
    expect(claimed.map((m) => m.id)).toEqual([rows[0]!.id]);
    expect(await ctx.store.getDueBacklog(at)).toEqual(before);
    expect(before).toEqual({ due: 2, oldestDueAt: at - 3 });
  });
}
