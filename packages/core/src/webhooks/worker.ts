/**
 * Webhook delivery: sends the outbox rows that state changes wrote in their own
 * transaction. Each row is one event for one webhook; every attempt posts the same
 * body with the same event id (attempt.ts says what each answer means).
 *
 * Scheduling. The worker claims continuously: as many rows as it has free slots
 * (`concurrency`), and every finished attempt frees its slot for the next claim —
 * no claim waits for the slowest attempt of the one before. Each webhook is a lane
 * with at most `perWebhookConcurrency` attempts in flight; rows claimed beyond that
 * wait in their lane, and the webhook of a full lane is left out of claims
 * (`excludeWebhookIds`), so a slow receiver holds only its own few slots and delays
 * only its own events. An attempt has a wall-clock deadline (`timeoutMs`); its lease
 * (twice that plus a second) outlasts it, and a row that waited in its lane is
 * re-leased before its attempt when its lease would not cover the deadline.
 */

import type { WebhookDeliveryOptions } from '../config/config.js';
import type { OutboxRecord, WebhookRecord } from '../domain/records.js';
import { WorkLoop } from '../jobs/work-loop.js';
import type { GatewayContext } from '../uow/context.js';
import { type AttemptDeps, deliverRow } from './attempt.js';
import { createPoster } from './post.js';
import { JwtCache } from './signing.js';

export { retryAfterMs } from './attempt.js';

/** A claimed row and the promise its attempt settles. */
interface Claimed {
  row: OutboxRecord;
  settled: Promise<void>;
  settle(): void;
}

/** One webhook's attempts in flight, rows waiting for a slot, and its record. */
interface Lane {
  active: number;
  waiting: Claimed[];
  hook: Promise<WebhookRecord | null> | undefined;
  hookReadAt: number;
  /** Left out of a claim, or claimed beyond its slots: more of its rows may be due. */
  behind: boolean;
}

export class WebhookWorker {
  private readonly loop: WorkLoop;
  private readonly deps: AttemptDeps;
  private readonly lanes = new Map<string, Lane>();
  private readonly running = new Set<Promise<void>>();
  private inFlight = 0;
  /** The last claim was full: more rows of webhooks with free slots may be due. */
  private moreDue = false;
  private unsubscribe: (() => void) | undefined;

  private readonly options: WebhookDeliveryOptions;

  constructor(private readonly ctx: GatewayContext) {
    const options = ctx.webhooks;
    this.options = options;
    this.deps = {
      ctx,
      options,
      claimer: ctx.nodeId,
      http: createPoster({
        maxSockets: options.concurrency,
        refusePrivateNetworks: options.refusePrivateNetworks,
      }),
      tokens: new JwtCache(),
    };
    this.loop = new WorkLoop({
      runOnce: () => this.fill(),
      // fill() claims until its slots are taken; the loop only wakes it.
      batchSize: Number.POSITIVE_INFINITY,
      pollIntervalMs: options.pollIntervalMs,
      onError: (error) => {
        ctx.operations.report('store.error', { operation: 'webhook.round', error });
        ctx.logger.error({ err: error }, 'webhook delivery round failed');
      },
    });
  }

  start(): void {
    if (this.loop.isRunning) return;
    this.unsubscribe = this.ctx.notifier.subscribe('outbox', () => this.loop.wake());
    this.loop.start();
  }

  /** Stops claiming, hands waiting rows back to the store, and waits for the attempts in flight. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.loop.stop();
    for (const lane of this.lanes.values()) {
      for (const claimed of lane.waiting.splice(0)) {
        await this.release(claimed.row);
        claimed.settle();
      }
    }
    while (this.running.size > 0) await Promise.all(this.running);
    this.deps.http.close();
  }

  /** Claims due rows for the free slots, sends them, and waits for their attempts; returns how many. */
  async runOnce(): Promise<number> {
    const claimed = await this.claim();
    await Promise.all(claimed.map((c) => c.settled));
    return claimed.length;
  }

  /** A round of the loop: claims while slots are free and rows come, without waiting for attempts. */
  private async fill(): Promise<number> {
    let total = 0;
    for (;;) {
      const limit = this.claimLimit();
      const claimed = await this.claim();
      total += claimed.length;
      if (claimed.length === 0 || claimed.length < limit) return total;
    }
  }

  /**
   * How many rows the next claim may take: the free slots plus one batch read ahead.
   * Rows waiting in a lane that is at its own limit are not counted: that lane is left
   * out of claims until it catches up, and must not hold back the others.
   */
  private claimLimit(): number {
    let ready = 0;
    for (const lane of this.lanes.values()) {
      if (lane.active < this.options.perWebhookConcurrency) ready += lane.waiting.length;
    }
    const room = this.options.concurrency + this.options.batchSize - this.inFlight - ready;
    return Math.min(this.options.batchSize, room);
  }

  /** A lane with its slots taken and as many rows again waiting is left out of claims. */
  private isFull(lane: Lane): boolean {
    return lane.active + lane.waiting.length >= 2 * this.options.perWebhookConcurrency;
  }

