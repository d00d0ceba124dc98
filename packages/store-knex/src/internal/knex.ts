/**
 * The parts of a Knex instance the store reaches below the query builder: its
 * connection pool (operations run on the driver connection directly), a fresh
 * connection outside the pool (the Postgres listener) and the connection a
 * transaction holds. Knex does not type these, so they are declared here.
 */
import { GatewayError } from '@textport/core';
import type { Knex } from 'knex';
import type { DialectName } from '../sql/kit.js';

interface KnexClient {
  readonly dialect?: string;
  readonly driverName?: string;
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<unknown>;
  acquireRawConnection(): Promise<unknown>;
  destroyRawConnection(connection: unknown): Promise<unknown>;
}

export function clientOf(knex: Knex): KnexClient {
  return knex.client as KnexClient;
}

/** Which database the Knex instance talks to; better-sqlite3, pg and mysql2 are supported. */
export function dialectOf(knex: Knex): DialectName {
  const client = knex?.client as Partial<KnexClient> | undefined;
  if (client?.driverName === 'better-sqlite3') return 'sqlite';
  if (client?.driverName === 'pg' && client.dialect === 'postgresql') return 'postgres';
  if (client?.driverName === 'mysql2') return 'mysql';
  throw new GatewayError(
    'config',
    `createKnexStore supports Knex with the "better-sqlite3", "pg" or "mysql2" client; got "${String(client?.driverName ?? 'unknown')}"`,
  );
}

/** The driver connection a Knex transaction runs on. */
export async function transactionConnection(trx: Knex.Transaction): Promise<unknown> {
  if (!trx || (trx as { isTransaction?: unknown }).isTransaction !== true) {
    throw new GatewayError('config', 'bind() takes a Knex transaction (knex.transaction(…))');
  }
  return (trx.client as KnexClient).acquireConnection();
}
