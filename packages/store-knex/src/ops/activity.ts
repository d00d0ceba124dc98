/**
 * The overview's counts: messages by status (one grouped scan of the account's rows), events per
 * bucket (one grouped scan of the account's rows ordered since `since`, through the `account`
 * index), and failed webhook deliveries (the outbox's `account_created` index).
 */
import type { MessageStatus } from '@textport/core';
import {
  ACTIVITY_EVENTS,
  type ActivityBucket,
  addToBucket,
  bucketStart,
  type MessageActivity,
  type MessageActivityQuery,
  sortedBuckets,
  type WebhookFailureCounts,
} from '@textport/core/store';
import { columnValues } from '../rows/codec.js';
import type { Db } from '../sql/db.js';
import { join, raw, sql } from '../sql/fragment.js';

const COLUMNS = {
  sentAt: 'sent_at',
  deliveredAt: 'delivered_at',
  failedAt: 'failed_at',
  receivedAt: 'received_at',
} as const;

export async function getMessageActivity(
  db: Db,
  query: MessageActivityQuery,
): Promise<MessageActivity> {
  const t = db.kit.t.messages;
  const { accountId, since } = query;
  const width = Math.max(1, Math.floor(query.bucketMs));
  const statuses = await db.all(
    sql`SELECT status, count(*) AS n FROM ${t} WHERE account_id = ${accountId} GROUP BY status`,
  );
  const byStatus: Partial<Record<MessageStatus, number>> = {};
  const counts = columnValues(statuses, 'n');
  for (const [i, status] of columnValues(statuses, 'status').entries()) {
    byStatus[status as MessageStatus] = Number(counts[i]);
  }
  const first = bucketStart(since, width);
  // One pass over the rows ordered since the first bucket: grouped by the bucket of each event time.
  // The width is a whole number written into the text, so GROUP BY sees the same expressions.
  const columns = ACTIVITY_EVENTS.map(([kind, field]) => {
    const at = COLUMNS[field];
    return raw(`(${at} - ${at} % ${width}) AS ${kind}`);
  });
  const rows = await db.all(sql`
    SELECT ${join(columns, ', ')}, count(*) AS n FROM ${t}
      WHERE account_id = ${accountId} AND order_timestamp >= ${first}
      GROUP BY ${raw(ACTIVITY_EVENTS.map(([kind]) => kind).join(', '))}`);
  const buckets = new Map<number, ActivityBucket>();
  const events = columnValues(rows, 'n');
  for (const [kind] of ACTIVITY_EVENTS) {
    for (const [i, start] of columnValues(rows, kind).entries()) {
      if (start === null || start === undefined || Number(start) < first) continue;
      addToBucket(buckets, Number(start), kind, Number(events[i]));
    }
  }
  return { byStatus, buckets: sortedBuckets(buckets) };
}

export async function getWebhookFailures(
  db: Db,
  accountId: string,
  since: number,
): Promise<WebhookFailureCounts> {
  const t = db.kit.t.outbox;
  const rows = await db.all(sql`
    SELECT
      count(CASE WHEN status = 'failed' THEN 1 END) AS failed,
      count(CASE WHEN status = 'pending' AND attempts > 0 THEN 1 END) AS retrying
    FROM ${t} WHERE account_id = ${accountId} AND created_at >= ${since}`);
  return {
    failed: Number(columnValues(rows, 'failed')[0] ?? 0),
    retrying: Number(columnValues(rows, 'retrying')[0] ?? 0),
  };
}
