/**
 * Two gateways ("nodes") on one Postgres or MySQL/MariaDB database, each with its
 * own dispatcher on a store of its own Knex pool, sharing a manual clock: what
 * the cross-node tests of pacing and caps dispatch with.
 */
import { createGateway, FakeTransport, type ManualClock, silentLogger } from '@textport/core';
import knexFactory from 'knex';
import { createKnexStore } from '../src/index.js';
import type { MysqlDatabase, PgDatabase, SERVERS } from './helpers.js';

/** Rounds of both dispatchers at one clock reading before a test gives up. */
const MAX_ROUNDS = 200;

export interface TwoNodes {
  db: PgDatabase | MysqlDatabase;
  gateways: ReturnType<typeof createGateway>[];
  nodes: { nodeId: string; transport: FakeTransport }[];
  /** Runs both dispatchers at once until neither claims a row at the clock's time. */
  dispatchNow(): Promise<void>;
  /** Every message id handed to either node's transport, in order per node. */
  handedOff(): string[];
  destroy(): Promise<void>;
}

/** Opens a fresh database of `server`, migrates it and starts the two nodes on it. */
export async function openTwoNodes(
  server: (typeof SERVERS)[number],
  clock: ManualClock,
): Promise<TwoNodes> {
  const db = await server.open();
  const other = knexFactory(db.config);
  const first = createKnexStore(db.knex);
  await first.migrate();
  const stores = [first, createKnexStore(other)];
  const nodes = ['node-a', 'node-b'].map((nodeId) => ({
    nodeId,
    transport: new FakeTransport(),
  }));
  const gateways = nodes.map(({ nodeId, transport }, i) =>
    createGateway({
      store: stores[i] ?? first,
      clock,
      logger: silentLogger,
      transports: [transport],
      nodeId,
      // Small batches: both nodes claim rows of the phone in the same round.
      dispatch: { batchSize: 3 },
    }),
  );
  return {
    db,
    gateways,
    nodes,
    async dispatchNow() {
      for (let round = 0; round < MAX_ROUNDS; round += 1) {
        const claimed = await Promise.all(gateways.map((g) => g.dispatcher.runOnce()));
        if (claimed.every((n) => n === 0)) return;
      }
      throw new Error(`the dispatchers still claimed rows after ${MAX_ROUNDS} rounds`);
    },
    handedOff: () => nodes.flatMap((n) => n.transport.handedOff()),
    async destroy() {
      await other.destroy();
      await db.destroy();
    },
  };
}
