/** Keeps message threads in step with message events, inside the caller's transaction. */
import type { MessageRecord, ThreadRecord } from '../domain/records.js';
import type { MessageStatus } from '../lifecycle/status.js';
import { applyThreadEvent, type ThreadEvent } from '../lifecycle/thread-rules.js';
import type { Store, ThreadUpdate } from '../store.js';
import type { UnitOfWork } from './context.js';

export interface ThreadTouch {
  status: MessageStatus;
  timestamp: number;
  /** Text shown as the last message (default: the message content). */
  content?: string;
  markUnread?: boolean;
  unarchive?: boolean;
}

function threadEvent(message: MessageRecord, touch: ThreadTouch, arrivedAt: number): ThreadEvent {
  return {
    accountId: message.accountId,
    owner: message.owner,
    contact: message.contact,
    messageId: message.id,
    content: touch.content ?? message.content,
    status: touch.status,
    timestamp: touch.timestamp,
    arrivedAt,
    markUnread: touch.markUnread ?? false,
    unarchive: touch.unarchive ?? false,
  };
}

function threadContext(uow: UnitOfWork) {
  return { newId: uow.uuid(), color: uow.pickColor(), now: uow.now };
}

export async function touchThread(
  uow: UnitOfWork,
  message: MessageRecord,
  touch: ThreadTouch,
): Promise<void> {
  const tx: Store = uow.tx;
  const thread = await tx.findThread(message.accountId, message.owner, message.contact);
  const change = applyThreadEvent(thread, threadEvent(message, touch, uow.now), threadContext(uow));
  if (change.kind === 'insert') await tx.insertThread(change.thread);
  else if (change.kind === 'update' && thread) {
    // No need for the row back: the batch form writes without reading it.
    await tx.updateThreads([{ id: thread.id, patch: change.patch }]);
  }
}

const pairOf = (r: { accountId: string; owner: string; contact: string }) =>
  `${r.accountId}\u0000${r.owner}\u0000${r.contact}`;

/**
 * `touchThread` for many messages at once: the threads are read (and, in SQL
 * stores, locked) in one call, each message's event applied in the order given,
 * and each thread written once, with what its events changed together.
 */
export async function touchThreads(
  uow: UnitOfWork,
  touches: readonly { message: MessageRecord; touch: ThreadTouch }[],
): Promise<void> {
  if (touches.length === 0) return;
  const tx: Store = uow.tx;
  const current = new Map<string, ThreadRecord>();
  for (const thread of await tx.findThreads(touches.map(({ message }) => message))) {
    current.set(pairOf(thread), thread);
  }
  const inserts = new Map<string, ThreadRecord>();
  const updates = new Map<string, ThreadUpdate>();
  for (const { message, touch } of touches) {
    const pair = pairOf(message);
    const thread = current.get(pair) ?? null;
    // A new id and colour only for a thread to create (each costs a random draw).
    const made = thread === null ? threadContext(uow) : { newId: '', color: '', now: uow.now };
    const change = applyThreadEvent(thread, threadEvent(message, touch, uow.now), made);
    if (change.kind === 'insert') {
      current.set(pair, change.thread);
      inserts.set(pair, change.thread);
    } else if (change.kind === 'update' && thread) {
      const next = { ...thread, ...change.patch };
      current.set(pair, next);
      if (inserts.has(pair)) inserts.set(pair, next);
      else {
        const update = updates.get(thread.id);
        updates.set(thread.id, { id: thread.id, patch: { ...update?.patch, ...change.patch } });
      }
    }
  }
  for (const thread of inserts.values()) await tx.insertThread(thread);
  await tx.updateThreads([...updates.values()]);
}
