/** The Store contract on SQL: each method is one operation run by the engine. */

import {
  isReadOperation,
  operationStore,
  type Store,
  type StoreCapabilities,
  type StoreHealth,
} from '@textport/core/store';
import type { SqlEngine } from './engine/sql-engine.js';
import * as activity from './ops/activity.js';
import * as batches from './ops/batches.js';
import * as claims from './ops/claims.js';
import * as directory from './ops/directory.js';
import * as idempotency from './ops/idempotency.js';
import * as integrations from './ops/integrations.js';
import * as messages from './ops/messages.js';
import * as phoneGates from './ops/phone-gates.js';
import * as pools from './ops/pools.js';
import * as retention from './ops/retention.js';
import * as schedules from './ops/schedules.js';
import * as suppressions from './ops/suppressions.js';
import * as threads from './ops/threads.js';
import * as webhooks from './ops/webhooks.js';
import { pendingMigrations } from './schema/migrations.js';
import type { Db } from './sql/db.js';

/** Every Store operation, written once over a database handle: one module per Store part. */
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
  ...batches,
  ...phoneGates,
};

export class SqlStore extends operationStore<Db, typeof OPERATIONS>(OPERATIONS) implements Store {
  readonly capabilities: StoreCapabilities;
  protected readonly engine: SqlEngine;

  constructor(engine: SqlEngine, capabilities: StoreCapabilities) {
    // Reads and writes as the contract's access table says (`store/access.ts`):
    // a write runs atomically in the engine's write path.
    super((name, op) => {
      const task = async (db: Db) => op(db);
      return isReadOperation(name) ? engine.read(task) : engine.write(task);
    });
    this.engine = engine;
    this.capabilities = capabilities;
  }

  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return this.engine.transaction(fn);
  }

  /** Reads the migrations table: the database answers, and says which migrations it lacks. */
  async ping(): Promise<StoreHealth> {
    return { pendingMigrations: await this.engine.read(pendingMigrations) };
  }
}
