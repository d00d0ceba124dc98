/**
 * Several textport nodes sharing one PostgreSQL database. Each node is an HTTP
 * server with the API and the WebSocket phone endpoint; phones connect to any of
 * them. A message sent through one node is claimed by the node that holds the
 * phone's socket: claims use SKIP LOCKED, LISTEN/NOTIFY carries the wake-up
 * between nodes, and leases return the work of a node that dies.
 *
 *   const cluster = await startCluster({ databaseUrl: 'postgres://…', nodes: 3 });
 *   // cluster.nodes[i].url: send to any; connect phones to any.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGateway, type Gateway, type GatewayConfig, silentLogger } from '@textport/core';
import { createRouter } from '@textport/express';
import { createKnexStore, createPgNotifier } from '@textport/store-knex';
import { websocketTransport } from '@textport/transport-websocket';
import express from 'express';
import knex, { type Knex } from 'knex';

export interface ClusterNode {
  nodeId: string;
  url: string;
  gateway: Gateway;
  /** The node's WebSocket transport (phones connect to `${url}/v1/phones/ws`). */
  transport: ReturnType<typeof websocketTransport>;
}

export interface ClusterOptions {
  databaseUrl: string;
  nodes?: number;
  /** A PostgreSQL schema to keep the tables in (created if missing). */
  schema?: string;
  /** More gateway settings for every node (pools, dispatch, …). */
  config?: Partial<GatewayConfig>;
}

async function startNode(config: Knex.Config, nodeId: string, more: Partial<GatewayConfig>) {
  const db = knex(config);
  const store = createKnexStore(db);
  await store.migrate();
  const notifier = createPgNotifier(db);
  const app = express();
  const server = http.createServer(app);
  const ws = websocketTransport({ server });
  const gateway = createGateway({
    store,
    transports: [ws],
    notifier,
    nodeId,
    logger: silentLogger,
    ...more,
  });
  app.use(createRouter(gateway));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await gateway.start();
  const { port } = server.address() as AddressInfo;
  const node: ClusterNode = { nodeId, url: `http://127.0.0.1:${port}`, gateway, transport: ws };
  const close = async () => {
    await gateway.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await notifier.close?.();
    await db.destroy();
  };
  return { node, close };
}

export async function startCluster(options: ClusterOptions) {
  const schema = options.schema ?? 'public';
  const admin = knex({ client: 'pg', connection: options.databaseUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE SCHEMA IF NOT EXISTS "${schema.replaceAll('"', '')}"`);
  await admin.destroy();
  const config: Knex.Config = {
    client: 'pg',
    connection: options.databaseUrl,
    searchPath: [schema],
    pool: { min: 0, max: 5 },
  };
  // One node migrates first, so the others find the tables.
  const more = options.config ?? {};
  const started = [await startNode(config, 'node-1', more)];
  for (let i = 2; i <= (options.nodes ?? 3); i++)
    started.push(await startNode(config, `node-${i}`, more));
  return {
    nodes: started.map((s) => s.node),
    async close() {
      for (const s of started.reverse()) await s.close();
    },
  };
}
