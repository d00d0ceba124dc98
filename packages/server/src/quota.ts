/**
 * The standalone's monthly limit (`TEXTPORT_MONTHLY_MESSAGE_LIMIT`): the gateway's quota
 * hook refusing a send that would take an account past this many outgoing messages in
 * the calendar month (UTC). The count is read from the store at each send, so it holds
 * across restarts and nodes; sends racing each other may pass it by the few in flight.
 */
import type { QuotaHook } from '@textport/core';
import type { Store } from '@textport/core/store';

/** The first instant of the UTC calendar month of `now`. */
export function monthStart(now: number): number {
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

export function monthlyQuota(store: Store, limit: number, now = () => Date.now()): QuotaHook {
  return async ({ accountId, messages }) => {
    const used = await store.getOutgoingCount(accountId, monthStart(now()));
    if (used + messages <= limit) return true;
    return {
      allowed: false,
      message: `the monthly limit of ${limit} ${limit === 1 ? 'message' : 'messages'} is reached: ${used} sent this month, ${messages} more asked`,
    };
  };
}
