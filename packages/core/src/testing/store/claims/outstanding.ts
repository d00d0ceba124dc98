/** Conformance (ClaimStore): `takeOutstanding` moves one outstanding message to `sending` atomically. */
import { expect, it } from 'vitest';
import type { MessageRecord } from '../../../domain/records.js';
import { sourcesOf, targetOf } from '../../../lifecycle/machine.js';
import type { MessageStatus } from '../../../lifecycle/status.js';
import type { TakeOutstandingQuery } from '../../../store.js';
import { makeMessage, randomPhoneNumber } from '../../fixtures.js';
import { type GroupContext, uuid } from '../context.js';

export function outstandingGroup(ctx: GroupContext): void {
  async function inserted(o: Partial<MessageRecord> = {}): Promise<MessageRecord> {
    const row = makeMessage({ status: 'pending', ...o });
    await ctx.store.insertMessages([row]);
    return row;
  }
  const take = (row: MessageRecord, q: Partial<TakeOutstandingQuery> = {}) =>
    ctx.store.takeOutstanding({
      accountId: row.accountId,
      id: row.id,
      now: Date.now(),
      from: sourcesOf('take'),
      to: targetOf('take'),
      ...q,
    });

  it('moves a pending message to sending and stamps the attempt', async () => {
    const row = await inserted({ orderTimestamp: Date.now() - 60_000, dueAt: null });
    const now = row.orderTimestamp + 60_000;
    const taken = await take(row, { now });
    expect(taken).toEqual({
      ...row,
      status: 'sending',
      lastAttemptedAt: now,
      updatedAt: now,
      orderTimestamp: now,
    });
    expect(await ctx.raw.message(row.id)).toMatchObject({
      status: 'sending',
      lastAttemptedAt: now,
      updatedAt: now,
      orderTimestamp: now,
      dueAt: null,
    });
  });

  it('takes scheduled and expired messages too', async () => {
    for (const status of ['scheduled', 'expired'] as const) {
      const row = await inserted({ status });
      expect((await take(row))?.status).toBe('sending');
      expect((await ctx.raw.message(row.id))?.status).toBe('sending');
    }
  });

  it('keeps a later orderTimestamp', async () => {
    const now = Date.now();
    const row = await inserted({ orderTimestamp: now + 3_600_000 });
    expect((await take(row, { now }))?.orderTimestamp).toBe(now + 3_600_000);
    expect((await ctx.raw.message(row.id))?.orderTimestamp).toBe(now + 3_600_000);
  });

  it('returns null for statuses that are not outstanding, leaving them untouched', async () => {
    const statuses: MessageStatus[] = [
      'sending',
      'sent',
      'delivered',
      'failed',
      'received',
      'canceled',
    ];
    for (const status of statuses) {
      const row = await inserted({ status });
      expect(await take(row)).toBeNull();
      expect(await ctx.raw.message(row.id)).toMatchObject({
        status,
        lastAttemptedAt: null,
        updatedAt: row.updatedAt,
      });
    }
  });

  it('returns null for another account or an unknown id', async () => {
    const row = await inserted();
    expect(await take(row, { accountId: uuid() })).toBeNull();
    expect(await take(row, { id: uuid() })).toBeNull();
    expect((await ctx.raw.message(row.id))?.status).toBe('pending');
  });

  it('restricts to the given owners; null means any owner', async () => {
    const owner = randomPhoneNumber();
    const row = await inserted({ owner });
    expect(await take(row, { owners: [randomPhoneNumber()] })).toBeNull();
    expect(await take(row, { owners: [] })).toBeNull();
    expect((await ctx.raw.message(row.id))?.status).toBe('pending');
    expect((await take(row, { owners: [randomPhoneNumber(), owner] }))?.status).toBe('sending');
    const other = await inserted();
    expect((await take(other, { owners: null }))?.status).toBe('sending');
  });

  it('sets dueAt when given and keeps it when not', async () => {
    const now = Date.now();
    const set = await inserted({ dueAt: now - 1 });
    expect((await take(set, { now, dueAt: now + 600_000 }))?.dueAt).toBe(now + 600_000);
    expect((await ctx.raw.message(set.id))?.dueAt).toBe(now + 600_000);
    const cleared = await inserted({ dueAt: now - 1 });
    await take(cleared, { now, dueAt: null });
    expect((await ctx.raw.message(cleared.id))?.dueAt).toBeNull();
    const kept = await inserted({ dueAt: now - 1 });
    await take(kept, { now });
    expect((await ctx.raw.message(kept.id))?.dueAt).toBe(now - 1);
  });

  it('gives a message to only one of several concurrent takers', async () => {
    const row = await inserted();
    const results = await Promise.all([take(row), take(row), take(row)]);
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect((await ctx.raw.message(row.id))?.status).toBe('sending');
  });

  it('moves only from the statuses given and to the status given (the lifecycle decides them)', async () => {
    const scheduled = await inserted({ status: 'scheduled' });
    expect(await take(scheduled, { from: ['pending'] })).toBeNull();
    expect((await ctx.raw.message(scheduled.id))?.status).toBe('scheduled');
    expect(await take(scheduled, { from: [] })).toBeNull();
    const pending = await inserted();
    expect((await take(pending, { from: ['pending'], to: 'scheduled' }))?.status).toBe('scheduled');
    expect((await ctx.raw.message(pending.id))?.status).toBe('scheduled');
  });
}
