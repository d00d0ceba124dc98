/**
 * Conformance (WebhookStore): the webhook outbox — insert, claim under a lease, guarded
 * updates, listing.
 *
 * `claimOutbox` is not scoped to an account, so claim tests run in their own
 * window of time long ago (each window earlier than the one before) and mark
 * their rows delivered when done; rows written by other tests stay out of reach.
 */
import { expect, it } from 'vitest';
import type { OutboxRecord } from '../../../domain/records.js';
import type { ClaimOutboxQuery, Store } from '../../../store.js';
import { makeMessage, makeOutbox } from '../../fixtures.js';
import { drain, expectConflict, type GroupContext, idSet, ids, uuid } from '../context.js';

let windowCursor = Date.UTC(1975, 0, 1);

/** A claim window of its own, rows made for it, and cleanup of those rows. */
function claimWindow(store: Store) {
  windowCursor -= 3_600_000;
  const start = windowCursor;
  const accountId = uuid();
  const made: string[] = [];
  const make = (o: Partial<OutboxRecord> = {}) => {
    const row = makeOutbox({ accountId, nextAttemptAt: start, createdAt: start, ...o });
    made.push(row.id);
    return row;
  };
  const claim = (q: Partial<ClaimOutboxQuery> = {}) =>
    store.claimOutbox({ now: start + 1000, limit: 100, leaseMs: 30_000, claimer: 'w1', ...q });
  const cleanup = async () => {
    for (const id of made) await store.updateOutbox(id, { status: 'delivered' });
  };
  return { start, accountId, make, claim, cleanup };
}

