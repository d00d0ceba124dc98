/**
 * Conformance (RetentionStore): the purges remove exactly the old rows their rule
 * names, never a row with work left, and at most `limit` rows per call. Rows are
 * dated in 1972, so no row a realistic test writes is old enough to be purged.
 */
import { expect, it } from 'vitest';
import type { IdempotencyRecord } from '../../domain/records.js';
import { MESSAGE_STATUSES } from '../../lifecycle/status.js';
import { PURGEABLE_MESSAGE_STATUSES } from '../../store/retention.js';
import { makeHeartbeat, makeMessage, makeOutbox, makeThread } from '../fixtures.js';
import { type GroupContext, uuid } from './context.js';

/** The cut-off of every purge in this group: rows updated before it are old. */
const CUTOFF = Date.UTC(1972, 0, 1);
const OLD = CUTOFF - 1;
const ANCIENT = CUTOFF - 365 * 86_400_000;

/** Calls `purge` until it removes nothing; returns the total (gives up after 100 calls). */
async function drain(purge: () => Promise<number>): Promise<number> {
  let total = 0;
  for (let calls = 0; calls < 100; calls += 1) {
    const removed = await purge();
    if (removed === 0) return total;
    total += removed;
  }
  throw new Error('the purge still removed rows after 100 calls');
}

function idempotencyRecord(accountId: string, createdAt: number): IdempotencyRecord {
  return { accountId, key: `key-${uuid()}`, requestHash: 'hash', messageIds: [], createdAt };
}

