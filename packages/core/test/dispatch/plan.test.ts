import { describe, expect, it } from 'vitest';
import {
  awaitsHandoff,
  expiryDeadline,
  handoffSlot,
  isExact,
  isHandedOff,
  pacingMs,
} from '../../src/dispatch/plan.js';
import { makeMessage, makePhone, makeSchedule } from '../../src/testing/fixtures.js';

const iso = (s: string) => Date.parse(s);

// Tuesday 2026-11-24, UTC: one window 09:00-17:00 on Tuesday and Wednesday.
const schedule = makeSchedule({
  timezone: 'UTC',
  windows: [2, 3].map((dayOfWeek) => ({ dayOfWeek, startMinute: 540, endMinute: 1020 })),
});

describe('pacingMs', () => {
  it('spaces hand-offs by a whole number of milliseconds; 0 or less is no pacing', () => {
    expect(pacingMs(1)).toBe(60_000);
    expect(pacingMs(7)).toBe(8571);
    expect(pacingMs(0)).toBe(0);
    expect(pacingMs(-5)).toBe(0);
  });
});

describe('handoffSlot', () => {
  it('a first attempt with send_at goes out exactly then, past pacing and windows', () => {
    const now = iso('2026-11-24T07:00:00Z');
    const sendAt = iso('2026-11-24T08:00:00Z'); // before the window opens
    const message = makeMessage({ scheduledSendTime: sendAt });
    const phone = makePhone({ messagesPerMinute: 1, lastScheduledAt: sendAt - 1000 });
    expect(isExact(message)).toBe(true);
    expect(handoffSlot(now, message, phone, schedule)).toBe(sendAt);
    // A send_at already passed goes out now.
    expect(handoffSlot(sendAt + 5000, message, phone, schedule)).toBe(sendAt + 5000);
  });

  it('a retried send_at message is paced and moved into the next window', () => {
    const now = iso('2026-11-24T16:59:30Z');
    const message = makeMessage({
      scheduledSendTime: iso('2026-11-24T08:00:00Z'),
      sendAttemptCount: 1,
    });
    expect(isExact(message)).toBe(false);
    // The previous hand-off was 10 s ago at 1 per minute: the next one is 17:00:20, after
    // Tuesday's window closes, so it waits for Wednesday 09:00.
    const phone = makePhone({ messagesPerMinute: 1, lastScheduledAt: now - 10_000 });
    expect(handoffSlot(now, message, phone, schedule)).toBe(iso('2026-11-25T09:00:00Z'));
    // Without pacing it goes now: the window is open.
    const unpaced = makePhone({ messagesPerMinute: 0, lastScheduledAt: now - 10_000 });
    expect(handoffSlot(now, message, unpaced, schedule)).toBe(now);
  });

  it('a paced phone that has been idle sends now, not at its old slot plus the spacing', () => {
    const now = iso('2026-11-24T10:00:00Z');
    const phone = makePhone({ messagesPerMinute: 10, lastScheduledAt: now - 600_000 });
    expect(handoffSlot(now, makeMessage(), phone, null)).toBe(now);
    expect(handoffSlot(now, makeMessage(), phone, schedule)).toBe(now);
  });

  it('a busy paced phone waits out the spacing after its last hand-off', () => {
    const now = iso('2026-11-24T10:00:00Z');
    const phone = makePhone({ messagesPerMinute: 10, lastScheduledAt: now - 1000 });
    expect(handoffSlot(now, makeMessage(), phone, null)).toBe(now + 5000);
    expect(handoffSlot(now, makeMessage(), phone, schedule)).toBe(now + 5000);
  });

  it('a paced phone with a window: the window start when the spacing ends before it', () => {
    const now = iso('2026-11-24T08:00:00Z');
    const phone = makePhone({ messagesPerMinute: 10, lastScheduledAt: now - 1000 });
    expect(handoffSlot(now, makeMessage(), phone, schedule)).toBe(iso('2026-11-24T09:00:00Z'));
  });

  it('a phone without pacing ignores a last hand-off planned in the future', () => {
    const now = iso('2026-11-24T10:00:00Z');
    const phone = makePhone({ messagesPerMinute: 0, lastScheduledAt: now + 3_600_000 });
    expect(handoffSlot(now, makeMessage(), phone, schedule)).toBe(now);
  });

  it('a phone that never handed off sends now (in its window)', () => {
    const now = iso('2026-11-24T07:00:00Z');
    const phone = makePhone({ messagesPerMinute: 10, lastScheduledAt: null });
    expect(handoffSlot(now, makeMessage(), phone, null)).toBe(now);
    expect(handoffSlot(now, makeMessage(), phone, schedule)).toBe(iso('2026-11-24T09:00:00Z'));
  });
});

