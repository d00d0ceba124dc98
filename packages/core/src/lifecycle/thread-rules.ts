/**
 * Message-thread update rules: how a message event changes the thread of its
 * (owner, contact) pair. Pure: the caller loads the thread, applies the result
 * and supplies ids, colors and the clock.
 */
import type { ThreadRecord } from '../domain/records.js';
import type { MessageStatus } from './status.js';

/** Colors given to new threads. */
export const THREAD_COLORS = Object.freeze([
  'deep-purple',
  'indigo',
  'blue',
  'red',
  'pink',
  'purple',
  'light-blue',
  'cyan',
  'teal',
  'green',
  'light-green',
  'lime',
  'yellow',
  'amber',
  'orange',
  'deep-orange',
  'brown',
] as const);
export type ThreadColor = (typeof THREAD_COLORS)[number];

/** A message event that touches a thread. */
export interface ThreadEvent {
  accountId: string;
  owner: string;
  contact: string;
  messageId: string;
  content: string;
  status: MessageStatus;
  /** The message's order timestamp (epoch ms); for an incoming message, the phone's time. */
  timestamp: number;
  /**
   * When the event reached the gateway (epoch ms, the server's clock; httpSMS's event time):
   * a read thread turns unread only when it was read before this.
   */
  arrivedAt: number;
  /** Mark the thread unread (incoming messages). */
  markUnread: boolean;
  /** Bring an archived thread back (phone setting). */
  unarchive: boolean;
}

export interface ThreadContext {
  /** Id for the thread when one is created. */
  newId: string;
  /** Color for the thread when one is created. */
  color: string;
  now: number;
}

export type ThreadChange =
  | { kind: 'insert'; thread: ThreadRecord }
  | { kind: 'update'; patch: Partial<ThreadRecord> }
  | { kind: 'skip' };

const seconds = (ms: number): number => Math.floor(ms / 1000);

/**
 * Whether the event is stale for this thread: an older event of the thread's
 * last message (unless that message is still sending), or any event of a last
 * message that is already delivered.
 */
function isStale(thread: ThreadRecord, event: ThreadEvent): boolean {
  if (thread.lastMessageId !== event.messageId) return false;
  if (thread.status === 'delivered') return true;
  return seconds(thread.orderTimestamp) > seconds(event.timestamp) && thread.status !== 'sending';
}

/** What `event` does to `thread` (null when the pair has no thread yet). */
export function applyThreadEvent(
  thread: ThreadRecord | null,
  event: ThreadEvent,
  ctx: ThreadContext,
): ThreadChange {
  if (thread === null) {
    return {
      kind: 'insert',
      thread: {
        id: ctx.newId,
        accountId: event.accountId,
        owner: event.owner,
        contact: event.contact,
        isArchived: false,
        isRead: !event.markUnread,
        color: ctx.color,
        status: event.status,
        lastMessageContent: event.content,
        lastMessageId: event.messageId,
        lastReadAt: ctx.now,
        orderTimestamp: event.timestamp,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      },
    };
  }

  if (isStale(thread, event)) return { kind: 'skip' };

  const patch: Partial<ThreadRecord> = {
    orderTimestamp: event.timestamp,
    lastMessageId: event.messageId,
    lastMessageContent: event.content,
    status: event.status,
    updatedAt: ctx.now,
  };
  if (event.markUnread && thread.lastReadAt < event.arrivedAt) patch.isRead = false;
  if (event.unarchive && thread.isArchived) patch.isArchived = false;
  return { kind: 'update', patch };
}
