/** Reading, deleting and canceling messages. */
import type { MessageRecord } from '../domain/records.js';
import { GatewayError } from '../errors.js';
import { decide } from '../lifecycle/machine.js';
import type { MessageStatus, MessageType } from '../lifecycle/status.js';
import type { GatewayContext } from '../uow/context.js';
import { runUnitOfWork } from '../uow/context.js';
import { messageEventData } from '../uow/payloads.js';
import { touchThread } from '../uow/thread-upkeep.js';

export interface ListMessagesInput {
  owner: string;
  contact: string;
  query?: string | null;
  skip?: number;
  limit?: number;
}

export interface SearchMessagesInput {
  owners?: readonly string[] | null;
  types?: readonly MessageType[] | null;
  statuses?: readonly MessageStatus[] | null;
  query?: string | null;
  /** Latest activity (`orderTimestamp`) at or after / before these times (epoch ms). */
  after?: number | null;
  before?: number | null;
  skip?: number;
  limit?: number;
}

export function notFoundMessage(id: string): GatewayError {
  return GatewayError.notFound(`cannot find message with ID [${id}]`);
}

export async function getMessage(
  ctx: GatewayContext,
  accountId: string,
  id: string,
): Promise<MessageRecord> {
  const message = await ctx.store.getMessage(accountId, id);
  if (!message) throw notFoundMessage(id);
  return message;
}

export async function listMessages(
  ctx: GatewayContext,
  accountId: string,
  input: ListMessagesInput,
) {
  return ctx.store.listMessages({
    accountId,
    owner: input.owner,
    contact: input.contact,
    query: input.query ?? null,
    skip: Math.max(0, input.skip ?? 0),
    limit: input.limit ?? 20,
  });
}

export async function searchMessages(
  ctx: GatewayContext,
  accountId: string,
  input: SearchMessagesInput,
) {
  return ctx.store.searchMessages({
    accountId,
    owners: input.owners ?? null,
    types: input.types ?? null,
    statuses: input.statuses ?? null,
    query: input.query ?? null,
    after: input.after ?? null,
    before: input.before ?? null,
    skip: Math.max(0, input.skip ?? 0),
    limit: input.limit ?? 100,
  });
}

/** Deletes a message and repairs its thread (the previous message becomes the last one). */
export async function deleteMessage(
  ctx: GatewayContext,
  accountId: string,
  id: string,
): Promise<MessageRecord> {
  return runUnitOfWork(ctx, async (uow) => {
    const deleted = await uow.tx.deleteMessage(accountId, id);
    if (!deleted) throw notFoundMessage(id);
    const previous = await uow.tx.latestMessageBetween(accountId, deleted.owner, deleted.contact);
    const thread = await uow.tx.findThread(accountId, deleted.owner, deleted.contact);
    if (thread && !previous) await uow.tx.deleteThread(accountId, thread.id);
    else if (thread && previous && thread.lastMessageId === deleted.id) {
      await uow.tx.updateThread(thread.id, {
        lastMessageId: previous.id,
        lastMessageContent: previous.content,
        status: previous.status,
        updatedAt: uow.now,
      });
    }
    const base = messageEventData(deleted, uow.now);
    uow.event('message.api.deleted', accountId, deleted.owner, `/v1/messages/${id}`, {
      message_id: deleted.id,
      user_id: accountId,
      owner: deleted.owner,
      request_id: deleted.requestId,
      contact: deleted.contact,
      timestamp: base.timestamp,
      content: deleted.content,
      encrypted: deleted.encrypted,
      previous_message_id: previous?.id ?? null,
      previous_message_status: previous?.status ?? null,
      previous_message_content: previous?.content ?? null,
      sim: deleted.sim,
    });
    return deleted;
  });
}

/**
 * Cancels a message the phone has not taken yet (pending, scheduled or expired).
 * Canceling a canceled message returns it unchanged.
 */
export async function cancelMessage(
  ctx: GatewayContext,
  accountId: string,
  id: string,
): Promise<MessageRecord> {
  for (;;) {
    const current = await getMessage(ctx, accountId, id);
    const decision = decide(current.status, 'cancel');
    if (decision.kind === 'ignore') return current;
    if (decision.kind === 'reject') throw new GatewayError('invalid_transition', decision.reason);
    const result = await runUnitOfWork(ctx, async (uow) => {
      const now = uow.now;
      const moved = await uow.tx.transition(id, [current.status], {
        status: decision.to,
        canceledAt: now,
        updatedAt: now,
        orderTimestamp: Math.max(current.orderTimestamp, now),
        dueAt: null,
        leaseOwner: null,
        leaseUntil: null,
      });
      if (!moved.ok) return null;
      uow.statusChanged(moved.message, current.status);
      await touchThread(uow, moved.message, { status: 'canceled', timestamp: now });
      uow.event(
        'message.api.canceled',
        accountId,
        moved.message.owner,
        `/v1/messages/${id}/cancel`,
        messageEventData(moved.message, now),
      );
      return moved.message;
    });
    if (result) return result;
    // Lost a race with the dispatcher or the phone: decide again on the new status.
  }
}
