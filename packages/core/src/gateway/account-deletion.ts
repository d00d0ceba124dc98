/**
 * Account deletion (`DELETE /v1/users/me`): every row of the account goes, in
 * batches (`Store.purgeAccount`), and its attachment files with it. The API keys go
 * first and every node is told at once (the notifier's `keys` topic), so the keys
 * stop working on every channel — HTTP, phone sockets, event streams — before the
 * rest is removed; the account row goes last. A deletion cut short (a crash) is
 * finished by calling it again.
 */
import { GatewayError } from '../errors.js';
import type { GatewayContext } from '../uow/context.js';
import { keysRevoked } from './accounts.js';

/** Rows removed per store call: each call is one short statement. */
export const ACCOUNT_DELETE_BATCH = 500;

/** Removes the account's attachment files (keys `<account>/<message>/…`). */
async function deleteAttachments(ctx: GatewayContext, accountId: string): Promise<number> {
  const files = ctx.attachments;
  if (!files.list) return 0;
  const prefix = `${accountId}/`;
  const keys: string[] = [];
  for await (const entry of files.list()) if (entry.key.startsWith(prefix)) keys.push(entry.key);
  for (const key of keys) await files.delete(key);
  return keys.length;
}

/** Deletes the account and everything it owns; returns how many rows were removed. */
export async function deleteAccount(
  ctx: GatewayContext,
  accountId: string,
  batchSize = ACCOUNT_DELETE_BATCH,
): Promise<number> {
  if (!(await ctx.store.getAccount(accountId))) {
    throw GatewayError.notFound(`cannot find account with ID [${accountId}]`);
  }
  let removed = await ctx.store.purgeAccount(accountId, batchSize);
  // The first batch took the keys (or the first `batchSize` of them): tell every node.
  keysRevoked(ctx);
  const files = await deleteAttachments(ctx, accountId);
  for (;;) {
    const n = await ctx.store.purgeAccount(accountId, batchSize);
    if (n === 0) break;
    removed += n;
  }
  keysRevoked(ctx);
  ctx.logger.info({ accountId, rows: removed, files }, 'account deleted');
  return removed;
}
