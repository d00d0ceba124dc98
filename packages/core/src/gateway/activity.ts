/**
 * An account's activity for its overview: every message by status, what was sent, delivered,
 * failed and received in each of the last hours, and the webhook deliveries that failed.
 */
import { GatewayError } from '../errors.js';
import { MESSAGE_STATUSES, type MessageStatus } from '../lifecycle/status.js';
import { type ActivityBucket, bucketStart, type WebhookFailureCounts } from '../store/activity.js';
import type { GatewayContext } from '../uow/context.js';

const HOUR_MS = 3_600_000;
/** The longest look back (a week of hours). */
export const MAX_ACTIVITY_HOURS = 168;

export interface AccountActivity {
  /** The start of the first hour. */
  since: number;
  /** Every status, 0 when no message has it. */
  byStatus: Record<MessageStatus, number>;
  /** One bucket per hour, oldest first; the last is the current hour. */
  hours: ActivityBucket[];
  /** Webhook deliveries of events since `since`. */
  webhookDeliveries: WebhookFailureCounts;
}

export async function accountActivity(
  ctx: GatewayContext,
  accountId: string,
  hours = 24,
): Promise<AccountActivity> {
  if (!Number.isInteger(hours) || hours < 1 || hours > MAX_ACTIVITY_HOURS) {
    throw GatewayError.validation({
      hours: [`The hours field must be a whole number from 1 to ${MAX_ACTIVITY_HOURS}`],
    });
  }
  const current = bucketStart(ctx.clock.now(), HOUR_MS);
  const since = current - (hours - 1) * HOUR_MS;
  const activity = await ctx.store.getMessageActivity({ accountId, since, bucketMs: HOUR_MS });
  const webhookDeliveries = await ctx.store.getWebhookFailures(accountId, since);
  const found = new Map(activity.buckets.map((b) => [b.start, b]));
  const byStatus = Object.fromEntries(
    MESSAGE_STATUSES.map((s) => [s, activity.byStatus[s] ?? 0]),
  ) as Record<MessageStatus, number>;
  return {
    since,
    byStatus,
    hours: Array.from({ length: hours }, (_, i) => {
      const start = since + i * HOUR_MS;
      return found.get(start) ?? { start, sent: 0, delivered: 0, failed: 0, received: 0 };
    }),
    webhookDeliveries,
  };
}
