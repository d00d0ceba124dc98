/** Conformance (ScheduleStore): an account's send schedules. */
import { expect, it } from 'vitest';
import { makeSchedule } from '../fixtures.js';
import { expectConflict, type GroupContext, ids, uuid } from './context.js';

export function schedulesGroup(ctx: GroupContext): void {
  it('manages send schedules of an account, listed oldest first', async () => {
    const accountId = uuid();
    const base = Date.now();
    const first = makeSchedule({ accountId, createdAt: base - 100 });
    const second = makeSchedule({ accountId, createdAt: base, windows: [] });
    await ctx.store.insertSendSchedule(second);
    await ctx.store.insertSendSchedule(first);
    await ctx.store.insertSendSchedule(makeSchedule());
    await expectConflict(
      ctx.store.insertSendSchedule({ ...makeSchedule({ accountId }), id: first.id }),
    );
    expect(await ctx.store.getSendSchedule(accountId, first.id)).toEqual(first);
    expect(await ctx.store.getSendSchedule(uuid(), first.id)).toBeNull();
    expect(await ctx.store.listSendSchedules(accountId)).toEqual([first, second]);
    const windows = [{ dayOfWeek: 0, startMinute: 0, endMinute: 1440 }];
    const updated = await ctx.store.updateSendSchedule(second.id, { name: 'Always', windows });
    expect(updated).toEqual({ ...second, name: 'Always', windows });
    expect(await ctx.store.updateSendSchedule(uuid(), { name: 'x' })).toBeNull();
    expect(await ctx.store.deleteSendSchedule(uuid(), first.id)).toBe(false);
    expect(await ctx.store.deleteSendSchedule(accountId, first.id)).toBe(true);
    expect(ids(await ctx.store.listSendSchedules(accountId))).toEqual([second.id]);
  });
}
