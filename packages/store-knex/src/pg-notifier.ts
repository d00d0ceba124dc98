/**
 * A Notifier on Postgres LISTEN/NOTIFY, for gateways on several processes that
 * share one database. `publish(topic)` sends `NOTIFY` on the topic's channel
 * (one per topic of the contract: due work, outbox rows, revoked keys, transport
 * state) through the pool; `subscribe` listens on one dedicated connection, opened
 * outside the pool. When that connection drops it is reopened (with backoff),
 * the channels are listened to again and every listener is called once, since
 * a notification may have been missed meanwhile.
 */
import type { Logger, Notifier, NotifierTopic } from '@textport/core';
import { consoleLogger, GatewayError } from '@textport/core';
import type { Knex } from 'knex';
import { clientOf, dialectOf } from './internal/knex.js';
import { quote } from './sql/fragment.js';

export interface PgNotifierOptions {
  /** Channels are `<prefix><topic>` (default `textport_`): gateways sharing it wake each other. */
  channelPrefix?: string;
  /** First delay before reopening a dropped connection; doubles up to `maxReconnectDelayMs`. */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** How often the listening connection is checked with a query (default 30 s; 0 = never). */
  pingIntervalMs?: number;
  logger?: Logger;
}

export interface PgNotifier extends Notifier {
  /** Resolves once the channels subscribed so far are listened to. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

interface ListenConnection {
  query(text: string): Promise<unknown>;
  on(event: 'notification', fn: (message: { channel: string }) => void): unknown;
  on(event: 'error' | 'end', fn: (error?: unknown) => void): unknown;
}

function assertPostgres(knex: Knex): Knex {
  if (dialectOf(knex) !== 'postgres') {
    throw new GatewayError('config', 'createPgNotifier needs a Knex instance or config for "pg"');
  }
  return knex;
}

function isKnex(value: unknown): value is Knex {
  return typeof value === 'function' && 'client' in value;
}

class PgNotifierImpl implements PgNotifier {
  readonly #options: Required<Omit<PgNotifierOptions, 'logger'>> & { logger: Logger };
  readonly #knex: Promise<Knex>;
  readonly #ownsKnex: boolean;
  readonly #listeners = new Map<NotifierTopic, Set<() => void>>();
  #connection: ListenConnection | undefined;
  #connecting: Promise<ListenConnection> | undefined;
  #delay: number;
  #retry: NodeJS.Timeout | undefined;
  #ping: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(knexOrConfig: Knex | Knex.Config, options: PgNotifierOptions) {
    this.#options = {
      channelPrefix: options.channelPrefix ?? 'textport_',
      reconnectDelayMs: options.reconnectDelayMs ?? 100,
      maxReconnectDelayMs: options.maxReconnectDelayMs ?? 5000,
      pingIntervalMs: options.pingIntervalMs ?? 30_000,
      logger: options.logger ?? consoleLogger,
    };
    this.#delay = this.#options.reconnectDelayMs;
    this.#ownsKnex = !isKnex(knexOrConfig);
    this.#knex = isKnex(knexOrConfig)
      ? Promise.resolve(knexOrConfig)
      : import('knex').then((mod) => assertPostgres((mod.knex ?? mod.default)(knexOrConfig)));
    this.#knex.catch(() => undefined);
  }

  #channel(topic: NotifierTopic): string {
    return `${this.#options.channelPrefix}${topic}`;
  }

  async publish(topic: NotifierTopic): Promise<void> {
    const knex = await this.#knex;
    await knex.raw('SELECT pg_notify(?, ?)', [this.#channel(topic), '']);
  }

  subscribe(topic: NotifierTopic, listener: () => void): () => void {
    let set = this.#listeners.get(topic);
    if (!set) {
      set = new Set();
      this.#listeners.set(topic, set);
    }
    const first = set.size === 0;
    set.add(listener);
    if (first) void this.#command(`LISTEN ${quote(this.#channel(topic))}`);
    return () => {
      const current = this.#listeners.get(topic);
      if (!current?.delete(listener) || current.size > 0) return;
      void this.#command(`UNLISTEN ${quote(this.#channel(topic))}`);
    };
  }

  async ready(): Promise<void> {
    if (this.#listeners.size === 0) return;
    await this.#open();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    clearInterval(this.#ping);
    const connection = this.#connection ?? (await this.#connecting?.catch(() => undefined));
    this.#connection = undefined;
    const knex = await this.#knex;
    if (connection)
      await clientOf(knex)
        .destroyRawConnection(connection)
        .catch(() => undefined);
    if (this.#ownsKnex) await knex.destroy();
  }

  /** Runs a LISTEN/UNLISTEN on the listening connection; a failure leaves it to the reconnect. */
  async #command(text: string): Promise<void> {
    try {
      const connection = await this.#open();
      await connection.query(text);
    } catch (error) {
      if (!this.#closed) this.#options.logger.warn({ err: error }, `notifier: ${text} failed`);
    }
  }