  private async claim(): Promise<Claimed[]> {
    const limit = this.claimLimit();
    if (limit <= 0) {
      this.moreDue = true;
      return [];
    }
    const excluded: string[] = [];
    for (const [id, lane] of this.lanes) {
      if (!this.isFull(lane)) continue;
      excluded.push(id);
      lane.behind = true;
    }
    const rows = await this.ctx.store.claimOutbox({
      now: this.ctx.clock.now(),
      limit,
      leaseMs: this.leaseMs,
      claimer: this.deps.claimer,
      excludeWebhookIds: excluded,
    });
    this.moreDue = rows.length === limit;
    return rows.map((row) => this.admit(row));
  }

  private get leaseMs(): number {
    return 2 * this.options.timeoutMs + 1000;
  }

  /** Queues a claimed row in its webhook's lane and starts what the lane may run. */
  private admit(row: OutboxRecord): Claimed {
    let lane = this.lanes.get(row.webhookId);
    if (!lane) {
      lane = { active: 0, waiting: [], hook: undefined, hookReadAt: 0, behind: false };
      this.lanes.set(row.webhookId, lane);
    }
    let settle = () => {};
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const claimed = { row, settled, settle };
    lane.waiting.push(claimed);
    this.pump(row.webhookId, lane);
    if (lane.waiting.length > 0) lane.behind = true;
    return claimed;
  }

  /** Starts waiting rows of a lane while it and the worker have free slots. */
  private pump(webhookId: string, lane: Lane): void {
    while (
      lane.waiting.length > 0 &&
      lane.active < this.options.perWebhookConcurrency &&
      this.inFlight < this.options.concurrency
    ) {
      const claimed = lane.waiting.shift() as Claimed;
      lane.active += 1;
      this.inFlight += 1;
      const run = this.run(lane, claimed.row).finally(() => {
        this.running.delete(run);
        lane.active -= 1;
        this.inFlight -= 1;
        claimed.settle();
        this.freed(webhookId, lane);
      });
      this.running.add(run);
    }
  }

  /**
   * A slot came free: its lane first, then any other lane held back by the worker's
   * limit; then a claim when rows may be due for a slot that stays free.
   */
  private freed(webhookId: string, lane: Lane): void {
    // The lane goes to the back of the rotation, so lanes held back by the worker's
    // limit take turns.
    this.lanes.delete(webhookId);
    if (lane.active > 0 || lane.waiting.length > 0) this.lanes.set(webhookId, lane);
    for (const [id, next] of this.lanes) {
      if (this.inFlight >= this.options.concurrency) break;
      if (next.waiting.length > 0) this.pump(id, next);
    }
    const caughtUp = lane.behind && !this.isFull(lane);
    if (caughtUp) lane.behind = false;
    if (caughtUp || (this.moreDue && this.claimLimit() >= this.lowWater)) this.loop.wake();
  }

  /** Free room worth a claim after an attempt ends (smaller claims cost more than they bring). */
  private get lowWater(): number {
    return Math.max(1, Math.floor(this.options.batchSize / 4));
  }

  private async run(lane: Lane, row: OutboxRecord): Promise<void> {
    try {
      if (!(await this.renewLease(row))) return;
      const hook = await this.webhookOf(lane, row);
      const gone = await deliverRow(this.deps, row, hook);
      if (gone && hook) lane.hook = Promise.resolve({ ...hook, enabled: false });
    } catch (error) {
      lane.hook = undefined;
      this.ctx.operations.report('store.error', { operation: 'webhook.bookkeeping', error });
      this.ctx.logger.error(
        { err: error, deliveryId: row.id },
        'webhook delivery bookkeeping failed',
      );
    }
  }

  /** The lane's webhook, read again when older than the poll interval. */
  private webhookOf(lane: Lane, row: OutboxRecord): Promise<WebhookRecord | null> {
    const now = Date.now();
    if (!lane.hook || now - lane.hookReadAt > this.options.pollIntervalMs) {
      lane.hook = this.ctx.store.getWebhook(row.accountId, row.webhookId);
      lane.hookReadAt = now;
    }
    return lane.hook;
  }

  /** Extends the lease of a row that waited in its lane when needed; false when it is no longer ours. */
  private async renewLease(row: OutboxRecord): Promise<boolean> {
    const now = this.ctx.clock.now();
    if ((row.leaseUntil ?? 0) - now >= this.options.timeoutMs + 1000) return true;
    const renewed = await this.ctx.store.updateOutbox(
      row.id,
      { leaseUntil: now + this.leaseMs },
      { leaseOwner: this.deps.claimer },
    );
    if (renewed?.status !== 'pending') return false;
    row.leaseUntil = renewed.leaseUntil;
    return true;
  }

  /** Hands a claimed row back (its lease cleared) for the next claim. */
  private async release(row: OutboxRecord): Promise<void> {
    await this.ctx.store
      .updateOutbox(
        row.id,
        { leaseOwner: null, leaseUntil: null },
        { leaseOwner: this.deps.claimer },
      )
      .catch((error: unknown) => {
        this.ctx.operations.report('store.error', { operation: 'webhook.release', error });
        this.ctx.logger.error({ err: error, deliveryId: row.id }, 'webhook lease release failed');
      });
  }
}
