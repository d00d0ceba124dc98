/**
 * The dispatcher turns stored messages into hand-offs: it claims due rows (only for
 * phones this node's transports reach), plans them by pacing and send windows,
 * hands them to a transport, and expires what the phone never finished. Every
 * timer lives in the store (`dueAt`); this process only keeps a timer armed for
 * the next due row, listens to wake-ups, and polls slowly as a safety net.
 */
import PQueue from 'p-queue';
import type { DispatcherOptions } from '../config/config.js';
import { budgetFreesAt, hasCaps } from '../domain/caps.js';
import type { MessageRecord, PhoneRecord, SendScheduleRecord } from '../domain/records.js';
import { retryDelay } from '../jobs/backoff.js';
import { WorkLoop } from '../jobs/work-loop.js';
import type { Notifier } from '../notifier.js';
import type { Store } from '../store.js';
import type { NotifyOutcome, Reach, Transport } from '../transport.js';
import { isRetryable, MAX_RETRY_AFTER_MS, TransportError } from '../transport.js';
import type { GatewayContext, UnitOfWork } from '../uow/context.js';
import { type TakenRound, takeRound } from './batch.js';
import { PoolFailover } from './failover.js';
import type { StepContext } from './handoff.js';
import {
  checkExpiry,
  failMessage,
  planMessage,
  postponeHandoff,
  settle,
  startHandoff,
} from './handoff.js';
import { RoundPacer } from './pace.js';
import { RoundPipeline, type Take } from './pipeline.js';
import { awaitsHandoff, isPastValidity, isQueued, TTL_EXPIRED } from './plan.js';
import { rerouteMessage } from './reroute.js';
import type { Act } from './round.js';
import { readyByPhone, workLanes } from './round.js';
import { failStrandedMessages } from './stranded.js';

function missingOutcome(phone: PhoneRecord): TransportError {
  return new TransportError(`the transport of phone [${phone.phoneNumber}] reported no outcome`, {
    retryable: true,
  });
}

export class Dispatcher {
  private readonly step: StepContext;
  private readonly pipeline: RoundPipeline;
  private readonly queue: PQueue;
  private readonly loop: WorkLoop;
  private unsubscribe: (() => void) | undefined;
  private strandedTimer: NodeJS.Timeout | undefined;
  private failoverTimer: NodeJS.Timeout | undefined;
  private failingOver: Promise<unknown> | undefined;
  readonly failover: PoolFailover;

  private readonly transports: readonly Transport[];
  private readonly notifier: Notifier;
  private readonly options: DispatcherOptions;
  /** The transports' last `reach()` answers and the claim list made of them. */
  private lastReach: { reaches: readonly Reach[]; ids: readonly string[] | 'all' } | undefined;

  constructor(private readonly ctx: GatewayContext) {
    this.transports = ctx.transports;
    this.notifier = ctx.notifier;
    const options = ctx.dispatch;
    this.options = options;
    this.step = { ctx, claimer: ctx.nodeId };
    this.failover = new PoolFailover(this.step, this.transports, options);
    this.queue = new PQueue({ concurrency: options.concurrency });
    this.pipeline = new RoundPipeline({
      start: () => this.startTake(),
      work: (take) => this.finish(take),
      running: () => this.loop.isRunning,
      batchSize: options.batchSize,
      // By default 2 where claims skip locked rows, else 0 (nothing would overlap).
      depth: options.roundsAhead ?? (ctx.store.capabilities.skipLocked ? 2 : 0),
    });
    this.loop = new WorkLoop({
      runOnce: () => this.pipeline.next(),
      batchSize: options.batchSize,
      untilEmpty: true,
      pollIntervalMs: options.pollIntervalMs,
      nextDueIn: async () => {
        const next = await ctx.store.nextDueAt(this.reachable(), this.step.claimer);
        return next === null ? null : next - ctx.clock.now();
      },
      now: () => ctx.clock.now(),
      onError: (error) => this.loopError(error),
    });
  }

  private loopError(error: unknown): void {
    this.ctx.operations.report('store.error', { operation: 'dispatch.round', error });
    this.ctx.logger.error({ err: error }, 'dispatch round failed; retrying on the next poll');
  }

  start(): void {
    if (this.loop.isRunning) return;
    this.unsubscribe = this.notifier.subscribe('due', () => this.wake());
    this.loop.start();
    if (this.transports.length > 0) {
      this.strandedTimer = setInterval(() => {
        this.failStranded().catch((error: unknown) => {
          this.ctx.operations.report('store.error', { operation: 'dispatch.stranded', error });
          this.ctx.logger.error({ err: error }, 'the check of stranded phones failed');
        });
      }, this.options.strandedCheckMs);
      this.strandedTimer.unref?.();
      this.failoverTimer = setInterval(() => this.runFailover(), this.ctx.pools.failoverCheckMs);
      this.failoverTimer.unref?.();
    }
  }

