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
 * only its own events. Each account likewise has at most `perAccount` attempts in
 * flight (`perAccountConcurrency`; by default a quarter of the worker's slots, and at
 * least two webhooks' worth, never more than the worker has): an account with many
 * slow webhooks leaves slots to the others. Its rows beyond that wait in their lanes,
 * and an account at its bound with as many rows again waiting is left out of claims. An
 * attempt has a wall-clock deadline (`timeoutMs`); its lease (twice that plus a
 * second) outlasts it, and a row that waited in its lane is re-leased before its
 * attempt when its lease would not cover the deadline.
 *
 * Leases. Every claim leases its rows under a name of its own (the node id and the
 * claim's number), and each write about a row is guarded by the lease it holds: a row
 * claimed again (here or by another node) after its lease ran out answers only to the
 * new claim. A row this worker already holds (waiting or in flight) that one of its own
 * claims takes again is not queued twice: the copy it holds takes the new lease.
 */

import type { WebhookDeliveryOptions } from '../config/config.js';
import type { OutboxRecord } from '../domain/records.js';
import { WorkLoop } from '../jobs/work-loop.js';
import type { GatewayContext } from '../uow/context.js';
import { type AttemptDeps, deliverRow, leaseOf } from './attempt.js';
import { createPoster } from './post.js';
import { JwtCache } from './signing.js';

export { retryAfterMs } from './attempt.js';

/** A claimed row and the promise its attempt settles. */
interface Claimed {
  row: OutboxRecord;
  settled: Promise<void>;
  settle(): void;
}

/** One webhook's attempts in flight and rows waiting for a slot. */
interface Lane {
  accountId: string;
  active: number;
  waiting: Claimed[];
  /** Left out of a claim, or claimed beyond its slots: more of its rows may be due. */
  behind: boolean;
}

/** One account's share of the worker. */
interface AccountLoad {
  active: number;
  waiting: number;
  /** Its webhooks seen here, left out of claims while the account is full. */
  webhooks: Set<string>;
  /** Left out of a claim, or full when its rows were claimed: more of them may be due. */
  behind: boolean;
}

export class WebhookWorker {
  private readonly loop: WorkLoop;
  private readonly deps: AttemptDeps;
  private readonly lanes = new Map<string, Lane>();
  /** The accounts with rows held here: attempts in flight, rows waiting, their webhooks. */
  private readonly accounts = new Map<string, AccountLoad>();
  private readonly running = new Set<Promise<void>>();
  /** The rows this worker holds, waiting in a lane or in flight, by row id. */
  private readonly held = new Map<string, Claimed>();
  /** Claims made so far: numbers each claim's lease. */
  private claims = 0;
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
      const load = this.loadOf(lane.accountId);
      for (const claimed of lane.waiting.splice(0)) {
        this.held.delete(claimed.row.id);
        load.waiting -= 1;
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
      if (lane.active < this.options.perWebhookConcurrency && this.hasRoom(lane.accountId)) {
        ready += lane.waiting.length;
      }
    }
    const room = this.options.concurrency + this.options.batchSize - this.inFlight - ready;
    return Math.min(this.options.batchSize, room);
  }

  /** A lane with its slots taken and as many rows again waiting is left out of claims. */
  private isFull(lane: Lane): boolean {
    return lane.active + lane.waiting.length >= 2 * this.options.perWebhookConcurrency;
  }

  /**
   * Attempts in flight an account may have: `perAccountConcurrency`, else a quarter of
   * the slots and at least two webhooks' worth; never more than the worker has.
   */
  private get perAccount(): number {
    const { concurrency, perWebhookConcurrency, perAccountConcurrency } = this.options;
    const share = Math.max(2 * perWebhookConcurrency, Math.ceil(concurrency / 4));
    return Math.min(concurrency, perAccountConcurrency ?? share);
  }

  /** Whether the account may start another attempt. */
  private hasRoom(accountId: string): boolean {
    return (this.accounts.get(accountId)?.active ?? 0) < this.perAccount;
  }

  /** An account with its slots taken and as many rows again waiting takes no more rows. */
  private accountFull(load: AccountLoad): boolean {
    return load.active + load.waiting >= 2 * this.perAccount;
  }

  private loadOf(accountId: string): AccountLoad {
    let load = this.accounts.get(accountId);
    if (!load) {
      load = { active: 0, waiting: 0, webhooks: new Set(), behind: false };
      this.accounts.set(accountId, load);
    }
    return load;
  }

  /** Forgets an account that holds nothing here any more. */
  private settleAccount(accountId: string, load: AccountLoad): void {
    if (load.active === 0 && load.waiting === 0) this.accounts.delete(accountId);
  }

  private async claim(): Promise<Claimed[]> {
    const limit = this.claimLimit();
    if (limit <= 0) {
      this.moreDue = true;
      return [];
    }
    const excluded = new Set<string>();
    for (const [id, lane] of this.lanes) {
      if (!this.isFull(lane)) continue;
      excluded.add(id);
      lane.behind = true;
    }
    for (const load of this.accounts.values()) {
      if (!this.accountFull(load)) continue;
      for (const id of load.webhooks) excluded.add(id);
      load.behind = true;
    }
    const rows = await this.ctx.store.claimOutbox({
      now: this.ctx.clock.now(),
      limit,
      leaseMs: this.leaseMs,
      claimer: `${this.ctx.nodeId}#${++this.claims}`,
      excludeWebhookIds: [...excluded],
    });
    this.moreDue = rows.length === limit;
    return rows.map((row) => this.admit(row));
  }

  private get leaseMs(): number {
    return 2 * this.options.timeoutMs + 1000;
  }

  /**
   * Queues a claimed row in its webhook's lane and starts what the lane may run. A row
   * already held here (its lease ran out while it waited or ran) stays one copy: the
   * held one takes the new claim's row and lease.
   */
  private admit(row: OutboxRecord): Claimed {
    const held = this.held.get(row.id);
    if (held) {
      Object.assign(held.row, row);
      return held;
    }
    let settle = () => {};
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const claimed = { row, settled, settle };
    const load = this.loadOf(row.accountId);
    load.webhooks.add(row.webhookId);
    let lane = this.lanes.get(row.webhookId);
    if (!lane) {
      lane = { accountId: row.accountId, active: 0, waiting: [], behind: false };
      this.lanes.set(row.webhookId, lane);
    }
    this.held.set(row.id, claimed);
    load.waiting += 1;
    lane.waiting.push(claimed);
    this.pump(row.webhookId, lane);
    if (lane.waiting.length > 0) lane.behind = true;
    if (this.accountFull(load)) load.behind = true;
    return claimed;
  }

  /** Starts waiting rows of a lane while it and the worker have free slots. */
  private pump(webhookId: string, lane: Lane): void {
    const load = this.loadOf(lane.accountId);
    while (
      lane.waiting.length > 0 &&
      lane.active < this.options.perWebhookConcurrency &&
      load.active < this.perAccount &&
      this.inFlight < this.options.concurrency
    ) {
      const claimed = lane.waiting.shift() as Claimed;
      lane.active += 1;
      load.waiting -= 1;
      load.active += 1;
      this.inFlight += 1;
      const run = this.run(claimed.row).finally(() => {
        this.running.delete(run);
        this.held.delete(claimed.row.id);
        lane.active -= 1;
        load.active -= 1;
        this.inFlight -= 1;
        claimed.settle();
        this.freed(webhookId, lane, load);
      });
      this.running.add(run);
    }
  }

  /**
   * A slot came free: its lane first, then any other lane held back by the worker's
   * limit; then a claim when rows may be due for a slot that stays free.
   */
  private freed(webhookId: string, lane: Lane, load: AccountLoad): void {
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
    const accountCaughtUp = load.behind && !this.accountFull(load);
    if (accountCaughtUp) load.behind = false;
    this.settleAccount(lane.accountId, load);
    if (caughtUp || accountCaughtUp || (this.moreDue && this.claimLimit() >= this.lowWater))
      this.loop.wake();
  }

  /** Free room worth a claim after an attempt ends (smaller claims cost more than they bring). */
  private get lowWater(): number {
    return Math.max(1, Math.floor(this.options.batchSize / 4));
  }

  /**
   * One attempt of a row. The webhook is read for each attempt: a row waits in its lane
   * for a while, and what it goes to is the webhook as it is now (deleted, disabled,
   * or updated with a new URL or key), never as it was when the lane started.
   */
  private async run(row: OutboxRecord): Promise<void> {
    try {
      if (!(await this.renewLease(row))) return;
      const hook = await this.ctx.store.getWebhook(row.accountId, row.webhookId);
      await deliverRow(this.deps, row, hook);
    } catch (error) {
      this.ctx.operations.report('store.error', { operation: 'webhook.bookkeeping', error });
      this.ctx.logger.error(
        { err: error, deliveryId: row.id },
        'webhook delivery bookkeeping failed',
      );
    }
  }

  /** Extends the lease of a row that waited in its lane when needed; false when it is no longer ours. */
  private async renewLease(row: OutboxRecord): Promise<boolean> {
    const now = this.ctx.clock.now();
    if ((row.leaseUntil ?? 0) - now >= this.options.timeoutMs + 1000) return true;
    const renewed = await this.ctx.store.updateOutbox(
      row.id,
      { leaseUntil: now + this.leaseMs },
      leaseOf(row),
    );
    if (renewed?.status !== 'pending') return false;
    row.leaseUntil = renewed.leaseUntil;
    return true;
  }

  /** Hands a claimed row back (its lease cleared) for the next claim. */
  private async release(row: OutboxRecord): Promise<void> {
    await this.ctx.store
      .updateOutbox(row.id, { leaseOwner: null, leaseUntil: null }, leaseOf(row))
      .catch((error: unknown) => {
        this.ctx.operations.report('store.error', { operation: 'webhook.release', error });
        this.ctx.logger.error({ err: error, deliveryId: row.id }, 'webhook lease release failed');
      });
  }
}
