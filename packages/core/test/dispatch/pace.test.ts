/**
 * The hand-off gate of one dispatch round (`RoundPacer`), on the memory store: when it
 * lets a message go, which slot it gives one it holds back, and what it writes.
 */
import { describe, expect, it } from 'vitest';
import { RoundPacer } from '../../src/dispatch/pace.js';
import type { PhoneRecord } from '../../src/domain/records.js';
import { createMemoryStore } from '../../src/index.js';
import { makeMessage, makePhone, makeSchedule } from '../../src/testing/fixtures.js';

const iso = (s: string) => Date.parse(s);
const SPACING = 6000; // 10 per minute

// Tuesday 2026-11-24, UTC: one window 09:00-17:00 on Tuesday and Wednesday.
const schedule = makeSchedule({
  timezone: 'UTC',
  windows: [2, 3].map((dayOfWeek) => ({ dayOfWeek, startMinute: 540, endMinute: 1020 })),
});

async function withPhone(overrides: Partial<PhoneRecord>) {
  const store = createMemoryStore();
  const phone = makePhone(overrides);
  await store.insertPhone(phone);
  const lastHandoff = async () => (await store.getPhone(phone.id))?.lastHandoffAt ?? null;
  return { store, phone, lastHandoff, pacer: new RoundPacer() };
}

describe('RoundPacer', () => {
  it('lets a paced message go once the spacing has passed, and records the hand-off', async () => {
    const now = iso('2026-11-24T10:00:00Z');
    const t = await withPhone({ messagesPerMinute: 10, lastHandoffAt: now - SPACING });
    expect(await t.pacer.take(t.store, makeMessage(), t.phone, null, now)).toBeNull();
    expect(await t.lastHandoff()).toBe(now);
  });

  it('holds back the messages of one round a spacing apart after the last hand-off', async () => {
    const now = iso('2026-11-24T10:00:00Z');
    const last = now - 1000;
    const t = await withPhone({ messagesPerMinute: 10, lastHandoffAt: last });
    const slots = [];
    for (let i = 0; i < 3; i += 1) {
      slots.push(await t.pacer.take(t.store, makeMessage(), t.phone, null, now));
    }
    expect(slots).toEqual([last + SPACING, last + 2 * SPACING, last + 3 * SPACING]);
    // Held back: nothing written.
    expect(await t.lastHandoff()).toBe(last);
  });

  it('gives a held-back message the next window opening when its slot falls outside', async () => {
    const now = iso('2026-11-24T16:59:58Z');
    const t = await withPhone({ messagesPerMinute: 10, lastHandoffAt: now - 1000 });
    expect(await t.pacer.take(t.store, makeMessage(), t.phone, schedule, now)).toBe(
      iso('2026-11-25T09:00:00Z'),
    );
    // The next one of the round: a spacing after that opening.
    expect(await t.pacer.take(t.store, makeMessage(), t.phone, schedule, now)).toBe(
      iso('2026-11-25T09:00:00Z') + SPACING,
    );
  });

  it('holds an unpaced message back until its window opens, and writes nothing', async () => {
    const now = iso('2026-11-24T07:00:00Z');
    const t = await withPhone({ messagesPerMinute: 0, lastHandoffAt: null });
    expect(await t.pacer.take(t.store, makeMessage(), t.phone, schedule, now)).toBe(
      iso('2026-11-24T09:00:00Z'),
    );
    // The next unpaced message of the round waits for the same opening (no spacing).
    expect(await t.pacer.take(t.store, makeMessage(), t.phone, schedule, now)).toBe(
      iso('2026-11-24T09:00:00Z'),
    );
    const open = iso('2026-11-24T09:30:00Z');
    expect(await t.pacer.take(t.store, makeMessage(), t.phone, schedule, open)).toBeNull();
    // An unpaced phone costs no write of its hand-off time.
    expect(await t.lastHandoff()).toBeNull();
  });

  it('holds a paced message back while its window is closed, even with no hand-off yet', async () => {
    const now = iso('2026-11-24T07:00:00Z');
    const t = await withPhone({ messagesPerMinute: 10, lastHandoffAt: null });
    expect(await t.pacer.take(t.store, makeMessage(), t.phone, schedule, now)).toBe(
      iso('2026-11-24T09:00:00Z'),
    );
    expect(await t.lastHandoff()).toBeNull();
  });

  it('never holds back a first attempt with send_at, but counts it as the last hand-off', async () => {
    const now = iso('2026-11-24T07:00:00Z'); // outside the window, within the spacing
    const t = await withPhone({ messagesPerMinute: 10, lastHandoffAt: now - 1000 });
    const exact = makeMessage({ scheduledSendTime: now });
    expect(await t.pacer.take(t.store, exact, t.phone, schedule, now)).toBeNull();
    expect(await t.lastHandoff()).toBe(now);
    // A retry of it is paced and windowed like any other message.
    const retried = makeMessage({ scheduledSendTime: now, sendAttemptCount: 1 });
    expect(await t.pacer.take(t.store, retried, t.phone, schedule, now + 1)).toBe(
      iso('2026-11-24T09:00:00Z'),
    );
  });

  it('records a send_at hand-off of an unpaced phone nowhere', async () => {
    const now = iso('2026-11-24T10:00:00Z');
    const t = await withPhone({ messagesPerMinute: 0, lastHandoffAt: null });
    const exact = makeMessage({ scheduledSendTime: now });
    expect(await t.pacer.take(t.store, exact, t.phone, null, now)).toBeNull();
    expect(await t.lastHandoff()).toBeNull();
  });
});
