/** The memory store's ActivityStore part. */
import type { MessageStatus } from '../../lifecycle/status.js';
import {
  ACTIVITY_EVENTS,
  type ActivityBucket,
  addToBucket,
  bucketStart,
  type MessageActivity,
  type MessageActivityQuery,
  sortedBuckets,
  type WebhookFailureCounts,
} from '../activity.js';
import type { Tables } from './tables.js';

export function getMessageActivity(t: Tables, query: MessageActivityQuery): MessageActivity {
  const byStatus: Partial<Record<MessageStatus, number>> = {};
  const buckets = new Map<number, ActivityBucket>();
  const first = bucketStart(query.since, query.bucketMs);
  for (const m of t.messages.values()) {
    if (m.accountId !== query.accountId) continue;
    byStatus[m.status] = (byStatus[m.status] ?? 0) + 1;
    for (const [kind, field] of ACTIVITY_EVENTS) {
      const at = m[field];
      const start = at === null ? null : bucketStart(at, query.bucketMs);
      if (start !== null && start >= first) addToBucket(buckets, start, kind, 1);
    }
  }
  return { byStatus, buckets: sortedBuckets(buckets) };
}

export function getWebhookFailures(
  t: Tables,
  accountId: string,
  since: number,
): WebhookFailureCounts {
  const counts = { failed: 0, retrying: 0 };
  for (const row of t.outbox.values()) {
    if (row.accountId !== accountId || row.createdAt < since) continue;
    if (row.status === 'failed') counts.failed += 1;
    else if (row.status === 'pending' && row.attempts > 0) counts.retrying += 1;
  }
  return counts;
}
