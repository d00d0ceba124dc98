/**
 * The dispatcher turns stored messages into hand-offs: it claims due rows (only for
 * phones this node's transports reach), plans them by pacing and send windows,
 * hands them to a transport, and expires what the phone never finished. Every
 * timer lives in the store (`dueAt`); this process only keeps a timer armed for
 * the next due row, listens to wake-ups, and polls slowly as a safety net.
 */
import PQueue from 'p-queue';
import type { MessageRecord, PhoneRecord, SendScheduleRecord } from '../domain/records.js';
import type { GatewayContext } from '../gateway/context.js';
import type { Notifier } from '../notifier.js';
import type { Transport } from '../transport.js';
import { isRetryable, TransportError } from '../transport.js';
import type { RetryPolicy } from './backoff.js';
import { DEFAULT_RETRY_POLICY, retryDelay } from './backoff.js';
import type { StepContext } from './handoff.js';
import {
  checkExpiry,
  failMessage,
  planMessage,
  postponeHandoff,
  settle,
  startHandoff,
} from './handoff.js';
import { awaitsHandoff } from './plan.js';
import { WorkLoop } from './work-loop.js';

export interface DispatcherOptions {
  /** Rows claimed per round. */
  batchSize: number;
  /** How long a claim is held before another node may take the row over. */
  leaseMs: number;
  /** Safety poll: the longest the dispatcher sleeps without looking. */
  pollIntervalMs: number;
  /** Hand-offs running at once. */
  concurrency: number;
  /** Transport retries (retryable errors) before the message fails. */
  maxTransportRetries: number;
  retry: RetryPolicy;
}

export const DEFAULT_DISPATCHER_OPTIONS: DispatcherOptions = Object.freeze({
  batchSize: 200,
  leaseMs: 30_000,
  pollIntervalMs: 1_000,
  concurrency: 16,
  maxTransportRetries: 5,
  retry: DEFAULT_RETRY_POLICY,
});

