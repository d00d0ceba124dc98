/** The Store contract on SQL: each method is one operation run by the engine. */

import { operationStore, type Store, type StoreCapabilities } from '@textport/core/store';
import type { Engine } from './engine/engine.js';
import * as claims from './ops/claims.js';
import * as conversations from './ops/conversations.js';
import * as delivery from './ops/delivery.js';
import * as directory from './ops/directory.js';
import * as messages from './ops/messages.js';
import type { Db } from './sql/db.js';

/** Every Store operation, written once over a database handle (see the modules). */
const OPERATIONS = { ...messages, ...claims, ...directory, ...conversations, ...delivery };

/**
 * Operations that only read, known by the Store contract's naming: every other
 * operation writes and runs atomically in the engine's write path.
 */
const READS = /^(get|find|list|search|latest|next)[A-Z]/;

export class SqlStore extends operationStore<Db, typeof OPERATIONS>(OPERATIONS) implements Store {
  readonly capabilities: StoreCapabilities;
  protected readonly engine: Engine;

  constructor(engine: Engine, capabilities: StoreCapabilities) {
    super((name, op) => {
      const task = async (db: Db) => op(db);
      return READS.test(name) ? engine.read(task) : engine.write(task);
    });
    this.engine = engine;
    this.capabilities = capabilities;
  }

  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return this.engine.transaction(fn);
  }
}
