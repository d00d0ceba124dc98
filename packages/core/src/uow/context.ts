/**
 * The shared state of one gateway and its unit of work: a store transaction that
 * collects events, writes their webhook outbox rows in the same transaction, and
 * emits them only after the commit.
 */

import type { ResolvedConfig } from '../config/config.js';
import type { MessageRecord } from '../domain/records.js';
import { formatTimestamp } from '../domain/time.js';
import { isGatewayError } from '../errors.js';
import type {
  AnyGatewayEvent,
  GatewayEmitter,
  GatewayEvent,
  GatewayEventData,
  GatewayEventType,
} from '../events/events.js';
import { isWebhookEvent } from '../events/events.js';
import type { OperationEventData, OperationsEmitter } from '../events/operations.js';
import type { MessageStatus } from '../lifecycle/status.js';
import { THREAD_COLORS } from '../lifecycle/thread-rules.js';
import type { NotifierTopic } from '../notifier.js';
import type { OutboxRecord, Store } from '../store.js';

export interface GatewayContext extends ResolvedConfig {
  emitter: GatewayEmitter;
  operations: OperationsEmitter;
}

type StatusChange = OperationEventData['message.status'];

/** Milliseconds from the API request to the phone's report, for `sent` and `delivered`. */
function sinceRequest(m: MessageRecord): number | null {
  const at = m.status === 'sent' ? m.sentAt : m.status === 'delivered' ? m.deliveredAt : null;
  return at === null || at === undefined ? null : Math.max(0, at - m.requestReceivedAt);
}

export class UnitOfWork {
  readonly events: AnyGatewayEvent[] = [];
  readonly statusChanges: StatusChange[] = [];

  constructor(
    readonly tx: Store,
    private readonly ctx: GatewayContext,
  ) {}

  get now(): number {
    return this.ctx.clock.now();
  }

  uuid(): string {
    return this.ctx.random.uuid();
  }

  /** A colour for a new thread, from the injected random. */
  pickColor(): string {
    return THREAD_COLORS[Math.floor(this.ctx.random.next() * THREAD_COLORS.length)] ?? 'blue';
  }

  /** Records a status change (`from` null: created); `message.status` is told after commit. */
  statusChanged(m: MessageRecord, from: MessageStatus | null): void {
    if (!this.ctx.operations.has('message.status')) return;
    const change = { accountId: m.accountId, messageId: m.id, from, to: m.status };
    this.statusChanges.push({ ...change, sinceRequestMs: sinceRequest(m) });
  }

  /** Records an event: its outbox rows join this transaction, listeners hear it after commit. */
  event<T extends GatewayEventType>(
    type: T,
    accountId: string,
    owner: string,
    source: string,
    data: GatewayEventData[T],
  ): void {
    const event: GatewayEvent<T> = {
      id: this.ctx.random.uuid(),
      type,
      source,
      time: this.ctx.clock.now(),
      accountId,
      owner,
      data,
    };
    this.events.push(event as unknown as AnyGatewayEvent);
  }
}

export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: GatewayEventType;
  datacontenttype: 'application/json';
  time: string;
  data: AnyGatewayEvent['data'];
}

/** The CloudEvent (structured JSON mode) that webhooks receive, in httpSMS key order. */
export function toCloudEvent(event: AnyGatewayEvent): CloudEvent {
  return {
    specversion: '1.0',
    id: event.id,
    source: event.source,
    type: event.type,
    datacontenttype: 'application/json',
    time: formatTimestamp(event.time),
    data: event.data,
  };
}

/** The message an event concerns: `message_id`, or the `id` of a message event's data. */
function messageIdOfEvent(event: AnyGatewayEvent): string | null {
  const data = event.data as { message_id?: unknown; id?: unknown };
  const id = data.message_id ?? (event.type.startsWith('message.') ? data.id : null);
  return typeof id === 'string' ? id : null;
}