  #open(): Promise<ListenConnection> {
    if (this.#closed) return Promise.reject(new GatewayError('store', 'the notifier is closed'));
    if (this.#connection) return Promise.resolve(this.#connection);
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #connect(): Promise<ListenConnection> {
    const knex = await this.#knex;
    const connection = (await clientOf(knex).acquireRawConnection()) as ListenConnection;
    let dropped = false;
    const drop = (error?: unknown) => {
      if (dropped) return;
      dropped = true;
      if (this.#connection === connection) this.#connection = undefined;
      if (!this.#closed) this.#dropped(error);
    };
    connection.on('error', drop);
    connection.on('end', drop);
    connection.on('notification', (message) => this.#notify(message.channel));
    for (const topic of this.#listeners.keys()) {
      if (this.#listeners.get(topic)?.size) {
        await connection.query(`LISTEN ${quote(this.#channel(topic))}`);
      }
    }
    if (this.#closed) {
      await clientOf(knex)
        .destroyRawConnection(connection)
        .catch(() => undefined);
      throw new GatewayError('store', 'the notifier is closed');
    }
    this.#connection = connection;
    this.#delay = this.#options.reconnectDelayMs;
    this.#startPing(connection);
    return connection;
  }

  #notify(channel: string): void {
    for (const [topic, set] of this.#listeners) {
      if (this.#channel(topic) !== channel) continue;
      for (const listener of set) {
        try {
          listener();
        } catch {
          // A wake-up listener has nothing to report back; the safety poll covers it.
        }
      }
    }
  }

  #dropped(error: unknown): void {
    clearInterval(this.#ping);
    this.#options.logger.warn({ err: error }, 'notifier: the listening connection dropped');
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#retry) return;
    const delay = this.#delay;
    this.#delay = Math.min(this.#delay * 2, this.#options.maxReconnectDelayMs);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#open().then(
        () => {
          for (const topic of this.#listeners.keys()) this.#notify(this.#channel(topic));
        },
        (error: unknown) => {
          if (this.#closed) return;
          this.#options.logger.warn({ err: error }, 'notifier: reconnect failed');
          this.#scheduleReconnect();
        },
      );
    }, delay);
    this.#retry.unref?.();
  }

  #startPing(connection: ListenConnection): void {
    clearInterval(this.#ping);
    if (this.#options.pingIntervalMs <= 0) return;
    this.#ping = setInterval(() => {
      connection.query('SELECT 1').catch(() => undefined);
    }, this.#options.pingIntervalMs);
    this.#ping.unref?.();
  }
}

/**
 * A Postgres LISTEN/NOTIFY notifier. Give it the application's Knex instance
 * (a dedicated connection is opened beside its pool) or a Knex config (the
 * notifier then owns that Knex and destroys it on `close()`).
 */
export function createPgNotifier(
  knexOrConfig: Knex | Knex.Config,
  options: PgNotifierOptions = {},
): PgNotifier {
  if (isKnex(knexOrConfig)) assertPostgres(knexOrConfig);
  return new PgNotifierImpl(knexOrConfig, options);
}