export class Dispatcher {
  private readonly step: StepContext;
  private readonly queue: PQueue;
  private readonly loop: WorkLoop;
  private readonly transportRetries = new Map<string, number>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly ctx: GatewayContext,
    private readonly transports: readonly Transport[],
    private readonly notifier: Notifier,
    private readonly options: DispatcherOptions,
    claimer: string,
    pickColor: () => string,
  ) {
    this.step = { ctx, claimer, pickColor };
    this.queue = new PQueue({ concurrency: options.concurrency });
    this.loop = new WorkLoop({
      runOnce: () => this.runOnce(),
      batchSize: options.batchSize,
      pollIntervalMs: options.pollIntervalMs,
      nextDueIn: async () => {
        const next = await ctx.store.nextDueAt(this.reachable());
        return next === null ? null : next - ctx.clock.now();
      },
      onError: (error) =>
        ctx.logger.error({ err: error }, 'dispatch round failed; retrying on the next poll'),
    });
  }

  start(): void {
    if (this.loop.isRunning) return;
    this.unsubscribe = this.notifier.subscribe('due', () => this.wake());
    this.loop.start();
  }

  /** Stops looking for work; in-flight hand-offs finish first. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.loop.stop();
    await this.queue.onIdle();
  }

  /** Look for due work as soon as possible (coalesced). */
  wake(): void {
    this.loop.wake();
  }

  private reachable(): readonly string[] | 'all' {
    const ids = new Set<string>();
    for (const t of this.transports) {
      const phones = t.reachablePhones();
      if (phones === 'all') return 'all';
      for (const id of phones) ids.add(id);
    }
    return [...ids];
  }

  /**
   * One round: claim due rows, act on each, and wait for the hand-offs started.
   * Returns how many rows were claimed. Tests drive this with a manual clock.
   */
  async runOnce(): Promise<number> {
    const phoneIds = this.reachable();
    if (phoneIds !== 'all' && phoneIds.length === 0) return 0;
    const rows = await this.ctx.store.claimDue({
      now: this.ctx.clock.now(),
      phoneIds,
      limit: this.options.batchSize,
      leaseMs: this.options.leaseMs,
      claimer: this.step.claimer,
    });
    const phones = new Map<string, PhoneRecord | null>();
    const schedules = new Map<string, SendScheduleRecord | null>();
    const ready = new Map<string, MessageRecord[]>();
    for (const row of rows) {
      const phone = await this.phoneOf(row, phones);
      if (!phone) {
        await failMessage(this.step, row, 'the phone of this message no longer exists');
        continue;
      }
      const handoff = await this.act(row, phone, schedules);
      if (handoff) ready.set(phone.id, [...(ready.get(phone.id) ?? []), handoff]);
    }
    for (const [phoneId, messages] of ready) {
      const phone = phones.get(phoneId);
      if (phone) void this.queue.add(() => this.handOff(phone, messages));
    }
    await this.queue.onIdle();
    return rows.length;
  }

  private async phoneOf(row: MessageRecord, cache: Map<string, PhoneRecord | null>) {
    if (row.phoneId === null) return null;
    if (!cache.has(row.phoneId)) cache.set(row.phoneId, await this.ctx.store.getPhone(row.phoneId));
    return cache.get(row.phoneId) ?? null;
  }

  private async scheduleOf(phone: PhoneRecord, cache: Map<string, SendScheduleRecord | null>) {
    const id = phone.sendScheduleId;
    if (id === null) return null;
    if (!cache.has(id)) cache.set(id, await this.ctx.store.getSendSchedule(phone.accountId, id));
    return cache.get(id) ?? null;
  }

  /** Decides what a claimed row needs; returns it when it is to be handed off now. */
  private async act(
    row: MessageRecord,
    phone: PhoneRecord,
    schedules: Map<string, SendScheduleRecord | null>,
  ): Promise<MessageRecord | null> {
    if (row.status === 'pending' || row.status === 'expired') {
      const planned = await planMessage(
        this.step,
        row,
        phone,
        await this.scheduleOf(phone, schedules),
      );
      if (planned)
        phone.lastScheduledAt = Math.max(phone.lastScheduledAt ?? 0, planned.scheduledAt ?? 0);
      else await this.refreshPhone(phone);
      return planned;
    }
    if (awaitsHandoff(row)) return startHandoff(this.step, row, phone);
    if (row.status === 'scheduled' || row.status === 'sending') {
      await checkExpiry(this.step, row, phone);
      return null;
    }
    await settle(this.step, row);
    return null;
  }

  /** Keeps the per-round phone copy's pacing anchor current after a reservation. */
  private async refreshPhone(phone: PhoneRecord): Promise<void> {
    const fresh = await this.ctx.store.getPhone(phone.id);
    if (fresh) phone.lastScheduledAt = fresh.lastScheduledAt;
  }

  private transportFor(phone: PhoneRecord): Transport | undefined {
    return this.transports.find((t) => t.canReach(phone));
  }

  private async handOff(phone: PhoneRecord, messages: MessageRecord[]): Promise<void> {
    const transport = this.transportFor(phone);
    try {
      if (!transport) {
        throw new TransportError(
          `no transport can reach phone [${phone.phoneNumber}]: it has no FCM token and no open connection`,
          { retryable: this.transports.some((t) => t.reachablePhones() !== 'all') },
        );
      }
      await transport.notify(phone, messages);
      for (const m of messages) this.transportRetries.delete(m.id);
    } catch (error) {
      await this.handOffFailed(messages, error);
    }
  }

  private async handOffFailed(messages: MessageRecord[], error: unknown): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    for (const m of messages) {
      const attempt = (this.transportRetries.get(m.id) ?? 0) + 1;
      if (isRetryable(error) && attempt <= this.options.maxTransportRetries) {
        this.transportRetries.set(m.id, attempt);
        const retryAfter = error instanceof TransportError ? (error.retryAfterMs ?? 0) : 0;
        const delay = Math.max(
          retryAfter,
          retryDelay(attempt, this.options.retry, this.ctx.random.next()),
        );
        this.ctx.logger.warn(
          { err: error, messageId: m.id, attempt, delay },
          'hand-off failed; retrying',
        );
        await postponeHandoff(this.step, m, delay);
      } else {
        this.transportRetries.delete(m.id);
        await failMessage(this.step, m, reason);
      }
    }
  }
}