async function writeOutbox(uow: UnitOfWork): Promise<void> {
  const rows: OutboxRecord[] = [];
  for (const event of uow.events) {
    if (!isWebhookEvent(event.type)) continue;
    const hooks = await uow.tx.listWebhooksFor(event.accountId, event.type, event.owner);
    if (hooks.length === 0) continue;
    const payload = JSON.stringify(toCloudEvent(event));
    for (const hook of hooks) {
      rows.push({
        id: uow.uuid(),
        accountId: event.accountId,
        webhookId: hook.id,
        eventId: event.id,
        eventType: event.type,
        subjectId: messageIdOfEvent(event),
        payload,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: event.time,
        lastError: null,
        lastHttpStatus: null,
        leaseOwner: null,
        leaseUntil: null,
        createdAt: event.time,
        updatedAt: event.time,
      });
    }
  }
  if (rows.length > 0) await uow.tx.insertOutbox(rows);
}

/** Events after which the dispatcher may have new work. */
const DUE_EVENTS: ReadonlySet<string> = new Set([
  'message.api.sent',
  'message.send.expired',
  'message.rerouted',
]);

/** Publishes `topic` (after a commit); a failure is logged, the consumers' polls cover it. */
export function wake(ctx: GatewayContext, topic: NotifierTopic): void {
  ctx.notifier.publish(topic).catch((error: unknown) => {
    ctx.logger.warn(
      { err: error, topic },
      'wake-up not delivered; the safety poll will pick the work up',
    );
  });
}

/**
 * Runs `fn` in one store transaction (on `store`, default the gateway's). Events
 * recorded on the unit are emitted once the transaction has committed (on a store
 * bound to the application's transaction: once that one has); a throw rolls
 * everything back and emits nothing.
 */
export async function runUnitOfWork<T>(
  ctx: GatewayContext,
  fn: (uow: UnitOfWork) => Promise<T>,
  store: Store = ctx.store,
): Promise<T> {
  let unit: UnitOfWork | undefined;
  const result = await store.transaction(async (tx) => {
    unit = new UnitOfWork(tx, ctx);
    const value = await fn(unit);
    await writeOutbox(unit);
    return value;
  });
  const events = unit?.events ?? [];
  const changes = unit?.statusChanges ?? [];
  if (events.length === 0 && changes.length === 0) return result;
  if (store.hostCommitted) {
    // In the application's transaction: nothing is durable until it commits.
    store.hostCommitted.then(
      (committed) => {
        if (committed) emit(ctx, events, changes);
      },
      (error: unknown) =>
        ctx.logger.error({ err: error }, 'could not learn whether the host transaction committed'),
    );
  } else emit(ctx, events, changes);
  return result;
}

/**
 * `runUnitOfWork`, run again (at most twice more) when it lost a race on a unique
 * key: two transactions side by side (Postgres) both creating the thread of a new
 * contact. The retry finds the other's thread. Not inside a host's transaction: a
 * failed statement ends that transaction, so the error goes up to the host.
 */
export async function runUnitOfWorkRetrying<T>(
  ctx: GatewayContext,
  fn: (uow: UnitOfWork) => Promise<T>,
  store: Store = ctx.store,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await runUnitOfWork(ctx, fn, store);
    } catch (error) {
      const raced = isGatewayError(error) && error.code === 'conflict';
      if (!raced || attempt >= 3 || store.hostCommitted) throw error;
    }
  }
}

/** Wakes the workers the events concern, then tells the listeners. */
function emit(
  ctx: GatewayContext,
  events: readonly AnyGatewayEvent[],
  changes: readonly StatusChange[],
): void {
  if (events.some((e) => DUE_EVENTS.has(e.type))) wake(ctx, 'due');
  if (events.some((e) => isWebhookEvent(e.type))) wake(ctx, 'outbox');
  for (const change of changes) ctx.operations.report('message.status', change);
  for (const event of events) ctx.emitter.dispatch(event);
}
