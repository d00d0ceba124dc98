/**
 * The failover sweep (docs/routing.md, Failover), run by every node: it marks the
 * live links this node holds as seen, then claims the queued pool messages of
 * members that cannot send (offline by the heartbeat monitor, or a link no node
 * has seen for `pools.linkGraceMs`) and moves them to other members. Messages the
 * phone may already hold are left to their expiry check, whose retry then moves.
 * Claims are leased like the dispatcher's, so nodes never move a message twice.
 */
import type { MessageRecord, PhoneRecord } from '../domain/records.js';
import type { Transport } from '../transport.js';
import type { StepContext } from './handoff.js';
import { checkExpiry, settle } from './handoff.js';
import { isQueued } from './plan.js';
import { rerouteMessage } from './reroute.js';

const PHONES_PER_PAGE = 100;

export interface FailoverOptions {
  batchSize: number;
  leaseMs: number;
}

/** The phones this node's transports hold a live link to (push transports reach any phone: none). */
export function linkedPhoneIds(transports: readonly Transport[]): string[] {
  const ids = new Set<string>();
  for (const t of transports) {
    const phones = t.reach().phoneIds;
    if (phones !== 'any') for (const id of phones) ids.add(id);
  }
  return [...ids];
}

export class PoolFailover {
  private lastTouch = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly s: StepContext,
    private readonly transports: readonly Transport[],
    private readonly options: FailoverOptions,
  ) {}

  /** One sweep; returns how many messages moved. */
  async runOnce(): Promise<number> {
    const { ctx } = this.s;
    const now = ctx.clock.now();
    const grace = ctx.pools.linkGraceMs;
    if (now - this.lastTouch >= grace / 4) {
      await ctx.store.touchPhoneLinks(linkedPhoneIds(this.transports), now);
      this.lastTouch = now;
    }
    let moved = 0;
    for (let afterId: string | null = null; ; ) {
      const page = await ctx.store.listUnhealthyPoolPhones({
        linkSeenBefore: now - grace,
        afterId,
        limit: PHONES_PER_PAGE,
      });
      for (const phone of page) moved += await this.drain(phone);
      if (page.length < PHONES_PER_PAGE) return moved;
      afterId = page[page.length - 1]?.id ?? null;
    }
  }

  /** Moves the phone's queued pool messages, a batch at a time, while any moves. */
  private async drain(phone: PhoneRecord): Promise<number> {
    const { ctx, claimer } = this.s;
    const reason = phone.online ? 'link_lost' : 'offline';
    let moved = 0;
    for (let more = true; more; ) {
      const rows = await ctx.store.claimDue({
        now: ctx.clock.now(),
        phoneIds: [phone.id],
        limit: this.options.batchSize,
        leaseMs: this.options.leaseMs,
        claimer,
        pooledOnly: true,
      });
      let progress = 0;
      for (const row of rows) {
        if (isQueued(row)) {
          const m = await rerouteMessage(this.s, row, { reason, leased: true });
          if (m) progress += 1;
          else await settleLease(this.s, row);
        } else if (row.status === 'scheduled' || row.status === 'sending') {
          await checkExpiry(this.s, row, phone);
        } else await settle(this.s, row);
      }
      moved += progress;
      more = rows.length === this.options.batchSize && progress > 0;
    }
    return moved;
  }
}

/** Gives the claim back and leaves the row due: no member can take it now. */
async function settleLease(s: StepContext, row: MessageRecord): Promise<void> {
  await s.ctx.store.transition(
    row.id,
    [row.status],
    { leaseOwner: null, leaseUntil: null },
    { leaseOwner: s.claimer },
  );
}
