/**
 * The overview's counts: messages by status (one grouped scan of the account's rows), events per
 * bucket (the account's rows ordered since `since`, through the `account` index), and failed
 * webhook deliveries (the outbox's `account_created` index).
 */
import type { MessageStatus } from '@textport/core';
import {
  ACTIVITY_EVENTS,
  type ActivityBucket,
  addToBucket,
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
  // The width is a whole number written into the text: the same expression in SELECT and GROUP BY.
  const selects = ACTIVITY_EVENTS.map(([kind, field]) => {
    const at = COLUMNS[field];
    const bucket = raw(`(${at} - ${at} % ${width})`);
    return sql`SELECT ${raw(`'${kind}'`)} AS kind, ${bucket} AS bucket, count(*) AS n FROM ${t}
      WHERE account_id = ${accountId} AND order_timestamp >= ${since} AND ${raw(at)} >= ${since}
      GROUP BY ${bucket}`;
  });
  const rows = await db.all(join(selects, ' UNION ALL '));
  const buckets = new Map<number, ActivityBucket>();
  const starts = columnValues(rows, 'bucket');
  const events = columnValues(rows, 'n');
  for (const [i, kind] of columnValues(rows, 'kind').entries()) {
    const name = kind as (typeof ACTIVITY_EVENTS)[number][0];
    addToBucket(buckets, Number(starts[i]), name, Number(events[i]));
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
