/** The device event log: sequence numbers, ordering, limits, purging. */
import { expect, it } from 'vitest';
import type { DeviceEvent } from '../../src/store/types.js';
import type { Group } from './context.js';

function event(overrides: Partial<DeviceEvent> = {}): DeviceEvent {
  return {
    accountId: 'acc-events',
    deviceId: 'dev-1',
    name: 'WebhooksUpdated',
    data: null,
    createdAt: 9_000_000_000_000,
    ...overrides,
  };
}

export const eventsGroup: Group = (ctx) => {
  // Cases share the log: each reads after the sequence number it started from.
  it('numbers events increasingly and reads them back in order, fields intact', async () => {
    const start = await ctx.store.lastEventSeq();
    expect(start).toBeGreaterThanOrEqual(0);
    const written = [
      event({ accountId: 'acc-é😀', deviceId: null, name: 'SettingsUpdated' }),
      event({ name: 'MessageCancelled', data: { messageId: 'msg-1', note: 'ünïcode "q" \\ 𝄞' } }),
      event({ deviceId: 'dev-2', name: 'textport:device-deleted', createdAt: 9_000_000_000_001 }),
    ];
    const seqs: number[] = [];
    for (const e of written) seqs.push(await ctx.store.appendEvent(e));
    expect(seqs[0]).toBeGreaterThan(start);
    expect(seqs[1]).toBeGreaterThan(seqs[0] as number);
    expect(seqs[2]).toBeGreaterThan(seqs[1] as number);
    expect(await ctx.store.lastEventSeq()).toBe(seqs[2]);
    const read = await ctx.store.eventsAfter(start, 100);
    expect(read).toEqual(written.map((e, i) => ({ ...e, seq: seqs[i] })));
    expect(await ctx.store.eventsAfter(seqs[2] as number, 100)).toEqual([]);
  });

  it('reads at most `limit` events after a sequence number, ascending', async () => {
    const start = await ctx.store.lastEventSeq();
    const seqs: number[] = [];
    for (let i = 0; i < 5; i++) {
      seqs.push(await ctx.store.appendEvent(event({ data: { i: String(i) } })));
    }
    const first = await ctx.store.eventsAfter(start, 2);
    expect(first.map((e) => e.seq)).toEqual(seqs.slice(0, 2));
    const rest = await ctx.store.eventsAfter(seqs[1] as number, 10);
    expect(rest.map((e) => e.data?.i)).toEqual(['2', '3', '4']);
    expect((await ctx.store.eventsAfter(seqs[3] as number, 1)).map((e) => e.seq)).toEqual([
      seqs[4],
    ]);
  });

  it('purges the events created before a time, and only those; numbers keep increasing', async () => {
    // Older than anything the other cases write.
    const start = await ctx.store.lastEventSeq();
    const old = await ctx.store.appendEvent(event({ createdAt: 1_000 }));
    const edge = await ctx.store.appendEvent(event({ createdAt: 2_000 }));
    const recent = await ctx.store.appendEvent(event({ createdAt: 3_000 }));
    expect(await ctx.store.purgeEvents(2_000)).toBe(1);
    expect(await ctx.store.purgeEvents(2_000)).toBe(0);
    expect((await ctx.store.eventsAfter(start, 10)).map((e) => e.seq)).toEqual([edge, recent]);
    expect(await ctx.store.purgeEvents(3_001)).toBe(2);
    expect(await ctx.store.eventsAfter(start, 10)).toEqual([]);
    expect(old).toBeLessThan(edge);
    const next = await ctx.store.appendEvent(event({ createdAt: 3_500 }));
    expect(next).toBeGreaterThan(recent);
    expect(await ctx.store.lastEventSeq()).toBe(next);
    expect(await ctx.store.purgeEvents(4_000)).toBe(1);
  });
};
