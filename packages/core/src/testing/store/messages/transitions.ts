/** Conformance (MessageStore): `transition` is a compare-and-set on status (and lease owner). */
import { expect, it } from 'vitest';
import type { MessageRecord } from '../../../domain/records.js';
import { makeMessage } from '../../fixtures.js';
import type { GroupContext } from '../context.js';

export function transitionsGroup(ctx: GroupContext): void {
  async function inserted(o: Partial<MessageRecord> = {}): Promise<MessageRecord> {
    const row = makeMessage(o);
    await ctx.store.insertMessages([row]);
    return row;
  }

  it('applies the patch when the status matches and returns the new row', async () => {
    const row = await inserted({ status: 'pending' });
    const at = row.updatedAt + 500;
    const result = await ctx.store.transition(row.id, ['pending'], {
      status: 'sending',
      lastAttemptedAt: at,
      updatedAt: at,
      sendAttemptCount: 1,
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.message).toEqual({
      ...row,
      status: 'sending',
      lastAttemptedAt: at,
      updatedAt: at,
      sendAttemptCount: 1,
    });
    expect(await ctx.raw.message(row.id)).toMatchObject({
      status: 'sending',
      lastAttemptedAt: at,
      updatedAt: at,
      sendAttemptCount: 1,
      content: row.content,
    });
  });

  it('accepts any of several expected statuses', async () => {
    const row = await inserted({ status: 'scheduled' });
    const result = await ctx.store.transition(row.id, ['pending', 'scheduled'], {
      status: 'canceled',
    });
    expect(result.ok).toBe(true);
    expect((await ctx.raw.message(row.id))?.status).toBe('canceled');
  });

  it('reports a lost race with the current row and does not overwrite', async () => {
    const row = await inserted({ status: 'sent', sendAttemptCount: 1 });
    const result = await ctx.store.transition(row.id, ['pending', 'scheduled'], {
      status: 'failed',
      sendAttemptCount: 7,
    });
    expect(result).toEqual({ ok: false, current: row });
    expect(await ctx.raw.message(row.id)).toMatchObject({ status: 'sent', sendAttemptCount: 1 });
  });

  it('reports a missing row with current null', async () => {
    const result = await ctx.store.transition(globalThis.crypto.randomUUID(), ['pending'], {
      status: 'sending',
    });
    expect(result).toEqual({ ok: false, current: null });
  });

  it('guards on the lease owner when asked', async () => {
    const now = Date.now();
    const row = await inserted({ status: 'scheduled', leaseOwner: 'worker-a', leaseUntil: now });
    const lost = await ctx.store.transition(
      row.id,
      ['scheduled'],
      { status: 'sending' },
      { leaseOwner: 'worker-b' },
    );
    expect(lost.ok).toBe(false);
    if (!lost.ok) expect(lost.current?.leaseOwner).toBe('worker-a');
    expect((await ctx.raw.message(row.id))?.status).toBe('scheduled');
    const won = await ctx.store.transition(
      row.id,
      ['scheduled'],
      { status: 'sending', leaseOwner: null, leaseUntil: null },
      { leaseOwner: 'worker-a' },
    );
    expect(won.ok).toBe(true);
    expect(await ctx.raw.message(row.id)).toMatchObject({
      status: 'sending',
      leaseOwner: null,
      leaseUntil: null,
    });
  });

  it('does not match a lease owner against an unleased row', async () => {
    const row = await inserted({ status: 'pending' });
    const result = await ctx.store.transition(
      row.id,
      ['pending'],
      { status: 'sending' },
      { leaseOwner: 'worker-a' },
    );
    expect(result.ok).toBe(false);
    expect((await ctx.raw.message(row.id))?.status).toBe('pending');
  });

  it('lets exactly one of two concurrent transitions from the same status win', async () => {
    const row = await inserted({ status: 'pending' });
    const [a, b] = await Promise.all([
      ctx.store.transition(row.id, ['pending'], { status: 'sending', failureReason: 'a' }),
      ctx.store.transition(row.id, ['pending'], { status: 'canceled', failureReason: 'b' }),
    ]);
    expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
    const winner = a.ok ? a.message : b.ok ? b.message : null;
    const loser = a.ok ? b : a;
    expect(loser.ok).toBe(false);
    if (!loser.ok) expect(loser.current?.status).toBe(winner?.status);
    expect((await ctx.raw.message(row.id))?.status).toBe(winner?.status);
  });

  it('lets exactly one of many concurrent claimers of the same row win', async () => {
    const row = await inserted({ status: 'scheduled', sendAttemptCount: 0 });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        ctx.store.transition(row.id, ['scheduled'], {
          status: 'sending',
          sendAttemptCount: n + 1,
        }),
      ),
    );
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    const winner = winners[0];
    const raw = await ctx.raw.message(row.id);
    expect(raw?.status).toBe('sending');
    if (winner?.ok) expect(raw?.sendAttemptCount).toBe(winner.message.sendAttemptCount);
  });

  it('returns a copy: changing it does not change the stored row', async () => {
    const row = await inserted({ status: 'pending', content: 'kept' });
    const result = await ctx.store.transition(row.id, ['pending'], { status: 'sending' });
    if (!result.ok) throw new Error('transition failed');
    result.message.content = 'changed';
    result.message.status = 'failed';
    expect(await ctx.raw.message(row.id)).toMatchObject({ content: 'kept', status: 'sending' });
  });

  it('writes due time and lease fields from the patch, including nulls', async () => {
    const now = Date.now();
    const row = await inserted({ status: 'pending', dueAt: now, leaseOwner: 'w', leaseUntil: now });
    const result = await ctx.store.transition(row.id, ['pending'], {
      status: 'scheduled',
      dueAt: now + 60_000,
      leaseOwner: null,
      leaseUntil: null,
    });
    expect(result.ok).toBe(true);
    expect(await ctx.raw.message(row.id)).toMatchObject({
      status: 'scheduled',
      dueAt: now + 60_000,
      leaseOwner: null,
      leaseUntil: null,
    });
  });
}
