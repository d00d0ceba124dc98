/**
 * Pacing holds for the actual hand-offs, not only for the planned slots: a late
 * dispatcher, an outage and a transport retry never hand two messages of one
 * paced phone to its transport less than the spacing apart. Hand-off times are
 * the manual clock's readings when the transport was called.
 */
import { describe, expect, it } from 'vitest';
import { TransportError } from '../../src/index.js';
import { dispatchSetup, OWNER } from './helpers.js';

const SPACING = 6000; // 10 per minute

async function pacedSetup(config: Parameters<typeof dispatchSetup>[0] = {}) {
  const t = await dispatchSetup({ messagesPerMinute: 10, ...config });
  // One send attempt: an expired message is not sent again within these tests.
  await t.gateway.phones.upsert(t.account.id, {
    phoneNumber: OWNER,
    messageExpirationSeconds: 3600,
    maxSendAttempts: 1,
  });
  /** Every transport call, message by message: [id, clock reading]. */
  const calls: [string, number][] = [];
  const notify = t.transport.notify.bind(t.transport);
  t.transport.notify = (phone, messages) => {
    for (const m of messages) calls.push([m.id, t.clock.now()]);
    return notify(phone, messages);
  };
  /** Runs rounds until none claims a row, then moves the clock to the next due row, until `count` calls. */
  const dispatchUntil = async (count: number) => {
    for (let step = 0; step < 1000 && calls.length < count; step += 1) {
      while ((await t.gateway.dispatcher.runOnce()) > 0);
      if (calls.length >= count) break;
      const next = await t.store.nextDueAt('all');
      if (next === null) break;
      t.clock.set(Math.max(next, t.clock.now()));
    }
    return calls;
  };
  return { ...t, calls, dispatchUntil };
}

const gaps = (calls: readonly [string, number][]) =>
  calls.slice(1).map(([, at], i) => at - (calls[i]?.[1] ?? Number.NaN));

describe('pacing of the actual hand-offs', () => {
  it('a dispatcher 5 s late hands the queued messages off a spacing apart, not bunched', async () => {
    const t = await pacedSetup();
    const start = t.clock.now();
    const ids = [];
    for (let i = 0; i < 6; i += 1) ids.push((await t.send(`m${i}`)).id);
    await t.gateway.dispatcher.runOnce();
    expect(t.calls).toEqual([[ids[0], start]]);
    // The other five are planned a spacing apart; the dispatcher stalls 5 s past the first.
    const late = start + SPACING + 5000;
    t.clock.set(late);
    await t.dispatchUntil(6);
    expect(t.calls.map(([id]) => id)).toEqual(ids);
    expect(t.calls.map(([, at]) => at)).toEqual([
      start,
      late,
      late + SPACING,
      late + 2 * SPACING,
      late + 3 * SPACING,
      late + 4 * SPACING,
    ]);
    // The rows agree: each one's hand-off time is its transport call's.
    const rows = await t.store.getMessages(t.account.id, ids);
    const at = new Map(rows.map((r) => [r.id, r.scheduledAt]));
    expect(ids.map((id) => at.get(id))).toEqual(t.calls.map(([, when]) => when));
  });

  it('after an outage with 20 messages due, the hand-offs are still a spacing apart', async () => {
    const t = await pacedSetup();
    const start = t.clock.now();
    const ids = [];
    for (let i = 0; i < 20; i += 1) ids.push((await t.send(`m${i}`)).id);
    await t.gateway.dispatcher.runOnce();
    expect(t.calls).toHaveLength(1);
    // The node is down for 10 minutes: every planned slot is in the past when it is back.
    const back = start + 600_000;
    t.clock.set(back);
    await t.dispatchUntil(20);
    expect(t.calls.map(([id]) => id)).toEqual(ids);
    expect(t.calls.slice(1).map(([, at]) => at)).toEqual(
      Array.from({ length: 19 }, (_, i) => back + i * SPACING),
    );
    expect(gaps(t.calls).filter((gap) => gap < SPACING)).toEqual([]);
  });

  it('a message retried after a retryable transport error keeps the spacing, and so do the others', async () => {
    const t = await pacedSetup({
      config: { dispatch: { retry: { jitter: 0, minDelayMs: 1000 } } },
    });
    const start = t.clock.now();
    t.transport.failNext(new TransportError('503 from push service', { retryable: true }));
    const [a, b, c] = [await t.send('a'), await t.send('b'), await t.send('c')];
    await t.dispatchUntil(4);
    expect(t.calls).toEqual([
      [a.id, start],
      // The backoff (1 s) ends within the spacing: the retry waits for the phone's next slot.
      [a.id, start + SPACING],
      [b.id, start + 2 * SPACING],
      [c.id, start + 3 * SPACING],
    ]);
    expect(t.transport.handedOff()).toEqual([a.id, b.id, c.id]);
  });

  it('a held-back message waits for the send window when the spacing ends outside it', async () => {
    const t = await pacedSetup();
    const start = t.clock.now();
    const ids = [];
    for (let i = 0; i < 3; i += 1) ids.push((await t.send(`m${i}`)).id);
    await t.gateway.dispatcher.runOnce();
    // A window 12:00-12:01 every day; the dispatcher comes back 2 s before it closes.
    const late = start + 58_000;
    const minute = (ms: number) => Math.floor((ms % 86_400_000) / 60_000);
    const schedule = {
      id: crypto.randomUUID(),
      accountId: t.account.id,
      name: 'short',
      timezone: 'UTC',
      windows: [0, 1, 2, 3, 4, 5, 6].map((dayOfWeek) => ({
        dayOfWeek,
        startMinute: minute(start),
        endMinute: minute(start) + 1,
      })),
      createdAt: start,
      updatedAt: start,
    };
    await t.store.insertSendSchedule(schedule);
    await t.gateway.phones.upsert(t.account.id, {
      phoneNumber: OWNER,
      sendScheduleId: schedule.id,
    });
    t.clock.set(late);
    await t.dispatchUntil(3);
    const opening = Date.UTC(2026, 10, 25) + minute(start) * 60_000;
    expect(t.calls).toEqual([
      [ids[0], start],
      [ids[1], late],
      [ids[2], opening],
    ]);
  });
});
