/**
 * Hand-off caps with a manual clock: a capped phone hands off what its hour (or
 * day) budget takes, its other due messages wait — neither failed nor expired —
 * and it resumes when the window ends. Hand-off times are the clock's readings
 * when the transport was called.
 */
import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../../src/index.js';
import { dispatchSetup, OWNER, ofType } from './helpers.js';

async function cappedSetup(caps: { messagesPerHour?: number; messagesPerDay?: number }, mpm = 0) {
  const t = await dispatchSetup({ messagesPerMinute: mpm });
  await t.gateway.phones.upsert(t.account.id, { phoneNumber: OWNER, ...caps });
  /** Every transport call, message by message: [id, clock reading]. */
  const calls: [string, number][] = [];
  const notify = t.transport.notify.bind(t.transport);
  t.transport.notify = (phone, messages) => {
    for (const m of messages) calls.push([m.id, t.clock.now()]);
    return notify(phone, messages);
  };
  /** Runs rounds until none claims a row; the phone sends what it was handed. */
  const drain = async () => {
    while ((await t.gateway.dispatcher.runOnce()) > 0);
    for (const [id] of calls) {
      const row = await t.raw.message(id);
      if (row?.status !== 'scheduled') continue;
      await t.gateway.phoneApi.takeOutstanding(t.user, id);
      await t.gateway.phoneApi.reportEvent(t.user, id, { event: 'SENT' });
    }
  };
  const sendMany = async (n: number, content = 'hi') => {
    const ids: string[] = [];
    for (let i = 0; i < n; i += 1) ids.push((await t.send(`${content} ${i}`)).id);
    return ids;
  };
  return { ...t, calls, drain, sendMany };
}

describe('hand-off caps', () => {
  it('a phone with messages_per_hour=3 hands off 3 of 5, the rest wait, and go after the hour', async () => {
    const t = await cappedSetup({ messagesPerHour: 3 });
    const start = t.clock.now();
    const ids = await t.sendMany(5);
    await t.drain();
    expect(t.calls).toEqual(ids.slice(0, 3).map((id) => [id, start]));
    // The other two wait for the window's end: not failed, not expired, not handed off.
    for (const id of ids.slice(3)) {
      expect(await t.raw.message(id)).toMatchObject({
        status: 'scheduled',
        dueAt: start + HOUR_MS,
        sendAttemptCount: 0,
      });
    }
    // Nothing moves within the hour.
    t.clock.set(start + HOUR_MS - 1);
    await t.drain();
    expect(t.calls).toHaveLength(3);
    expect(await t.store.nextDueAt('all')).toBe(start + HOUR_MS);
    t.clock.set(start + HOUR_MS);
    await t.drain();
    expect(t.calls.slice(3)).toEqual(ids.slice(3).map((id) => [id, start + HOUR_MS]));
    expect(ofType(t.events, 'message.send.failed')).toHaveLength(0);
    expect(ofType(t.events, 'message.send.expired')).toHaveLength(0);
    const phone = await t.raw.phone(t.phone.id);
    expect([phone?.hourWindowStart, phone?.hourWindowSegments]).toEqual([start + HOUR_MS, 2]);
    expect(phone?.dayWindowSegments).toBe(5);
  });

  it('counts SMS segments: a 2-segment message fills two of the hour budget', async () => {
    const t = await cappedSetup({ messagesPerHour: 3 });
    const start = t.clock.now();
    const long = (await t.send('x'.repeat(200))).id; // 2 GSM-7 segments
    const [a, b] = await t.sendMany(2);
    await t.drain();
    expect(t.calls).toEqual([
      [long, start],
      [a, start],
    ]);
    t.clock.set(start + HOUR_MS);
    await t.drain();
    expect(t.calls.at(-1)).toEqual([b, start + HOUR_MS]);
  });

  it('a daily cap holds across hours until its day window ends', async () => {
    const t = await cappedSetup({ messagesPerHour: 2, messagesPerDay: 3 });
    const start = t.clock.now();
    const ids = await t.sendMany(5);
    await t.drain();
    expect(t.calls).toHaveLength(2);
    t.clock.set(start + HOUR_MS);
    await t.drain();
    expect(t.calls).toHaveLength(3);
    // The day is used up: the next hour frees nothing; the waiting rows are due at the day's end.
    expect(await t.store.nextDueAt('all')).toBe(start + DAY_MS);
    t.clock.set(start + DAY_MS);
    await t.drain();
    expect(t.calls.map(([id]) => id)).toEqual(ids.slice(0, 5));
    expect(t.calls.slice(3).map(([, at]) => at)).toEqual([start + DAY_MS, start + DAY_MS]);
  });

  it('a paced and capped phone keeps its spacing and its cap', async () => {
    const t = await cappedSetup({ messagesPerHour: 2 }, 10);
    const start = t.clock.now();
    await t.sendMany(4);
    for (let step = 0; step < 50; step += 1) {
      await t.drain();
      const next = await t.store.nextDueAt('all');
      if (next === null || next > start + 2 * HOUR_MS) break;
      t.clock.set(Math.max(next, t.clock.now()));
    }
    expect(t.calls.map(([, at]) => at)).toEqual([
      start,
      start + 6000,
      start + HOUR_MS,
      start + HOUR_MS + 6000,
    ]);
  });

  it('an exact send_at waits for the budget too', async () => {
    const t = await cappedSetup({ messagesPerHour: 1 });
    const start = t.clock.now();
    await t.sendMany(1);
    const exact = (await t.send('at noon', { sendAt: start + 60_000 })).id;
    await t.drain();
    t.clock.set(start + 60_000);
    await t.drain();
    expect(t.calls).toHaveLength(1);
    expect(await t.raw.message(exact)).toMatchObject({
      status: 'scheduled',
      dueAt: start + HOUR_MS,
    });
    t.clock.set(start + HOUR_MS);
    await t.drain();
    expect(t.calls.at(-1)).toEqual([exact, start + HOUR_MS]);
  });

  it('lifting the cap (0) lets the waiting messages go at their due time', async () => {
    const t = await cappedSetup({ messagesPerHour: 1 });
    const start = t.clock.now();
    const ids = await t.sendMany(3);
    await t.drain();
    expect(t.calls).toHaveLength(1);
    await t.gateway.phones.upsert(t.account.id, { phoneNumber: OWNER, messagesPerHour: 0 });
    t.clock.set(start + HOUR_MS);
    await t.drain();
    expect(t.calls.map(([id]) => id)).toEqual(ids);
  });
});