  /** One failover sweep (failover.ts), unless the last one still runs. */
  private runFailover(): void {
    if (this.failingOver) return;
    this.failingOver = this.failover
      .runOnce()
      .catch((error: unknown) => {
        this.ctx.operations.report('store.error', { operation: 'dispatch.failover', error });
        this.ctx.logger.error({ err: error }, 'the pool failover sweep failed');
      })
      .finally(() => {
        this.failingOver = undefined;
      });
  }

  /** Fails the messages that phones no transport can reach have waited out (stranded.ts). */
  failStranded(): Promise<number> {
    return failStrandedMessages(this.step, this.transports, this.options);
  }

  /** Stops looking for work; in-flight hand-offs finish first. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.strandedTimer);
    clearInterval(this.failoverTimer);
    await this.failingOver;
    await this.loop.stop();
    await this.pipeline.drain((error) => this.loopError(error));
    await this.queue.onIdle();
  }

  /** Look for due work as soon as possible (coalesced). */
  wake(): void {
    this.loop.wake();
  }

  /**
   * The phones any transport reaches now and that have room for more (not `busy`),
   * as the store's claims take them.
   */
  private reachable(): readonly string[] | 'all' {
    const reaches = this.transports.map((t) => t.reach());
    const last = this.lastReach;
    // Transports keep their answer until it changes: a fleet's list is not rebuilt every round.
    if (last && reaches.every((r, i) => r === last.reaches[i])) return last.ids;
    let ids: readonly string[] | 'all' = 'all';
    if (!reaches.some((r) => r.phoneIds === 'any')) {
      const set = new Set<string>();
      for (const { phoneIds, busy } of reaches) {
        for (const id of phoneIds) if (!busy?.has(id)) set.add(id);
      }
      ids = [...set];
    }
    this.lastReach = { reaches, ids };
    return ids;
  }

  /**
   * One round: claim due rows, act on each, and wait for the hand-offs started.
   * Returns how many rows were claimed. Tests drive this with a manual clock.
   *
   * Rows of a paced phone are worked on one after another (each reserves the
   * phone's next slot), each step in its own transaction. All other rows need only
   * their thread to themselves: a few transactions take the threads in order and
   * commit many steps at once (round.ts). Either way each phone gets its ready
   * messages in claim order, in one hand-off; after a failed step no more rows are
   * taken up, the steps committed are handed off, and the round throws (the rest
   * wait for their lease to end).
   */
  async runOnce(): Promise<number> {
    const take = this.startTake();
    return take ? this.finish(take) : 0;
  }

  /** Starts taking a round (takeRound); null when no phone is reachable. */
  private startTake(): Take | null {
    const phoneIds = this.reachable();
    if (phoneIds !== 'all' && phoneIds.length === 0) return null;
    const startedAt = this.ctx.clock.now();
    const pacer = new RoundPacer();
    const { batchSize: limit, leaseMs, concurrency } = this.options;
    const taken = takeRound(this.step, { phoneIds, limit, leaseMs }, concurrency, pacer);
    // Awaited when the round's turn comes; until then a failure must not go unhandled.
    taken.catch(() => {});
    return { taken, pacer, startedAt };
  }

  /** Works a taken round; returns how many rows it claimed. */
  private async finish(take: Take): Promise<number> {
    const round = await take.taken;
    if (!round) return 0;
    try {
      await this.work(round, take.pacer);
    } finally {
      const durationMs = this.ctx.clock.now() - take.startedAt;
      this.ctx.operations.report('dispatch.round', {
        claimed: round.round.rows.length,
        durationMs,
      });
    }
    return round.round.rows.length;
  }

  /** Works the leased rows step by step and hands every ready message off. */
  private async work({ round, lanes, ready: batched }: TakenRound, pacer: RoundPacer) {
    const act: Act = (row, phone, schedules, uow) => this.act(row, phone, schedules, pacer, uow);
    const { ready, failure } = await workLanes(
      this.ctx,
      round,
      lanes,
      act,
      this.options.concurrency,
    );
    for (const [index, message] of batched) ready[index] = message;
    for (const [phone, messages] of readyByPhone(round, ready)) {
      void this.queue.add(() => this.handOff(phone, messages));
    }
    await this.queue.onIdle();
    if (failure) throw failure.error;
  }

  /**
   * Decides what a claimed row needs; returns it when it is to be handed off now.
   * With `uow`, every read and write of the step runs in that transaction.
   */
  private async act(
    row: MessageRecord,
    phone: PhoneRecord | null,
    schedules: Map<string, SendScheduleRecord | null>,
    pacer: RoundPacer,
    uow?: UnitOfWork,
  ): Promise<MessageRecord | null> {
    const store = uow?.tx ?? this.ctx.store;
    if (!phone) {
      await failMessage(this.step, row, 'the phone of this message no longer exists', uow);
      return null;
    }
    const schedule =
      phone.sendScheduleId === null ? null : (schedules.get(phone.sendScheduleId) ?? null);
    if (isQueued(row) && isPastValidity(row, this.ctx.clock.now())) {
      await failMessage(this.step, row, TTL_EXPIRED, uow);
      return null;
    }
    if (await this.movedOffCap(row, phone, uow)) return null;
    if (row.status === 'pending' || row.status === 'expired') {
      const planned = await planMessage(this.step, row, phone, schedule, pacer, uow);
      if (planned)
        phone.lastScheduledAt = Math.max(phone.lastScheduledAt ?? 0, planned.scheduledAt ?? 0);
      else await this.refreshPhone(phone, store);
      return planned;
    }
    if (awaitsHandoff(row)) return startHandoff(this.step, row, phone, schedule, pacer, uow);
    if (row.status === 'scheduled' || row.status === 'sending') {
      await checkExpiry(this.step, row, phone, uow);
      return null;
    }
    await settle(this.step, row, store);
    return null;
  }

