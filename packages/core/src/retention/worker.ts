/**
 * Retention: removes old rows as the policy says (`RetentionPolicy`, config.ts):
 * finished messages, heartbeats, delivered or given-up webhook outbox rows, and
 * idempotency records past their TTL. Each table is purged in batches of
 * `batchSize` rows (one short statement each, see store/retention.ts) until a
 * batch comes back short or the run's budget (`maxBatchesPerRun`) is spent; the
 * worker yields to the event loop between batches. Cut-offs are read from the
 * injected clock once per run.
 *
 * A message counts from its last update: a `sent` message that never got a
 * delivery report is removed `messagesDays` after it was sent. Threads are kept
 * (they carry their own last-message snapshot); the attachment files of removed
 * messages go with the attachment sweep, which `afterMessagesRemoved` runs.
 */
import type { ResolvedConfig, RetentionPolicy } from '../config/config.js';

/** Rows removed by one run, per table. */
export interface RetentionRun {
  messages: number;
  heartbeats: number;
  webhookOutbox: number;
  idempotency: number;
}

export type RetentionContext = Pick<
  ResolvedConfig,
  'store' | 'clock' | 'logger' | 'retention' | 'idempotencyTtlSeconds'
>;

export interface RetentionHooks {
  /** Runs after a run removed messages (the gateway sweeps their attachment files). */
  afterMessagesRemoved?(): Promise<unknown>;
}

const DAY_MS = 86_400_000;

type Purge = (before: number, limit: number) => Promise<number>;

/** The cut-off `days` before `now`; null when the rows are kept for ever. */
function daysBefore(now: number, days: number | null): number | null {
  return days === null || days <= 0 ? null : now - days * DAY_MS;
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

export class RetentionWorker {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  /** Set while `stop()` waits: the run in progress ends after its current batch. */
  #halting = false;

  constructor(
    private readonly ctx: RetentionContext,
    private readonly hooks: RetentionHooks = {},
  ) {}

  /** Runs now and every `intervalMs` when the gateway has a retention policy. */
  start(): void {
    const options = this.ctx.retention;
    if (!options || this.#timer) return;
    const tick = () => {
      if (this.#running) return;
      this.#running = this.runOnce()
        .catch((error: unknown) =>
          this.ctx.logger.error({ err: error }, 'retention failed; it runs again later'),
        )
        .finally(() => {
          this.#running = undefined;
        });
    };
    this.#timer = setInterval(tick, options.intervalMs);
    this.#timer.unref?.();
    tick();
  }

  /** Stops the timer; the run in progress stops after its current batch. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#halting = true;
    try {
      await this.#running;
    } finally {
      this.#halting = false;
    }
  }

  /**
   * One run of `policy` (default: the gateway's; none configured removes nothing):
   * every table until it has nothing old left or the run's budget is spent.
   */
  async runOnce(policy: RetentionPolicy | undefined = this.ctx.retention): Promise<RetentionRun> {
    const run: RetentionRun = { messages: 0, heartbeats: 0, webhookOutbox: 0, idempotency: 0 };
    if (!policy) return run;
    const { store } = this.ctx;
    const now = this.ctx.clock.now();
    const tables: [keyof RetentionRun, number | null, Purge][] = [
      ['messages', daysBefore(now, policy.messagesDays), (b, n) => store.purgeMessages(b, n)],
      ['heartbeats', daysBefore(now, policy.heartbeatsDays), (b, n) => store.purgeHeartbeats(b, n)],
      [
        'webhookOutbox',
        daysBefore(now, policy.webhookOutboxDays),
        (b, n) => store.purgeOutbox(b, n),
      ],
      [
        'idempotency',
        policy.idempotency ? now - this.ctx.idempotencyTtlSeconds * 1000 : null,
        (b, n) => store.purgeIdempotency(b, n),
      ],
    ];
    for (const [table, before, purge] of tables) {
      if (before !== null) run[table] = await this.#drain(purge, before, policy);
    }
    if (run.messages > 0 && this.hooks.afterMessagesRemoved) {
      await this.hooks
        .afterMessagesRemoved()
        .catch((error: unknown) =>
          this.ctx.logger.error({ err: error }, 'the attachment sweep after retention failed'),
        );
    }
    const removed = run.messages + run.heartbeats + run.webhookOutbox + run.idempotency;
    if (removed > 0) this.ctx.logger.info({ removed: run }, 'retention removed old rows');
    return run;
  }

  /** Purges batches until one comes back short, the budget is spent or the worker stops. */
  async #drain(purge: Purge, before: number, policy: RetentionPolicy): Promise<number> {
    let total = 0;
    for (let batch = 0; batch < policy.maxBatchesPerRun && !this.#halting; batch += 1) {
      const removed = await purge(before, policy.batchSize);
      total += removed;
      if (removed < policy.batchSize) break;
      await nextTick();
    }
    return total;
  }
}
