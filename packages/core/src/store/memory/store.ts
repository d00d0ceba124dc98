/**
 * The in-memory reference Store. One async mutex serialises every top-level
 * operation and every transaction, so concurrent callers see the behaviour of a
 * database running serializable transactions. Each operation is atomic on its
 * own (a failed batch leaves nothing behind); a transaction keeps an undo log
 * and restores every row it touched when its function throws.
 *
 * Calling the outer store (instead of `tx`) from inside `transaction(fn)` waits
 * for the transaction to end, which never happens: always use `tx`. Using `tx`
 * after its transaction has finished throws a `store` error.
 */
import { GatewayError } from '../../errors.js';
import type { Store, StoreCapabilities, StoreHealth } from '../../store.js';
import { operationStore } from '../operations.js';
import * as activity from './activity.js';
import * as claims from './claims.js';
import * as directory from './directory.js';
import * as idempotency from './idempotency.js';
import * as integrations from './integrations.js';
import * as messages from './messages.js';
import * as pools from './pools.js';
import * as retention from './retention.js';
import * as schedules from './schedules.js';
import * as suppressions from './suppressions.js';
import { Tables } from './tables.js';
import * as threads from './threads.js';
import { type TableRunner, topLevelRunner } from './transactions.js';
import * as webhooks from './webhooks.js';

/** Every Store operation, written once over the tables: one module per Store part. */
const OPERATIONS = {
  ...messages,
  ...claims,
  ...directory,
  ...threads,
  ...webhooks,
  ...schedules,
  ...idempotency,
  ...suppressions,
  ...pools,
  ...integrations,
  ...retention,
  ...activity,
};

const registry = new WeakMap<MemoryStore, Tables>();

/** The tables behind a memory store (for the raw reader). */
export function tablesOf(store: MemoryStore): Tables {
  const tables = registry.get(store);
  if (!tables) throw new GatewayError('internal', 'not a memory store');
  return tables;
}

export class MemoryStore
  extends operationStore<Tables, typeof OPERATIONS>(OPERATIONS)
  implements Store
{
  readonly capabilities: StoreCapabilities = Object.freeze({
    skipLocked: false,
    listenNotify: false,
    multiProcess: false,
  });
  readonly #runner: TableRunner;

  private constructor(tables: Tables, runner: TableRunner) {
    super((_name, op) => runner.run(op));
    this.#runner = runner;
    registry.set(this, tables);
  }

  /** A store over fresh, empty tables. */
  static create(): MemoryStore {
    const tables = new Tables();
    const bind = (runner: TableRunner) => new MemoryStore(tables, runner);
    return bind(topLevelRunner(tables, bind));
  }

  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return this.#runner.transaction(fn);
  }

  /** Always answers: the tables are in this process, and there are no migrations. */
  async ping(): Promise<StoreHealth> {
    return {};
  }
}
