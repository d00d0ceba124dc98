import { describe, expect, it } from 'vitest';
import type { ThreadRecord } from '../../src/domain/records.js';
import {
  applyThreadEvent,
  THREAD_COLORS,
  type ThreadEvent,
} from '../../src/lifecycle/thread-rules.js';

const NOW = 1_700_000_100_000;
const CTX = { newId: 'thread-new', color: 'teal', now: NOW };

function event(overrides: Partial<ThreadEvent> = {}): ThreadEvent {
  return {
    accountId: 'acc-1',
    owner: '+18005550100',
    contact: '+18005550199',
    messageId: 'msg-2',
    content: 'hello',
    status: 'sent',
    timestamp: 1_700_000_050_000,
    arrivedAt: 1_700_000_080_000,
    markUnread: false,
    unarchive: false,
    ...overrides,
  };
}

function thread(overrides: Partial<ThreadRecord> = {}): ThreadRecord {
  return {
    id: 'thread-1',
    accountId: 'acc-1',
    owner: '+18005550100',
    contact: '+18005550199',
    isArchived: false,
    isRead: true,
    color: 'indigo',
    status: 'sent',
    lastMessageContent: 'earlier',
    lastMessageId: 'msg-1',
    lastReadAt: 1_700_000_000_000,
    orderTimestamp: 1_700_000_000_000,
    createdAt: 1_699_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...overrides,
  };
}

const BASE_PATCH = {
  orderTimestamp: 1_700_000_050_000,
  lastMessageId: 'msg-2',
  lastMessageContent: 'hello',
  status: 'sent',
  updatedAt: NOW,
};

describe('THREAD_COLORS', () => {
  it('is the frozen palette', () => {
    expect(Object.isFrozen(THREAD_COLORS)).toBe(true);
    expect(THREAD_COLORS).toHaveLength(17);
    expect(new Set(THREAD_COLORS).size).toBe(17);
    expect(THREAD_COLORS[0]).toBe('deep-purple');
    expect(THREAD_COLORS.at(-1)).toBe('brown');
    for (const color of ['indigo', 'light-blue', 'teal', 'lime', 'amber', 'deep-orange']) {
      expect(THREAD_COLORS).toContain(color);
    }
  });
});

describe('applyThreadEvent: no thread yet', () => {
  it('inserts a read, unarchived thread', () => {
    expect(applyThreadEvent(null, event(), CTX)).toEqual({
      kind: 'insert',
      thread: {
        id: 'thread-new',
        accountId: 'acc-1',
        owner: '+18005550100',
        contact: '+18005550199',
        isArchived: false,
        isRead: true,
        color: 'teal',
        status: 'sent',
        lastMessageContent: 'hello',
        lastMessageId: 'msg-2',
        lastReadAt: NOW,
        orderTimestamp: 1_700_000_050_000,
        createdAt: NOW,
        updatedAt: NOW,
      },
    });
  });

  it('inserts an unread thread when markUnread', () => {
    const change = applyThreadEvent(null, event({ markUnread: true, status: 'received' }), CTX);
    expect(change.kind).toBe('insert');
    if (change.kind === 'insert') {
      expect(change.thread.isRead).toBe(false);
      expect(change.thread.status).toBe('received');
      expect(change.thread.isArchived).toBe(false);
    }
  });
});

describe('applyThreadEvent: skip', () => {
  it('skips an older event of the last message (earlier second)', () => {
    const t = thread({ lastMessageId: 'msg-2', orderTimestamp: 1_700_000_060_000 });
    expect(applyThreadEvent(t, event(), CTX)).toEqual({ kind: 'skip' });
  });

  it('skips any event of a delivered last message, even a newer one', () => {
    const t = thread({ lastMessageId: 'msg-2', status: 'delivered' });
    expect(applyThreadEvent(t, event({ status: 'failed' }), CTX)).toEqual({ kind: 'skip' });
  });
});

