/**
 * The gateway's metrics: counters and histograms fed by its operational events
 * (`gateway.operations`), and gauges read when Prometheus scrapes (phones online
 * from the transports, the due backlog from the store, cached for `backlogCacheMs`).
 * Labels are bounded sets (statuses, transport names, outcomes, operations):
 * never a message id or a phone number.
 */
import type { Gateway, OperationEventData } from '@textport/core';
import type { DueBacklog } from '@textport/core/store';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Seconds, from 50 ms to an hour: hand-offs and sends span both. */
export const LATENCY_BUCKETS: readonly number[] = Object.freeze([
  0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600,
]);

export interface GatewayMetricsOptions {
  gateway: Gateway;
  registry: Registry;
  prefix: string;
  /** How long a read of the due backlog serves scrapes (default 5000 ms). */
  backlogCacheMs: number;
}

/** Registers the gateway's metrics on `registry`; returns what detaches them. */
export function registerGatewayMetrics(options: GatewayMetricsOptions): () => void {
  const { gateway, registry, prefix } = options;
  const registers = [registry];
  const names: string[] = [];
  const named = (name: string) => {
    names.push(`${prefix}${name}`);
    return `${prefix}${name}`;
  };
  const messages = new Counter({
    name: named('messages_total'),
    help: 'Messages that reached each status',
    labelNames: ['status'] as const,
    registers,
  });
  const handoffs = new Counter({
    name: named('handoffs_total'),
    help: 'Hand-offs of messages to a transport, by outcome (ok, retry, failed)',
    labelNames: ['transport', 'outcome'] as const,
    registers,
  });
  const apiToPhone = new Histogram({
    name: named('api_to_phone_seconds'),
    help: 'Seconds from the API request to the hand-off to the phone',
    labelNames: ['transport'] as const,
    buckets: [...LATENCY_BUCKETS],
    registers,
  });
  const sendTime = new Histogram({
    name: named('send_seconds'),
    help: 'Seconds from the API request to the phone reporting the message sent or delivered',
    labelNames: ['status'] as const,
    buckets: [...LATENCY_BUCKETS],
    registers,
  });
  const webhooks = new Counter({
    name: named('webhook_deliveries_total'),
    help: 'Webhook delivery attempts, by outcome (delivered, retry, failed, gave_up)',
    labelNames: ['outcome', 'event_type'] as const,
    registers,
  });
  const storeErrors = new Counter({
    name: named('store_errors_total'),
    help: 'Failed store work of the background loops (retried on their next round)',
    labelNames: ['operation'] as const,
    registers,
  });
  const dispatchRounds = new Histogram({
    name: named('dispatch_round_seconds'),
    help: 'Seconds a dispatch round that claimed rows took',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  new Gauge({
    name: named('phones_online'),
    help: 'Phones connected to this node, by transport (transports that hold connections)',
    labelNames: ['transport'] as const,
    registers,
    collect() {
      this.reset();
      for (const transport of gateway.config.transports) {
        const { phoneIds } = transport.reach();
        if (phoneIds !== 'any') this.set({ transport: transport.name }, phoneIds.length);
      }
    },
  });
  const backlog = cachedBacklog(gateway, options.backlogCacheMs);
  new Gauge({
    name: named('queue_due_messages'),
    help: 'Messages due for the dispatcher now (hand-offs and expiry checks), on every node',
    registers,
    async collect() {
      const read = await backlog();
      if (read) this.set(read.due);
    },
  });
  new Gauge({
    name: named('queue_oldest_due_seconds'),
    help: 'How long the oldest due message has waited past its due time (0 when none is due)',
    registers,
    async collect() {
      const read = await backlog();
      if (!read) return;
      const now = gateway.config.clock.now();
      const { oldestDueAt } = read;
      this.set(oldestDueAt === null ? 0 : Math.max(0, now - oldestDueAt) / 1000);
    },
  });

  const listeners = {
    'message.status': (e: OperationEventData['message.status']) => {
      messages.inc({ status: e.to });
      if ((e.to === 'sent' || e.to === 'delivered') && e.sinceRequestMs !== null) {
        sendTime.observe({ status: e.to }, e.sinceRequestMs / 1000);
      }
    },
    'dispatch.handoff': (e: OperationEventData['dispatch.handoff']) => {
      const transport = e.transport ?? 'none';
      const outcome = e.ok ? 'ok' : e.retryable ? 'retry' : 'failed';
      handoffs.inc({ transport, outcome });
      if (e.ok) apiToPhone.observe({ transport }, e.sinceRequestMs / 1000);
    },
    'dispatch.round': (e: OperationEventData['dispatch.round']) => {
      dispatchRounds.observe(e.durationMs / 1000);
    },
    'webhook.attempt': (e: OperationEventData['webhook.attempt']) => {
      webhooks.inc({ outcome: e.outcome, event_type: e.eventType });
    },
    'store.error': (e: OperationEventData['store.error']) => {
      storeErrors.inc({ operation: e.operation });
    },
  };
  const ops = gateway.operations;
  ops.on('message.status', listeners['message.status']);
  ops.on('dispatch.handoff', listeners['dispatch.handoff']);
  ops.on('dispatch.round', listeners['dispatch.round']);
  ops.on('webhook.attempt', listeners['webhook.attempt']);
  ops.on('store.error', listeners['store.error']);

  return () => {
    ops.off('message.status', listeners['message.status']);
    ops.off('dispatch.handoff', listeners['dispatch.handoff']);
    ops.off('dispatch.round', listeners['dispatch.round']);
    ops.off('webhook.attempt', listeners['webhook.attempt']);
    ops.off('store.error', listeners['store.error']);
    for (const name of names) registry.removeSingleMetric(name);
  };
}

/**
 * The store's due backlog, read at most once per `cacheMs` (on the gateway's clock):
 * both gauges of a scrape share one read, and frequent scrapes do not load the database.
 * A failed read resolves to null (logged; the gauges keep their last value) and is not kept.
 */
function cachedBacklog(gateway: Gateway, cacheMs: number): () => Promise<DueBacklog | null> {
  let read: { at: number; value: Promise<DueBacklog | null> } | undefined;
  return () => {
    const now = gateway.config.clock.now();
    if (!read || now - read.at >= cacheMs || now < read.at) {
      const current: { at: number; value: Promise<DueBacklog | null> } = {
        at: now,
        value: gateway.store.getDueBacklog(now).catch((error: unknown) => {
          if (read === current) read = undefined;
          gateway.config.logger.warn({ err: error }, 'could not read the due backlog for metrics');
          return null;
        }),
      };
      read = current;
    }
    return read.value;
  };
}
