/**
 * The orphan sweep of attachment files. A receive writes its files before its
 * message commits and removes them when the commit fails; a process that dies in
 * between leaves files no message points at. The sweep removes every file older
 * than `orphanAfterMs` that no stored message lists (also the files of deleted
 * messages, and half-written `.part` files). It runs when the gateway starts and
 * every `intervalMs`; a store without `list` is not swept.
 */
import type { GatewayContext } from '../uow/context.js';

/** Messages looked up at most once per sweep, up to this many remembered. */
const REMEMBERED = 10_000;

/** Whether `key` is one of the message's attachments (`<account>/<message>/…`). */
async function isReferenced(
  ctx: GatewayContext,
  key: string,
  seen: Map<string, readonly string[] | null>,
): Promise<boolean> {
  const [accountId, messageId] = key.split('/');
  if (!accountId || !messageId) return false;
  const owner = `${accountId}/${messageId}`;
  let urls = seen.get(owner);
  if (urls === undefined) {
    const message = await ctx.store.getMessage(accountId, messageId);
    urls = message?.attachments ?? null;
    if (seen.size >= REMEMBERED) seen.clear();
    seen.set(owner, urls);
  }
  const path = `/v1/attachments/${key}`;
  return urls?.some((url) => url.endsWith(path)) ?? false;
}

/** Removes the orphaned attachment files; returns how many. */
export async function sweepAttachments(ctx: GatewayContext): Promise<number> {
  const store = ctx.attachments;
  if (!store.list) return 0;
  const cutoff = ctx.clock.now() - ctx.attachmentSweep.orphanAfterMs;
  const seen = new Map<string, readonly string[] | null>();
  let removed = 0;
  for await (const entry of store.list()) {
    if (entry.storedAt > cutoff || (await isReferenced(ctx, entry.key, seen))) continue;
    await store.delete(entry.key);
    removed += 1;
  }
  if (removed > 0) ctx.logger.info({ removed }, 'removed orphaned attachment files');
  return removed;
}

/** Runs the sweep now and every `intervalMs` (0: never); returns the function that stops it. */
export function startAttachmentSweep(ctx: GatewayContext): () => void {
  const { intervalMs } = ctx.attachmentSweep;
  if (intervalMs === 0 || !ctx.attachments.list) return () => {};
  const run = () =>
    void sweepAttachments(ctx).catch((error: unknown) =>
      ctx.logger.error({ err: error }, 'the attachment sweep failed; it runs again later'),
    );
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
