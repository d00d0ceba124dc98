/**
 * Conformance (ActivityStore): an account's messages counted by status and its events per
 * bucket since a time; its webhook deliveries that failed or are being retried. Other
 * accounts' rows never count.
 */
import { expect, it } from 'vitest';
import type { MessageRecord } from '../../domain/records.js';
import { makeMessage, makeOutbox } from '../fixtures.js';
import { type GroupContext, uuid } from './context.js';

const HOUR = 3_600_000;
/** A whole hour, so buckets start at known times. */
const T0 = Date.UTC(2026, 0, 5, 10);

function at(accountId: string, o: Partial<MessageRecord>): MessageRecord {
  const times = [o.sentAt, o.deliveredAt, o.failedAt, o.receivedAt].filter(
    (v): v is number => typeof v === 'number',
  );
  // The gateway keeps orderTimestamp at or after every event time.
  const order = Math.max(T0 - 48 * HOUR, ...times);
  return makeMessage({ accountId, createdAt: T0 - 48 * HOUR, orderTimestamp: order, ...o });
}

export function activityGroup(ctx: GroupContext): void {
  it('counts the messages by status, of this account only', async () => {
    const accountId = uuid();
    await ctx.store.insertMessages([
      at(accountId, { status: 'delivered', sentAt: T0, deliveredAt: T0 }),
      at(accountId, { status: 'delivered', sentAt: T0, deliveredAt: T0 }),
      at(accountId, { status: 'pending' }),
      at(accountId, { status: 'received', type: 'mobile-terminated', receivedAt: T0 }),
      at(uuid(), { status: 'failed', failedAt: T0 }),
    ]);
    const activity = await ctx.store.getMessageActivity({ accountId, since: 0, bucketMs: HOUR });
    expect(activity.byStatus).toEqual({ delivered: 2, pending: 1, received: 1 });
    const none = await ctx.store.getMessageActivity({
      accountId: uuid(),
      since: 0,
      bucketMs: HOUR,
    });
    expect(none).toEqual({ byStatus: {}, buckets: [] });
  });

  it('counts each event in the bucket of its own time, from the bucket of `since` on, oldest first', async () => {
    const accountId = uuid();
    await ctx.store.insertMessages([
      // Sent before `since`, delivered after: only the delivery counts.
      at(accountId, { status: 'delivered', sentAt: T0 - 1, deliveredAt: T0 + 5 }),
      at(accountId, { status: 'delivered', sentAt: T0 + 10, deliveredAt: T0 + HOUR + 1 }),
      at(accountId, { status: 'sent', sentAt: T0 + HOUR - 1 }),
      at(accountId, { status: 'failed', failedAt: T0 + 3 * HOUR + 7, failureReason: 'X' }),
      at(accountId, { status: 'received', type: 'mobile-terminated', receivedAt: T0 + 3 * HOUR }),
      at(accountId, { status: 'received', type: 'mobile-terminated', receivedAt: T0 - HOUR }),
      at(accountId, { status: 'pending' }),
    ]);
    const activity = await ctx.store.getMessageActivity({ accountId, since: T0, bucketMs: HOUR });
    expect(activity.buckets).toEqual([
      { start: T0, sent: 2, delivered: 1, failed: 0, received: 0 },
      { start: T0 + HOUR, sent: 0, delivered: 1, failed: 0, received: 0 },
      { start: T0 + 3 * HOUR, sent: 0, delivered: 0, failed: 1, received: 1 },
    ]);
    // A `since` inside a bucket counts that whole bucket.
    const within = await ctx.store.getMessageActivity({
      accountId,
      since: T0 + 30,
      bucketMs: HOUR,
    });
    expect(within.buckets).toEqual(activity.buckets);
    const quarter = await ctx.store.getMessageActivity({
      accountId,
      since: T0 + 3 * HOUR,
      bucketMs: HOUR / 4,
    });
    expect(quarter.buckets).toEqual([
      { start: T0 + 3 * HOUR, sent: 0, delivered: 0, failed: 1, received: 1 },
    ]);
  });

  it('counts the deliveries that failed and the ones being retried, created since a time', async () => {
    const accountId = uuid();
    const webhookId = uuid();
    const row = (o: Parameters<typeof makeOutbox>[0]) =>
      makeOutbox({ accountId, webhookId, createdAt: T0, updatedAt: T0, ...o });
    await ctx.store.insertOutbox([
      row({ status: 'failed', attempts: 12 }),
      row({ status: 'failed', attempts: 12, createdAt: T0 - 1 }),
      row({ status: 'pending', attempts: 2, lastError: 'HTTP 500' }),
      row({ status: 'pending', attempts: 0 }),
      row({ status: 'delivered', attempts: 3 }),
      makeOutbox({ accountId: uuid(), status: 'failed', createdAt: T0 }),
    ]);
    expect(await ctx.store.getWebhookFailures(accountId, T0)).toEqual({ failed: 1, retrying: 1 });
    expect(await ctx.store.getWebhookFailures(accountId, 0)).toEqual({ failed: 2, retrying: 1 });
    expect(await ctx.store.getWebhookFailures(uuid(), 0)).toEqual({ failed: 0, retrying: 0 });
  });
}
