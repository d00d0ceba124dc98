/** Keeps message threads in step with message events, inside the caller's transaction. */
import type { MessageRecord } from '../domain/records.js';
import type { MessageStatus } from '../lifecycle/status.js';
import { applyThreadEvent } from '../lifecycle/thread-rules.js';
import type { Store } from '../store.js';
import type { UnitOfWork } from './context.js';

export interface ThreadTouch {
  status: MessageStatus;
  timestamp: number;
  /** Text shown as the last message (default: the message content). */
  content?: string;
  markUnread?: boolean;
  unarchive?: boolean;
}

export async function touchThread(
  uow: UnitOfWork,
  message: MessageRecord,
  touch: ThreadTouch,
): Promise<void> {
  const tx: Store = uow.tx;
  const thread = await tx.findThread(message.accountId, message.owner, message.contact);
  const change = applyThreadEvent(
    thread,
    {
      accountId: message.accountId,
      owner: message.owner,
      contact: message.contact,
      messageId: message.id,
      content: touch.content ?? message.content,
      status: touch.status,
      timestamp: touch.timestamp,
      markUnread: touch.markUnread ?? false,
      unarchive: touch.unarchive ?? false,
    },
    { newId: uow.uuid(), color: uow.pickColor(), now: uow.now },
  );
  if (change.kind === 'insert') await tx.insertThread(change.thread);
  else if (change.kind === 'update' && thread) await tx.updateThread(thread.id, change.patch);
}
