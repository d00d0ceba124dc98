/**
 * ActivityStore: the counts an account's overview shows — its messages by status, what
 * happened to them per time bucket, and its webhook deliveries that failed. Implemented by
 * `memory/activity.ts` and store-knex's `ops/activity.ts`; checked by the conformance group
 * `activity`.
 */
import type { MessageStatus } from '../lifecycle/status.js';

export interface MessageActivityQuery {
  accountId: string;
  /** Events in buckets starting at or after `bucketStart(since)` are counted in `buckets`. */
  since: number;
  /** Bucket length in ms (a whole number ≥ 1); a bucket starts at a multiple of it. */
  bucketMs: number;
}

/** What happened in one bucket, by the time each event happened. */
export interface ActivityBucket {
  /** Epoch ms, a multiple of `bucketMs`. */
  start: number;
  /** Messages with `sentAt` in the bucket. */
  sent: number;
  delivered: number;
  failed: number;
  received: number;
}

export interface MessageActivity {
  /** Every message of the account by status; a status without messages is absent. */
  byStatus: Partial<Record<MessageStatus, number>>;
  /** The buckets with something in them, oldest first. */
  buckets: ActivityBucket[];
}

export interface WebhookFailureCounts {
  /** Deliveries created at or after `since` that gave up (`failed`). */
  failed: number;
  /** Deliveries created at or after `since` still being retried (pending after a failed attempt). */
  retrying: number;
}

export interface ActivityStore {
  /**
   * Counts by status, and the sent/delivered/failed/received events per bucket from the bucket
   * of `query.since` on. A message's `orderTimestamp` is never earlier than any of its event times (the
   * gateway moves it forward with every event), so stores may skip rows ordered before that first bucket.
   */
  getMessageActivity(query: MessageActivityQuery): Promise<MessageActivity>;
  getWebhookFailures(accountId: string, since: number): Promise<WebhookFailureCounts>;
}

/** The event columns a bucket counts, by their bucket field. */
export const ACTIVITY_EVENTS = [
  ['sent', 'sentAt'],
  ['delivered', 'deliveredAt'],
  ['failed', 'failedAt'],
  ['received', 'receivedAt'],
] as const;

/** The bucket a time falls in. */
export function bucketStart(at: number, bucketMs: number): number {
  return at - (at % bucketMs);
}

/** Adds `count` events of `kind` at `start` to `buckets` (by start), creating the bucket. */
export function addToBucket(
  buckets: Map<number, ActivityBucket>,
  start: number,
  kind: (typeof ACTIVITY_EVENTS)[number][0],
  count: number,
): void {
  let bucket = buckets.get(start);
  if (!bucket) {
    bucket = { start, sent: 0, delivered: 0, failed: 0, received: 0 };
    buckets.set(start, bucket);
  }
  bucket[kind] += count;
}

/** The buckets oldest first. */
export function sortedBuckets(buckets: Map<number, ActivityBucket>): ActivityBucket[] {
  return [...buckets.values()].sort((a, b) => a.start - b.start);
}