export function retentionGroup(ctx: GroupContext): void {
  it('purges finished messages updated before the cut-off and keeps the rest', async () => {
    const accountId = uuid();
    const at = (updatedAt: number, status: (typeof MESSAGE_STATUSES)[number], dueAt = null) =>
      makeMessage({ accountId, status, updatedAt, createdAt: ANCIENT, dueAt });
    const old = PURGEABLE_MESSAGE_STATUSES.map((status) => at(OLD, status));
    const atCutoff = PURGEABLE_MESSAGE_STATUSES.map((status) => at(CUTOFF, status));
    const unfinished = MESSAGE_STATUSES.filter(
      (status) => !PURGEABLE_MESSAGE_STATUSES.includes(status),
    ).map((status) => ({ ...at(ANCIENT, status), dueAt: ANCIENT }));
    // An expired message waiting for its next attempt still has work to do.
    const retrying = { ...at(ANCIENT, 'expired'), dueAt: ANCIENT };
    const kept = [...atCutoff, ...unfinished, retrying];
    await ctx.store.insertMessages([...old, ...kept]);

    expect(await drain(() => ctx.store.purgeMessages(CUTOFF, 1_000))).toBeGreaterThanOrEqual(
      old.length,
    );
    for (const m of old) expect(await ctx.raw.message(m.id), m.status).toBeNull();
    for (const m of kept) expect((await ctx.raw.message(m.id))?.status).toBe(m.status);
    expect(await ctx.raw.countMessages(accountId)).toBe(kept.length);
    expect(['pending', 'scheduled', 'sending']).toEqual(unfinished.map((m) => m.status));
  });

  it('removes at most `limit` messages per call', async () => {
    await drain(() => ctx.store.purgeMessages(CUTOFF, 1_000));
    const accountId = uuid();
    const rows = Array.from({ length: 5 }, () =>
      makeMessage({ accountId, status: 'delivered', updatedAt: ANCIENT }),
    );
    await ctx.store.insertMessages(rows);
    expect(await ctx.store.purgeMessages(CUTOFF, 2)).toBe(2);
    expect(await ctx.raw.countMessages(accountId)).toBe(3);
    expect(await ctx.store.purgeMessages(CUTOFF, 0)).toBe(0);
    expect(await ctx.raw.countMessages(accountId)).toBe(3);
    expect(await ctx.store.purgeMessages(CUTOFF, 2)).toBe(2);
    expect(await ctx.store.purgeMessages(CUTOFF, 2)).toBe(1);
    expect(await ctx.store.purgeMessages(CUTOFF, 2)).toBe(0);
    expect(await ctx.raw.countMessages(accountId)).toBe(0);
  });

  it('keeps a thread whose messages were purged', async () => {
    const accountId = uuid();
    const message = makeMessage({ accountId, status: 'received', updatedAt: ANCIENT });
    const thread = makeThread({
      accountId,
      owner: message.owner,
      contact: message.contact,
      lastMessageId: message.id,
      lastMessageContent: message.content,
    });
    await ctx.store.insertThread(thread);
    await ctx.store.insertMessages([message]);
    await drain(() => ctx.store.purgeMessages(CUTOFF, 1_000));
    expect(await ctx.raw.message(message.id)).toBeNull();
    expect((await ctx.raw.thread(thread.id))?.lastMessageId).toBe(message.id);
  });

  it('purges heartbeats older than the cut-off, at most `limit` per call', async () => {
    await drain(() => ctx.store.purgeHeartbeats(CUTOFF, 1_000));
    const accountId = uuid();
    const old = Array.from({ length: 5 }, () => makeHeartbeat({ accountId, timestamp: OLD }));
    const kept = [makeHeartbeat({ accountId, timestamp: CUTOFF }), makeHeartbeat({ accountId })];
    await ctx.store.insertHeartbeats([...old, ...kept]);
    expect(await ctx.store.purgeHeartbeats(CUTOFF, 2)).toBe(2);
    expect(await ctx.raw.countHeartbeats(accountId)).toBe(5);
    expect(await drain(() => ctx.store.purgeHeartbeats(CUTOFF, 2))).toBe(3);
    expect(await ctx.raw.countHeartbeats(accountId)).toBe(kept.length);
  });

  it('purges delivered and given-up outbox rows, never pending ones', async () => {
    await drain(() => ctx.store.purgeOutbox(CUTOFF, 1_000));
    const accountId = uuid();
    const row = (status: 'pending' | 'delivered' | 'failed', updatedAt: number) =>
      makeOutbox({ accountId, status, updatedAt, createdAt: ANCIENT, nextAttemptAt: ANCIENT });
    const old = [row('delivered', OLD), row('failed', OLD), row('delivered', ANCIENT)];
    const pending = [
      row('pending', ANCIENT),
      { ...row('pending', ANCIENT), leaseOwner: 'node-a', leaseUntil: ANCIENT, attempts: 3 },
    ];
    const kept = [row('delivered', CUTOFF), row('failed', CUTOFF), ...pending];
    await ctx.store.insertOutbox([...old, ...kept]);
    expect(await ctx.store.purgeOutbox(CUTOFF, 2)).toBe(2);
    expect(await ctx.raw.countOutbox(accountId)).toBe(old.length + kept.length - 2);
    expect(await drain(() => ctx.store.purgeOutbox(CUTOFF, 2))).toBe(1);
    for (const o of old) expect(await ctx.raw.outbox(o.id)).toBeNull();
    for (const o of kept) expect((await ctx.raw.outbox(o.id))?.status).toBe(o.status);
    expect(await ctx.raw.countOutbox(accountId)).toBe(kept.length);
  });

  it('purges idempotency records in batches of at most `limit`', async () => {
    await ctx.store.purgeIdempotency(CUTOFF);
    const accountId = uuid();
    const old = [OLD, OLD, ANCIENT].map((at) => idempotencyRecord(accountId, at));
    const kept = idempotencyRecord(accountId, CUTOFF);
    for (const record of [...old, kept]) {
      await ctx.store.insertMessages([], { idempotency: record });
    }
    expect(await ctx.store.purgeIdempotency(CUTOFF, 2)).toBe(2);
    expect(await ctx.raw.countIdempotency(accountId)).toBe(2);
    expect(await ctx.store.purgeIdempotency(CUTOFF, 2)).toBe(1);
    expect(await ctx.store.purgeIdempotency(CUTOFF, 2)).toBe(0);
    for (const record of old) expect(await ctx.raw.idempotency(accountId, record.key)).toBeNull();
    expect(await ctx.raw.idempotency(accountId, kept.key)).not.toBeNull();
  });
}