export function outboxGroup(ctx: GroupContext): void {
  async function inWindow(test: (w: ReturnType<typeof claimWindow>) => Promise<void>) {
    const w = claimWindow(ctx.store);
    try {
      await test(w);
    } finally {
      await w.cleanup();
    }
  }

  it('inserts rows and rejects a duplicate id', async () => {
    const accountId = uuid();
    const rows = [makeOutbox({ accountId }), makeOutbox({ accountId })];
    await ctx.store.insertOutbox(rows);
    expect(await ctx.raw.outbox(rows[0]!.id)).toMatchObject({
      id: rows[0]!.id,
      status: 'pending',
      attempts: 0,
      leaseOwner: null,
      leaseUntil: null,
      nextAttemptAt: rows[0]!.nextAttemptAt,
      payload: rows[0]!.payload,
    });
    const fresh = makeOutbox({ accountId });
    await expectConflict(ctx.store.insertOutbox([fresh, { ...rows[1]!, attempts: 9 }]));
    expect(await ctx.raw.outbox(fresh.id)).toBeNull();
    expect(await ctx.raw.countOutbox(accountId)).toBe(2);
    await Promise.all(rows.map((r) => ctx.store.updateOutbox(r.id, { status: 'delivered' })));
  });

  it('writes outbox rows together with a message batch', async () => {
    const accountId = uuid();
    const message = makeMessage({ accountId });
    const rows = [makeOutbox({ accountId }), makeOutbox({ accountId })];
    await ctx.store.insertMessages([message], { outbox: rows });
    expect(await ctx.raw.countOutbox(accountId)).toBe(2);
    expect((await ctx.raw.outbox(rows[1]!.id))?.payload).toBe(rows[1]!.payload);
    await Promise.all(rows.map((r) => ctx.store.updateOutbox(r.id, { status: 'delivered' })));
  });

  it('claims only pending rows that are due and not leased', () =>
    inWindow(async ({ start, make, claim }) => {
      const due = make({ nextAttemptAt: start + 1000 });
      const early = make({ nextAttemptAt: start });
      const rows = [
        due,
        early,
        make({ nextAttemptAt: start + 1001 }),
        make({ status: 'delivered' }),
        make({ status: 'failed' }),
        make({ leaseOwner: 'other', leaseUntil: start + 1001 }),
      ];
      await ctx.store.insertOutbox(rows);
      expect(ids(await claim())).toEqual([early.id, due.id]);
    }));

  it('claims the oldest nextAttemptAt first, at most `limit`', () =>
    inWindow(async ({ start, make, claim }) => {
      const rows = [5, 1, 3, 2, 4].map((n) => make({ nextAttemptAt: start + n }));
      await ctx.store.insertOutbox(rows);
      const byTime = [...rows].sort((a, b) => a.nextAttemptAt - b.nextAttemptAt);
      expect(ids(await claim({ limit: 2 }))).toEqual(ids(byTime.slice(0, 2)));
      expect(ids(await claim({ limit: 2 }))).toEqual(ids(byTime.slice(2, 4)));
      expect(ids(await claim({ limit: 2 }))).toEqual(ids(byTime.slice(4)));
    }));

  it('leaves the rows of excluded webhooks alone', () =>
    inWindow(async ({ start, make, claim }) => {
      const [busy, slow, other] = [uuid(), uuid(), uuid()];
      const rows = [
        make({ webhookId: busy, nextAttemptAt: start }),
        make({ webhookId: slow, nextAttemptAt: start + 1 }),
        make({ webhookId: other, nextAttemptAt: start + 2 }),
        make({ webhookId: busy, nextAttemptAt: start + 3 }),
      ];
      await ctx.store.insertOutbox(rows);
      const claimed = await claim({ limit: 1, excludeWebhookIds: [busy, slow] });
      expect(ids(claimed)).toEqual([rows[2]!.id]);
      expect((await ctx.raw.outbox(rows[0]!.id))?.leaseOwner).toBeNull();
      expect(ids(await claim({ excludeWebhookIds: [] }))).toEqual(
        ids([rows[0]!, rows[1]!, rows[3]!]),
      );
    }));

  it('leases claimed rows until the lease runs out', () =>
    inWindow(async ({ start, make, claim }) => {
      const row = make();
      await ctx.store.insertOutbox([row]);
      const now = start + 1000;
      const [claimed] = await claim({ claimer: 'a', leaseMs: 5000 });
      expect(claimed).toMatchObject({ id: row.id, leaseOwner: 'a', leaseUntil: now + 5000 });
      expect(await ctx.raw.outbox(row.id)).toMatchObject({
        leaseOwner: 'a',
        leaseUntil: now + 5000,
        status: 'pending',
      });
      expect(await claim({ claimer: 'b', now: now + 4999 })).toEqual([]);
      expect(ids(await claim({ claimer: 'b', now: now + 5000 }))).toEqual([row.id]);
      expect((await ctx.raw.outbox(row.id))?.leaseOwner).toBe('b');
    }));

  it('never gives the same row to two concurrent claimers', () =>
    inWindow(async ({ start, make, claim }) => {
      const rows = Array.from({ length: 60 }, (_, n) => make({ nextAttemptAt: start + (n % 9) }));
      await ctx.store.insertOutbox(rows);
      const run = (claimer: string) => drain(() => claim({ claimer, limit: 4 }), rows.length);
      const [a, b] = await Promise.all([run('a'), run('b')]);
      expect(new Set([...a, ...b]).size).toBe(a.length + b.length);
      expect([...a, ...b].sort()).toEqual(idSet(rows));
    }));

  it('updates a row only while the given lease owner holds it', () =>
    inWindow(async ({ make, claim }) => {
      const row = make();
      await ctx.store.insertOutbox([row]);
      await claim({ claimer: 'a' });
      const patch = {
        status: 'delivered' as const,
        attempts: 1,
        leaseOwner: null,
        leaseUntil: null,
      };
      expect(await ctx.store.updateOutbox(row.id, patch, { leaseOwner: 'b' })).toBeNull();
      expect(await ctx.raw.outbox(row.id)).toMatchObject({ status: 'pending', leaseOwner: 'a' });
      const updated = await ctx.store.updateOutbox(row.id, patch, { leaseOwner: 'a' });
      expect(updated).toMatchObject({ id: row.id, ...patch });
      expect(await ctx.raw.outbox(row.id)).toMatchObject({ ...patch });
    }));

  it('updates without a guard and reports a missing row', async () => {
    const row = makeOutbox({ status: 'pending' });
    await ctx.store.insertOutbox([row]);
    const later = row.nextAttemptAt + 60_000;
    const updated = await ctx.store.updateOutbox(row.id, {
      status: 'failed',
      attempts: 3,
      nextAttemptAt: later,
      lastError: 'HTTP 500',
    });
    expect(updated).toEqual({
      ...row,
      status: 'failed',
      attempts: 3,
      nextAttemptAt: later,
      lastError: 'HTTP 500',
    });
    expect(await ctx.raw.outbox(row.id)).toMatchObject({ status: 'failed', attempts: 3 });
    expect(await ctx.store.updateOutbox(uuid(), { attempts: 1 })).toBeNull();
  });

  it('lists rows of an account newest first, by webhook, with paging', async () => {
    const accountId = uuid();
    const webhookId = uuid();
    const base = Date.now();
    const make = (n: number, hook = webhookId) =>
      makeOutbox({ accountId, webhookId: hook, status: 'delivered', createdAt: base + n });
    const rows = [make(1), make(3), make(2), make(4, uuid())];
    await ctx.store.insertOutbox(rows);
    await ctx.store.insertOutbox([makeOutbox({ webhookId, status: 'delivered' })]);
    const list = (q: { webhookId?: string | null; skip?: number; limit?: number }) =>
      ctx.store.listOutbox({ accountId, skip: 0, limit: 10, ...q });
    const [r1, r3, r2, r4] = rows;
    expect(ids(await list({}))).toEqual([r4!.id, r3!.id, r2!.id, r1!.id]);
    expect(ids(await list({ webhookId: null }))).toHaveLength(4);
    expect(ids(await list({ webhookId }))).toEqual([r3!.id, r2!.id, r1!.id]);
    expect(ids(await list({ webhookId, skip: 1, limit: 1 }))).toEqual([r2!.id]);
  });

  it("gets one of the account's rows by id, with the last HTTP status", async () => {
    const accountId = uuid();
    const row = makeOutbox({ accountId, status: 'delivered', attempts: 1, lastHttpStatus: 204 });
    await ctx.store.insertOutbox([row]);
    expect(await ctx.store.getOutbox(accountId, row.id)).toEqual(row);
    expect(await ctx.store.getOutbox(uuid(), row.id)).toBeNull();
    expect(await ctx.store.getOutbox(accountId, uuid())).toBeNull();
    await ctx.store.updateOutbox(row.id, { lastHttpStatus: 503, lastError: 'HTTP 503' });
    expect(await ctx.store.getOutbox(accountId, row.id)).toMatchObject({
      lastHttpStatus: 503,
      lastError: 'HTTP 503',
    });
    await ctx.store.updateOutbox(row.id, { lastHttpStatus: null });
    expect((await ctx.store.getOutbox(accountId, row.id))?.lastHttpStatus).toBeNull();
  });

  it('lists the rows about one message (by subject), and keeps the subject', async () => {
    const accountId = uuid();
    const messageId = uuid();
    const base = Date.now();
    const about = (n: number, subjectId: string | null) =>
      makeOutbox({ accountId, subjectId, createdAt: base + n });
    const rows = [about(1, messageId), about(2, uuid()), about(3, null), about(4, messageId)];
    await ctx.store.insertOutbox(rows);
    await ctx.store.insertOutbox([makeOutbox({ subjectId: messageId })]);
    const [first, , , last] = rows;
    const mine = await ctx.store.listOutbox({
      accountId,
      subjectId: messageId,
      skip: 0,
      limit: 10,
    });
    expect(mine).toEqual([last, first]);
    const both = await ctx.store.listOutbox({
      accountId,
      webhookId: first!.webhookId,
      subjectId: messageId,
      skip: 0,
      limit: 10,
    });
    expect(ids(both)).toEqual([first!.id]);
    expect(await ctx.store.listOutbox({ accountId, skip: 0, limit: 10 })).toHaveLength(4);
  });
}
