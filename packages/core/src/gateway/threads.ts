/** Message threads: one per (account, owner, contact), kept by the message events. */
import type { ThreadRecord } from '../domain/records.js';
import { formatTimestamp } from '../domain/time.js';
import { GatewayError } from '../errors.js';
import type { GatewayContext } from '../uow/context.js';
import { runUnitOfWork } from '../uow/context.js';

export interface ListThreadsInput {
  owner: string;
  isArchived?: boolean;
  query?: string | null;
  skip?: number;
  limit?: number;
}

function notFound(id: string) {
  return GatewayError.notFound(`cannot find message thread with ID [${id}]`);
}

export async function listThreads(ctx: GatewayContext, accountId: string, input: ListThreadsInput) {
  return ctx.store.listThreads({
    accountId,
    owner: input.owner,
    isArchived: input.isArchived ?? false,
    query: input.query ?? null,
    skip: Math.max(0, input.skip ?? 0),
    limit: input.limit ?? 20,
  });
}

export async function updateThread(
  ctx: GatewayContext,
  accountId: string,
  id: string,
  input: { isArchived?: boolean; isRead?: boolean },
): Promise<ThreadRecord> {
  if (input.isArchived === undefined && input.isRead === undefined) {
    throw GatewayError.validation({
      payload: ['at least one of is_archived or is_read is required'],
    });
  }
  const thread = await ctx.store.getThread(accountId, id);
  if (!thread) throw notFound(id);
  const now = ctx.clock.now();
  const patch: Partial<ThreadRecord> = { updatedAt: now };
  if (input.isArchived !== undefined) patch.isArchived = input.isArchived;
  if (input.isRead !== undefined) {
    patch.isRead = input.isRead;
    if (input.isRead) patch.lastReadAt = now;
  }
  const updated = await ctx.store.updateThread(id, patch);
  if (!updated) throw notFound(id);
  return updated;
}

/** Deletes the thread and every message between its owner and contact. */
export async function deleteThread(ctx: GatewayContext, accountId: string, id: string) {
  return runUnitOfWork(ctx, async (uow) => {
    const thread = await uow.tx.deleteThread(accountId, id);
    if (!thread) throw notFound(id);
    await uow.tx.deleteMessagesBetween(accountId, thread.owner, thread.contact);
    uow.event('message-thread.api.deleted', accountId, thread.owner, `/v1/message-threads/${id}`, {
      message_thread_id: thread.id,
      user_id: accountId,
      owner: thread.owner,
      contact: thread.contact,
      is_archived: thread.isArchived,
      color: thread.color,
      status: thread.status,
      timestamp: formatTimestamp(uow.now),
    });
    return thread;
  });
}
