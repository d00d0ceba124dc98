/** Conformance (MessageStore): `transitionMany`, many compare-and-sets in one step. */
import { expect, it } from 'vitest';
import type { MessageRecord } from '../../../domain/records.js';
import { makeMessage } from '../../fixtures.js';
import type { GroupContext } from '../context.js';

export function batchesGroup(ctx: GroupContext): void {
  async function inserted(o: Partial<MessageRecord> = {}): Promise<MessageRecord> {
    const row = makeMessage(o);
    await ctx.store.insertMessages([row]);
    return row;
  }

  it('applies every step whose guard holds and returns the new rows in step order', async () => {
    const now = Date.now();
    const a = await inserted({ status: 'pending', leaseOwner: 'w', leaseUntil: now });
    const b = await inserted({ status: 'expired', leaseOwner: 'w', leaseUntil: now });
    const c = await inserted({ status: 'scheduled', leaseOwner: 'w', leaseUntil: now });
    // Three shapes of patch in one batch: each row gets exactly its own fields.
    const result = await ctx.store.transitionMany([
      {
        id: c.id,
        expected: ['scheduled'],
        patch: { sendAttemptCount: 1, dueAt: now + 600_000, leaseOwner: null, leaseUntil: null },
        leaseOwner: 'w',
      },
      {
        id: a.id,
        expected: ['pending'],
        patch: { status: 'scheduled', scheduledAt: now, dueAt: now + 5, leaseOwner: null },
        leaseOwner: 'w',
      },
      {
        id: b.id,
        expected: ['expired', 'pending'],
        patch: { status: 'scheduled', failureReason: 'again', leaseUntil: null },
      },
    ]);
    expect(result).toEqual([
      { ...c, sendAttemptCount: 1, dueAt: now + 600_000, leaseOwner: null, leaseUntil: null },
      { ...a, status: 'scheduled', scheduledAt: now, dueAt: now + 5, leaseOwner: null },
      { ...b, status: 'scheduled', failureReason: 'again', leaseUntil: null },
    ]);
    expect(await ctx.raw.message(a.id)).toMatchObject({ status: 'scheduled', dueAt: now + 5 });
    expect(await ctx.store.getMessage(b.accountId, b.id)).toMatchObject({
      failureReason: 'again',
      leaseUntil: null,
    });
    expect(await ctx.raw.message(c.id)).toMatchObject({ sendAttemptCount: 1, leaseOwner: null });
  });

  it('leaves rows whose status, lease owner or existence does not match, and says null', async () => {
    const now = Date.now();
    const sent = await inserted({ status: 'sent', sendAttemptCount: 1 });
    const leased = await inserted({ status: 'pending', leaseOwner: 'other', leaseUntil: now });
    const free = await inserted({ status: 'pending' });
    const ok = await inserted({ status: 'pending', leaseOwner: 'w', leaseUntil: now });
    const patch = { status: 'scheduled', sendAttemptCount: 9 } as const;
    const result = await ctx.store.transitionMany([
      { id: sent.id, expected: ['pending'], patch },
      { id: leased.id, expected: ['pending'], patch, leaseOwner: 'w' },
      { id: free.id, expected: ['pending'], patch, leaseOwner: 'w' },
      { id: globalThis.crypto.randomUUID(), expected: ['pending'], patch },
      { id: ok.id, expected: ['pending'], patch, leaseOwner: 'w' },
    ]);
    expect(result.map((m) => m?.id ?? null)).toEqual([null, null, null, null, ok.id]);
    expect(await ctx.raw.message(sent.id)).toMatchObject({ status: 'sent', sendAttemptCount: 1 });
    expect(await ctx.raw.message(leased.id)).toMatchObject({
      status: 'pending',
      leaseOwner: 'other',
    });
    expect((await ctx.raw.message(free.id))?.status).toBe('pending');
    expect(await ctx.raw.message(ok.id)).toMatchObject({
      status: 'scheduled',
      sendAttemptCount: 9,
    });
  });

  it('returns the rows its transaction holds with the patch applied, as they are stored', async () => {
    const now = Date.now();
    const phoneId = globalThis.crypto.randomUUID();
    const rows = [
      makeMessage({ phoneId, dueAt: now - 20, attachments: ['https://example.com/a.png'] }),
      makeMessage({ phoneId, dueAt: now - 10, status: 'expired', failureReason: 'late' }),
      makeMessage({ phoneId, dueAt: now - 5, status: 'scheduled', scheduledAt: now - 60 }),
    ];
    await ctx.store.insertMessages(rows);
    const result = await ctx.store.transaction(async (tx) => {
      const held = await tx.pickDue({ now, phoneIds: [phoneId], limit: 10 });
      expect(held.map((m) => m.id)).toEqual(rows.map((m) => m.id));
      const [pending, expired, scheduled] = held as [MessageRecord, MessageRecord, MessageRecord];
      return tx.transitionMany([
        {
          id: pending.id,
          expected: ['pending'],
          patch: { status: 'scheduled', scheduledAt: now, dueAt: now + 5, updatedAt: now },
          current: pending,
        },
        // Its guard does not hold: null, and the row is left as it is.
        { id: expired.id, expected: ['pending'], patch: { status: 'failed' }, current: expired },
        {
          id: scheduled.id,
          expected: ['scheduled'],
          patch: { status: 'sending', failureReason: null, leaseOwner: 'w', leaseUntil: now + 1 },
          current: scheduled,
        },
      ]);
    });
    const [pending, expired, scheduled] = rows as [MessageRecord, MessageRecord, MessageRecord];
    expect(result[1]).toBeNull();
    expect(result[0]).toEqual(await ctx.store.getMessage(pending.accountId, pending.id));
    expect(result[0]).toMatchObject({ status: 'scheduled', dueAt: now + 5, updatedAt: now });
    expect(result[2]).toEqual(await ctx.store.getMessage(scheduled.accountId, scheduled.id));
    expect(result[2]).toMatchObject({ status: 'sending', leaseOwner: 'w', scheduledAt: now - 60 });
    expect(await ctx.store.getMessage(expired.accountId, expired.id)).toEqual(expired);
  });

  it('returns nothing for no steps', async () => {
    expect(await ctx.store.transitionMany([])).toEqual([]);
  });

  it('gives each row to one of two batches racing for the same rows', async () => {
    const rows = await Promise.all(
      Array.from({ length: 20 }, () => inserted({ status: 'pending' })),
    );
    const batch = (who: string) =>
      ctx.store.transitionMany(
        rows.map((row) => ({
          id: row.id,
          expected: ['pending'] as const,
          patch: { status: 'scheduled' as const, failureReason: who },
        })),
      );
    const [a, b] = await Promise.all([batch('a'), batch('b')]);
    for (const [i, row] of rows.entries()) {
      const winners = [a[i], b[i]].filter((m) => m !== null);
      expect(winners).toHaveLength(1);
      const stored = await ctx.store.getMessage(row.accountId, row.id);
      expect(stored?.status).toBe('scheduled');
      expect(stored?.failureReason).toBe(winners[0]?.failureReason);
    }
  });

  it('applies all of a batch or none inside a transaction that rolls back', async () => {
    const a = await inserted({ status: 'pending' });
    const b = await inserted({ status: 'pending' });
    const boom = new Error('rolled back');
    await expect(
      ctx.store.transaction(async (tx) => {
        const moved = await tx.transitionMany([
          { id: a.id, expected: ['pending'], patch: { status: 'scheduled' } },
          { id: b.id, expected: ['pending'], patch: { status: 'canceled' } },
        ]);
        expect(moved.every((m) => m !== null)).toBe(true);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect((await ctx.raw.message(a.id))?.status).toBe('pending');
    expect((await ctx.raw.message(b.id))?.status).toBe('pending');
  });
}