  /**
   * A queued pool message whose phone's caps do not take it now moves to a member
   * whose caps do (reroute.ts); true when it moved.
   */
  private async movedOffCap(
    row: MessageRecord,
    phone: PhoneRecord,
    uow?: UnitOfWork,
  ): Promise<boolean> {
    if (row.poolId === null || !hasCaps(phone)) return false;
    if (!isQueued(row)) return false;
    const now = this.ctx.clock.now();
    // The round's copy of the phone predates this round's hand-offs: read its budget now.
    const fresh = (await (uow?.tx ?? this.ctx.store).getPhone(phone.id)) ?? phone;
    if (budgetFreesAt(fresh, now, row.segments) <= now) return false;
    const options = { reason: 'capped', leased: true, mustFitNow: true, uow } as const;
    return (await rerouteMessage(this.step, row, options)) !== null;
  }

  /** Keeps the per-round phone copy's pacing anchor current after a reservation. */
  private async refreshPhone(phone: PhoneRecord, store: Store): Promise<void> {
    const fresh = await store.getPhone(phone.id);
    if (fresh) phone.lastScheduledAt = fresh.lastScheduledAt;
  }

  private transportFor(phone: PhoneRecord): Transport | undefined {
    return this.transports.find((t) => t.reach().has(phone));
  }

  /** Notifies the phone's transport; each message then settles on its own outcome. */
  private async handOff(phone: PhoneRecord, messages: MessageRecord[]): Promise<void> {
    const transport = this.transportFor(phone);
    const outcomes = await this.notify(phone, transport, messages);
    for (const [i, m] of messages.entries()) {
      const outcome = outcomes[i];
      const error = outcome?.ok ? null : outcome ? outcome.error : missingOutcome(phone);
      const retry = error !== null && this.willRetry(m, error);
      this.ctx.operations.report('dispatch.handoff', () => ({
        accountId: m.accountId,
        messageId: m.id,
        owner: m.owner,
        transport: transport?.name ?? null,
        sinceRequestMs: Math.max(0, this.ctx.clock.now() - m.requestReceivedAt),
        ok: error === null,
        retryable: retry,
        error,
      }));
      if (error !== null) await this.handOffFailed([m], error);
    }
  }

  /** Whether a failed hand-off of `m` is tried again. */
  private willRetry(m: MessageRecord, error: unknown): boolean {
    return isRetryable(error) && m.transportAttempts + 1 <= this.options.maxTransportRetries;
  }

  /** The transport's outcomes; a rejection (or no transport) fails every message alike. */
  private async notify(
    phone: PhoneRecord,
    transport: Transport | undefined,
    messages: readonly MessageRecord[],
  ): Promise<readonly NotifyOutcome[]> {
    try {
      if (!transport) {
        throw new TransportError(
          `no transport can reach phone [${phone.phoneNumber}]: it has no FCM token and no open connection`,
          { retryable: this.transports.some((t) => t.reach().phoneIds !== 'any') },
        );
      }
      return await transport.notify(phone, messages);
    } catch (error) {
      return messages.map(() => ({ ok: false, error }));
    }
  }

  /**
   * A pool message whose hand-off failed for good moves to another member instead of
   * failing, while its transport attempts last (each move counts one, so members
   * that all fail cannot pass it around for ever).
   */
  private async rerouted(m: MessageRecord): Promise<boolean> {
    const attempts = m.transportAttempts + 1;
    if (m.poolId === null || attempts > this.options.maxTransportRetries) return false;
    const options = {
      reason: 'handoff_failed',
      leased: false,
      transportAttempts: attempts,
    } as const;
    return (await rerouteMessage(this.step, m, options)) !== null;
  }

  private async handOffFailed(messages: MessageRecord[], error: unknown): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    for (const m of messages) {
      const attempt = m.transportAttempts + 1;
      if (this.willRetry(m, error)) {
        const asked = error instanceof TransportError ? (error.retryAfterMs ?? 0) : 0;
        const retryAfter = Math.min(asked, MAX_RETRY_AFTER_MS);
        const delay = Math.max(
          retryAfter,
          retryDelay(attempt, this.options.retry, this.ctx.random.next()),
        );
        this.ctx.logger.warn(
          { err: error, messageId: m.id, attempt, delay },
          'hand-off failed; retrying',
        );
        await postponeHandoff(this.step, m, delay, attempt);
      } else if (!(await this.rerouted(m))) {
        await failMessage(this.step, m, reason);
      }
    }
  }
}
