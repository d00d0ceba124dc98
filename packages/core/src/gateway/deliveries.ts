/**
 * A webhook's delivery log (its outbox rows, `/v1/webhooks/{id}/deliveries` in docs/http-api.md)
 * and redelivery: a delivered or failed delivery goes back to pending, due now, so the webhook
 * worker sends the same event (same id and bytes) again.
 */
import type { OutboxRecord } from '../domain/records.js';
import { GatewayError } from '../errors.js';
import type { GatewayContext } from '../uow/context.js';
import { getMessage } from './messages.js';
import { getWebhook } from './webhooks.js';

export interface DeliveryListInput {
  skip?: number;
  limit?: number;
}

/** The webhook's deliveries, newest first; 404 when the webhook is not the account's. */
export async function listDeliveries(
  ctx: GatewayContext,
  accountId: string,
  webhookId: string,
  input: DeliveryListInput = {},
): Promise<OutboxRecord[]> {
  await getWebhook(ctx, accountId, webhookId);
  return ctx.store.listOutbox({
    accountId,
    webhookId,
    skip: Math.max(0, input.skip ?? 0),
    limit: Math.max(0, input.limit ?? 20),
  });
}

/** The deliveries of the events about a message, newest first; 404 when it is not the account's. */
export async function listMessageDeliveries(
  ctx: GatewayContext,
  accountId: string,
  messageId: string,
  input: DeliveryListInput = {},
): Promise<OutboxRecord[]> {
  await getMessage(ctx, accountId, messageId);
  return ctx.store.listOutbox({
    accountId,
    subjectId: messageId,
    skip: Math.max(0, input.skip ?? 0),
    limit: Math.max(0, input.limit ?? 20),
  });
}

/** Puts a delivered or failed delivery back to pending, due now; a pending one is a 409. */
export async function redeliver(
  ctx: GatewayContext,
  accountId: string,
  webhookId: string,
  deliveryId: string,
): Promise<OutboxRecord> {
  await getWebhook(ctx, accountId, webhookId);
  const row = await ctx.store.getOutbox(accountId, deliveryId);
  if (!row || row.webhookId !== webhookId) {
    throw GatewayError.notFound(`cannot find delivery with ID [${deliveryId}]`);
  }
  if (row.status === 'pending') {
    throw new GatewayError(
      'invalid_transition',
      `delivery [${deliveryId}] is pending already: it is sent when due`,
    );
  }
  const now = ctx.clock.now();
  const updated = await ctx.store.updateOutbox(row.id, {
    status: 'pending',
    nextAttemptAt: now,
    leaseOwner: null,
    leaseUntil: null,
    updatedAt: now,
  });
  if (!updated) throw GatewayError.notFound(`cannot find delivery with ID [${deliveryId}]`);
  return updated;
}