describe('applyThreadEvent: update', () => {
  it('updates for another message', () => {
    expect(applyThreadEvent(thread(), event(), CTX)).toEqual({
      kind: 'update',
      patch: BASE_PATCH,
    });
  });

  it('updates an older event of another message', () => {
    const t = thread({ orderTimestamp: 1_700_000_060_000 });
    expect(applyThreadEvent(t, event(), CTX)).toEqual({ kind: 'update', patch: BASE_PATCH });
  });

  it('updates a delivered thread for another message', () => {
    const t = thread({ status: 'delivered' });
    expect(applyThreadEvent(t, event(), CTX)).toEqual({ kind: 'update', patch: BASE_PATCH });
  });

  it('updates an older event of the last message while it is sending', () => {
    const t = thread({
      lastMessageId: 'msg-2',
      status: 'sending',
      orderTimestamp: 1_700_000_060_000,
    });
    expect(applyThreadEvent(t, event(), CTX)).toEqual({ kind: 'update', patch: BASE_PATCH });
  });

  it('updates an event of the last message in the same second', () => {
    const t = thread({ lastMessageId: 'msg-2', orderTimestamp: 1_700_000_050_999 });
    const e = event({ timestamp: 1_700_000_050_001 });
    expect(applyThreadEvent(t, e, CTX)).toEqual({
      kind: 'update',
      patch: { ...BASE_PATCH, orderTimestamp: 1_700_000_050_001 },
    });
  });

  it('updates a newer event of the last message', () => {
    const t = thread({ lastMessageId: 'msg-2', status: 'sending' });
    const change = applyThreadEvent(t, event({ status: 'delivered' }), CTX);
    expect(change).toEqual({ kind: 'update', patch: { ...BASE_PATCH, status: 'delivered' } });
  });

  it('marks unread when the thread was read before the event arrived', () => {
    const change = applyThreadEvent(thread(), event({ markUnread: true }), CTX);
    expect(change).toEqual({ kind: 'update', patch: { ...BASE_PATCH, isRead: false } });
  });

  it("marks unread when the thread was read after the phone's timestamp but before the event arrived", () => {
    const t = thread({ lastReadAt: 1_700_000_070_000 });
    const change = applyThreadEvent(t, event({ markUnread: true }), CTX);
    expect(change).toEqual({ kind: 'update', patch: { ...BASE_PATCH, isRead: false } });
  });

  it('keeps read when the thread was read after the event arrived', () => {
    const t = thread({ lastReadAt: 1_700_000_090_000 });
    const change = applyThreadEvent(t, event({ markUnread: true }), CTX);
    expect(change).toEqual({ kind: 'update', patch: BASE_PATCH });
  });

  it('keeps read when the thread was read when the event arrived', () => {
    const t = thread({ lastReadAt: 1_700_000_080_000 });
    const change = applyThreadEvent(t, event({ markUnread: true }), CTX);
    expect(change).toEqual({ kind: 'update', patch: BASE_PATCH });
  });

  it("keeps read when the phone's timestamp is ahead of when the thread was read", () => {
    const t = thread({ lastReadAt: 1_700_000_090_000 });
    const ahead = event({ markUnread: true, timestamp: 1_700_000_095_000 });
    const change = applyThreadEvent(t, ahead, CTX);
    expect(change).toEqual({
      kind: 'update',
      patch: { ...BASE_PATCH, orderTimestamp: 1_700_000_095_000 },
    });
  });

  it('unarchives an archived thread when asked', () => {
    const t = thread({ isArchived: true });
    const change = applyThreadEvent(t, event({ unarchive: true }), CTX);
    expect(change).toEqual({ kind: 'update', patch: { ...BASE_PATCH, isArchived: false } });
  });

  it('leaves an archived thread archived when not asked', () => {
    const t = thread({ isArchived: true });
    expect(applyThreadEvent(t, event(), CTX)).toEqual({ kind: 'update', patch: BASE_PATCH });
  });

  it('does not touch isArchived on an unarchived thread', () => {
    const change = applyThreadEvent(thread(), event({ unarchive: true }), CTX);
    expect(change).toEqual({ kind: 'update', patch: BASE_PATCH });
  });

  it('does not mutate the thread', () => {
    const t = thread({ isArchived: true });
    const copy = { ...t };
    applyThreadEvent(t, event({ unarchive: true, markUnread: true }), CTX);
    expect(t).toEqual(copy);
  });
});
