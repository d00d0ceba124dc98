/**
 * The memory store's tables. Rows are stored as private copies and are never
 * mutated in place: every change puts a new object, so the undo log can hold
 * the previous row by reference and restore it on rollback.
 */
import type * as rec from '../../domain/records.js';
import { GatewayError } from '../../errors.js';
import type { AccountTable } from '../retention.js';

type Undo = () => void;

/** Fields a patch never changes. */
const IMMUTABLE_FIELDS: ReadonlySet<string> = new Set(['id', 'accountId', 'createdAt']);

export class Tables {
  readonly accounts = new Map<string, rec.AccountRecord>();
  readonly apiKeys = new Map<string, rec.ApiKeyRecord>();
  readonly phones = new Map<string, rec.PhoneRecord>();
  readonly heartbeats = new Map<string, rec.HeartbeatRecord>();
  readonly threads = new Map<string, rec.ThreadRecord>();
  /** Thread id by `pairKey(accountId, owner, contact)`. */
  readonly threadPairs = new Map<string, string>();
  readonly messages = new Map<string, rec.MessageRecord>();
  readonly webhooks = new Map<string, rec.WebhookRecord>();
  readonly schedules = new Map<string, rec.SendScheduleRecord>();
  /** Keyed by `idempotencyKey(accountId, key)`. */
  readonly idempotency = new Map<string, rec.IdempotencyRecord>();
  readonly outbox = new Map<string, rec.OutboxRecord>();
  readonly suppressions = new Map<string, rec.SuppressionRecord>();
  /** Suppression id by `[accountId, owner, contact]`. */
  readonly suppressionKeys = new Map<string, string>();
  readonly pools = new Map<string, rec.PoolRecord>();
  /** Contacts counted by the unique-recipients cap, keyed by `JSON.stringify([phoneId, month, contact])`. */
  readonly phoneRecipients = new Map<string, rec.PhoneRecipientRecord>();
  /** Keyed by `JSON.stringify([poolId, contact])`. */
  readonly poolContacts = new Map<string, rec.PoolContactRecord>();
  readonly discordIntegrations = new Map<string, rec.DiscordIntegrationRecord>();
  /** Keyed by account id: one per account. */
  readonly integrations3cx = new Map<string, rec.Integration3cxRecord>();

  readonly #log: Undo[] = [];

  /** Stores `row` under `key`, remembering what was there before. */
  put<V>(table: Map<string, V>, key: string, row: V): void {
    if (table.has(key)) {
      const previous = table.get(key) as V;
      this.#log.push(() => table.set(key, previous));
    } else {
      this.#log.push(() => table.delete(key));
    }
    table.set(key, row);
  }

  /** Adds a copy of `row`; an existing `key` is a conflict. */
  insert<V>(table: Map<string, V>, key: string, row: V, what: string): void {
    if (table.has(key)) throw conflict(`${what} ${key} already exists`);
    this.put(table, key, structuredClone(row));
  }

  /** Removes the row under `key` and returns it. */
  remove<V>(table: Map<string, V>, key: string): V | undefined {
    if (!table.has(key)) return undefined;
    const previous = table.get(key) as V;
    this.#log.push(() => table.set(key, previous));
    table.delete(key);
    return previous;
  }

  /** Runs `fn`; when it throws, every write it made is undone before the error goes on. */
  atomic<T>(fn: () => T): T {
    const mark = this.#log.length;
    try {
      return fn();
    } catch (error) {
      this.rollbackTo(mark);
      throw error;
    }
  }

  /** Undoes writes, newest first, until the log is back to `mark` entries. */
  rollbackTo(mark: number): void {
    while (this.#log.length > mark) this.#log.pop()!();
  }

  /** Makes every logged write permanent. */
  commit(): void {
    this.#log.length = 0;
  }
}

export function conflict(message: string): GatewayError {
  return new GatewayError('conflict', message);
}

/** The key of `threadPairs`: one thread per (account, owner, contact). */
export function pairKey(thread: Pick<rec.ThreadRecord, 'accountId' | 'owner' | 'contact'>): string {
  return JSON.stringify([thread.accountId, thread.owner, thread.contact]);
}

export function idempotencyKey(accountId: string, key: string): string {
  return JSON.stringify([accountId, key]);
}

/** A copy of `row` with the defined fields of `patch` applied; identity fields and unknown fields are ignored. */
export function patched<T extends object>(row: T, patch: object): T {
  const next = { ...row } as Record<string, unknown>;
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined || IMMUTABLE_FIELDS.has(field) || !(field in row)) continue;
    next[field] = structuredClone(value);
  }
  return next as T;
}

