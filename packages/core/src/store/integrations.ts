/**
 * IntegrationStore: an account's links to other services — Discord servers (slash commands
 * send SMS, incoming SMS go to a channel) and its 3CX PBX (incoming SMS go to its webhook).
 * Implemented by `memory/integrations.ts` and store-knex's `ops/integrations.ts`; checked by
 * the conformance group `integrations`.
 */
import type { DiscordIntegrationRecord, Integration3cxRecord } from '../domain/records.js';
import type { PageQuery, RecordPatch } from './page.js';

export interface DiscordIntegrationListQuery extends PageQuery {
  accountId: string;
  /** Substring of the name, the server id or the channel id. */
  query?: string | null;
}

export interface IntegrationStore {
  /** A server already linked (to any account) is a `conflict`. */
  insertDiscordIntegration(record: DiscordIntegrationRecord): Promise<void>;
  getDiscordIntegration(accountId: string, id: string): Promise<DiscordIntegrationRecord | null>;
  /** The integration of a Discord server, whichever account it belongs to. */
  findDiscordIntegrationByServer(serverId: string): Promise<DiscordIntegrationRecord | null>;
  /** Newest first. */
  listDiscordIntegrations(query: DiscordIntegrationListQuery): Promise<DiscordIntegrationRecord[]>;
  /** A `serverId` another integration holds is a `conflict`. */
  updateDiscordIntegration(
    id: string,
    patch: RecordPatch<DiscordIntegrationRecord>,
  ): Promise<DiscordIntegrationRecord | null>;
  deleteDiscordIntegration(accountId: string, id: string): Promise<boolean>;
  /**
   * Sets the account's 3CX integration in one statement: inserts `record`, or, when the
   * account has one, replaces its `webhookUrl` and `updatedAt` (keeping its id and
   * `createdAt`). Returns the stored row.
   */
  putIntegration3cx(record: Integration3cxRecord): Promise<Integration3cxRecord>;
  getIntegration3cx(accountId: string): Promise<Integration3cxRecord | null>;
  deleteIntegration3cx(accountId: string): Promise<boolean>;
}
