/**
 * WebhookStore: webhook subscriptions and the outbox of their deliveries
 * (claimed, leased and updated by the webhook worker). Implemented by
 * `memory/webhooks.ts` and store-knex's `ops/webhooks.ts`; checked by the
 * conformance group `webhooks` (subscriptions, outbox).
 */
import type { OutboxRecord, WebhookRecord } from '../domain/records.js';
import type { TransitionOptions } from './messages.js';
import type { PageQuery, RecordPatch } from './page.js';

export interface WebhookListQuery extends PageQuery {
  accountId: string;
  query?: string | null;
}

export interface ClaimOutboxQuery {
  now: number;
  limit: number;
  leaseMs: number;
  claimer: string;
  /** Rows of these webhooks are left alone (the claimer's busy receivers). */
  excludeWebhookIds?: readonly string[];
}

export interface OutboxListQuery extends PageQuery {
  accountId: string;
  webhookId?: string | null;
  /** Only the deliveries of events about this message. */
  subjectId?: string | null;
}

export interface WebhookStore {
  // webhooks
  insertWebhook(webhook: WebhookRecord): Promise<void>;
  getWebhook(accountId: string, id: string): Promise<WebhookRecord | null>;
  /** Newest first. */
  listWebhooks(query: WebhookListQuery): Promise<WebhookRecord[]>;
  /** Enabled webhooks of the account subscribed to `eventType` for the `owner` number. */
  listWebhooksFor(accountId: string, eventType: string, owner: string): Promise<WebhookRecord[]>;
  updateWebhook(id: string, patch: RecordPatch<WebhookRecord>): Promise<WebhookRecord | null>;
  deleteWebhook(accountId: string, id: string): Promise<boolean>;
  /**
   * Starts the webhook's failing episode: sets `failingSince` to `at` when it is null,
   * as one compare-and-set. True when this call started it; false when an episode was
   * already running (or there is no such webhook). `updateWebhook` with
   * `failingSince: null` ends the episode.
   */
  markWebhookFailing(id: string, at: number): Promise<boolean>;

  // outbox
  insertOutbox(rows: readonly OutboxRecord[]): Promise<void>;
  /** The account's delivery `id`; null when there is none (or it is another account's). */
  getOutbox(accountId: string, id: string): Promise<OutboxRecord | null>;
  /** Pending rows with `nextAttemptAt <= now` and no live lease, oldest first, leased to the claimer. */
  claimOutbox(query: ClaimOutboxQuery): Promise<OutboxRecord[]>;
  updateOutbox(
    id: string,
    patch: RecordPatch<OutboxRecord>,
    options?: TransitionOptions,
  ): Promise<OutboxRecord | null>;
  /** Newest first. */
  listOutbox(query: OutboxListQuery): Promise<OutboxRecord[]>;
}