/** The row under `id` when it belongs to `accountId`. */
export function ownedRow<V extends { accountId: string }>(
  table: Map<string, V>,
  accountId: string,
  id: string,
): V | undefined {
  const row = table.get(id);
  return row?.accountId === accountId ? row : undefined;
}

/**
 * Applies `patch` to the row under `id` and returns a copy of the result, or
 * null when there is no such row. `check` may throw (a unique violation) before
 * anything is written.
 */
export function updateRow<V extends object>(
  t: Tables,
  table: Map<string, V>,
  id: string,
  patch: object,
  check?: (next: V) => void,
): V | null {
  const row = table.get(id);
  if (row === undefined) return null;
  const next = patched(row, patch);
  check?.(next);
  t.put(table, id, next);
  return structuredClone(next);
}

/** Removes the account's row under `id`; returns it, or undefined when there was none. */
export function deleteOwned<V extends { accountId: string }>(
  t: Tables,
  table: Map<string, V>,
  accountId: string,
  id: string,
): V | undefined {
  return ownedRow(table, accountId, id) ? t.remove(table, id) : undefined;
}

/** Removes up to `limit` rows of `table` that `old` picks; returns how many. */
export function purgeWhere<V>(
  t: Tables,
  table: Map<string, V>,
  limit: number,
  old: (row: V) => boolean,
): number {
  const max = Math.max(0, Math.trunc(limit));
  const keys: string[] = [];
  for (const [key, row] of table) {
    if (keys.length >= max) break;
    if (old(row)) keys.push(key);
  }
  for (const key of keys) t.remove(table, key);
  return keys.length;
}

/** Insert, get, update and delete of an account-owned table, for tables with no rules of their own. */
export interface OwnedTable<V> {
  insert(t: Tables, row: V): void;
  get(t: Tables, accountId: string, id: string): V | null;
  update(t: Tables, id: string, patch: Partial<V>): V | null;
  remove(t: Tables, accountId: string, id: string): boolean;
}

export function ownedTable<V extends { id: string; accountId: string }>(
  table: (t: Tables) => Map<string, V>,
  label: string,
): OwnedTable<V> {
  return {
    insert: (t, row) => t.insert(table(t), row.id, row, label),
    get: (t, accountId, id) => {
      const row = ownedRow(table(t), accountId, id);
      return row === undefined ? null : structuredClone(row);
    },
    update: (t, id, patch) => updateRow(t, table(t), id, patch),
    remove: (t, accountId, id) => deleteOwned(t, table(t), accountId, id) !== undefined,
  };
}

/** The memory table behind each table of an account's rows. */
export function accountRows(t: Tables, table: AccountTable): Map<string, { accountId?: string }> {
  const tables = {
    api_keys: t.apiKeys,
    outbox: t.outbox,
    messages: t.messages,
    threads: t.threads,
    heartbeats: t.heartbeats,
    idempotency: t.idempotency,
    suppressions: t.suppressions,
    pool_contacts: t.poolContacts,
    phone_recipients: t.phoneRecipients,
    discord_integrations: t.discordIntegrations,
    integration_3cx: t.integrations3cx,
    webhooks: t.webhooks,
    send_schedules: t.schedules,
    phones: t.phones,
    pools: t.pools,
    accounts: t.accounts,
  } satisfies Record<AccountTable, Map<string, unknown>>;
  return tables[table] as Map<string, { accountId?: string }>;
}

/** Whether the row under `key` of `table` belongs to the account (the account row: by its key). */
export function ownedBy(
  table: AccountTable,
  key: string,
  row: { accountId?: string },
  accountId: string,
): boolean {
  return table === 'accounts' ? key === accountId : row.accountId === accountId;
}