describe('expiryDeadline', () => {
  const t = iso('2026-11-24T10:00:00Z');

  it("counts the phone's message_expiration_seconds, 600 s without a phone or setting", () => {
    const message = makeMessage({ status: 'scheduled', scheduledAt: t, updatedAt: t + 1 });
    expect(expiryDeadline(message, makePhone({ messageExpirationSeconds: 90 }))).toBe(t + 90_000);
    expect(expiryDeadline(message, makePhone({ messageExpirationSeconds: 0 }))).toBe(t + 600_000);
    expect(expiryDeadline(message, null)).toBe(t + 600_000);
  });

  it('a message taken on its first attempt: from the take, else from the last update', () => {
    const phone = makePhone({ messageExpirationSeconds: 60 });
    const taken = makeMessage({
      status: 'sending',
      sendAttemptCount: 0,
      scheduledAt: t,
      lastAttemptedAt: t + 5000,
      updatedAt: t + 9000,
    });
    expect(expiryDeadline(taken, phone)).toBe(t + 65_000);
    expect(expiryDeadline({ ...taken, lastAttemptedAt: null }, phone)).toBe(t + 69_000);
  });

  it('a retried or scheduled message: from its hand-off slot, else from the last update', () => {
    const phone = makePhone({ messageExpirationSeconds: 60 });
    const retried = makeMessage({
      status: 'sending',
      sendAttemptCount: 1,
      scheduledAt: t,
      lastAttemptedAt: t + 5000,
      updatedAt: t + 9000,
    });
    expect(expiryDeadline(retried, phone)).toBe(t + 60_000);
    const scheduled = { ...retried, status: 'scheduled' as const, sendAttemptCount: 0 };
    expect(expiryDeadline(scheduled, phone)).toBe(t + 60_000);
    expect(expiryDeadline({ ...scheduled, scheduledAt: null }, phone)).toBe(t + 69_000);
  });
});

describe('awaitsHandoff and isHandedOff', () => {
  const planned = makeMessage({
    status: 'scheduled',
    awaitingHandoff: true,
    dueAt: iso('2026-11-24T10:00:00Z'),
    sendAttemptCount: 1,
  });

  it('a scheduled message marked for hand-off with a due time awaits its hand-off', () => {
    expect(awaitsHandoff(planned)).toBe(true);
    expect(isHandedOff(planned)).toBe(false);
    expect(awaitsHandoff({ ...planned, status: 'pending' })).toBe(false);
    expect(awaitsHandoff({ ...planned, awaitingHandoff: false })).toBe(false);
    expect(awaitsHandoff({ ...planned, dueAt: null })).toBe(false);
  });

  it('handed off: scheduled, attempted, no longer waiting for its hand-off', () => {
    const handed = { ...planned, awaitingHandoff: false };
    expect(isHandedOff(handed)).toBe(true);
    expect(isHandedOff({ ...handed, sendAttemptCount: 0 })).toBe(false);
    expect(isHandedOff({ ...handed, status: 'sending' })).toBe(false);
  });
});
