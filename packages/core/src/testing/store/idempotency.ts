/** Conformance (IdempotencyStore): idempotency records are written with their batch and are unique per account and key. */
import { expect, it } from 'vitest';
import type { IdempotencyRecord } from '../../domain/records.js';
import { makeMessage, makeOutbox } from '../fixtures.js';
import { expectConflict, type GroupContext, uuid } from './context.js';

/** Records for the purge test are this old, so no realistic record is purged by it. */
const ANCIENT = Date.UTC(1971, 0, 1);

function record(accountId: string, o: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return {
    accountId,
    key: `key-${uuid()}`,
    requestHash: `hash-${uuid()}`,
    messageIds: [],
    createdAt: Date.now(),
    ...o,
  };
}

export function idempotencyGroup(ctx: GroupContext): void {
  it('writes the record together with its batch', async () => {
    const accountId = uuid();
    const rows = [makeMessage({ accountId }), makeMessage({ accountId })];
    const idem = record(accountId, { messageIds: [rows[0]!.id, null, rows[1]!.id] });
    await ctx.store.insertMessages(rows, { idempotency: idem });
    expect(await ctx.raw.idempotency(accountId, idem.key)).toEqual({
      requestHash: idem.requestHash,
      messageIds: [rows[0]!.id, null, rows[1]!.id],
    });
    expect(await ctx.store.getIdempotency(accountId, idem.key, 0)).toEqual(idem);
    expect(await ctx.raw.countMessages(accountId)).toBe(2);
  });

  it('rejects a reused key and rolls back the whole batch', async () => {
    const accountId = uuid();
    const first = [makeMessage({ accountId })];
    const idem = record(accountId, { messageIds: [first[0]!.id] });
    await ctx.store.insertMessages(first, { idempotency: idem });
    const second = [makeMessage({ accountId }), makeMessage({ accountId })];
    const outbox = [makeOutbox({ accountId, status: 'delivered' })];
    const again = record(accountId, {
      key: idem.key,
      requestHash: 'another-hash',
      messageIds: second.map((m) => m.id),
    });
    await expectConflict(ctx.store.insertMessages(second, { idempotency: again, outbox }));
    expect(await ctx.raw.countMessages(accountId)).toBe(1);
    for (const row of second) expect(await ctx.raw.message(row.id)).toBeNull();
    expect(await ctx.raw.outbox(outbox[0]!.id)).toBeNull();
    expect(await ctx.raw.countOutbox(accountId)).toBe(0);
    expect(await ctx.raw.idempotency(accountId, idem.key)).toEqual({
      requestHash: idem.requestHash,
      messageIds: [first[0]!.id],
    });
  });

  it('allows the same key in another account', async () => {
    const key = `key-${uuid()}`;
    const [a, b] = [uuid(), uuid()];
    await ctx.store.insertMessages([makeMessage({ accountId: a })], {
      idempotency: record(a, { key }),
    });
    await ctx.store.insertMessages([makeMessage({ accountId: b })], {
      idempotency: record(b, { key, requestHash: 'b-hash' }),
    });
    expect((await ctx.raw.idempotency(b, key))?.requestHash).toBe('b-hash');
    expect(await ctx.raw.countMessages(b)).toBe(1);
  });

  it('stores a record with an empty batch', async () => {
    const accountId = uuid();
    const idem = record(accountId, { messageIds: [null] });
    await ctx.store.insertMessages([], { idempotency: idem });
    expect(await ctx.raw.idempotency(accountId, idem.key)).toEqual({
      requestHash: idem.requestHash,
      messageIds: [null],
    });
  });

  it('reads a record only inside the notBefore window and only for its account', async () => {
    const accountId = uuid();
    const createdAt = Date.now() - 60_000;
    const idem = record(accountId, { createdAt });
    await ctx.store.insertMessages([], { idempotency: idem });
    expect(await ctx.store.getIdempotency(accountId, idem.key, createdAt - 1)).toEqual(idem);
    expect(await ctx.store.getIdempotency(accountId, idem.key, createdAt)).toEqual(idem);
    expect(await ctx.store.getIdempotency(accountId, idem.key, createdAt + 1)).toBeNull();
    expect(await ctx.store.getIdempotency(uuid(), idem.key, 0)).toBeNull();
    expect(await ctx.store.getIdempotency(accountId, `key-${uuid()}`, 0)).toBeNull();
  });

  it('purges records created before the cut-off and keeps the rest', async () => {
    const accountId = uuid();
    const old = [
      record(accountId, { createdAt: ANCIENT }),
      record(accountId, { createdAt: ANCIENT + 1 }),
    ];
    const edge = record(accountId, { createdAt: ANCIENT + 2 });
    const recent = record(accountId);
    for (const idem of [...old, edge, recent]) {
      await ctx.store.insertMessages([], { idempotency: idem });
    }
    expect(await ctx.store.purgeIdempotency(ANCIENT + 2)).toBeGreaterThanOrEqual(2);
    for (const idem of old) expect(await ctx.raw.idempotency(accountId, idem.key)).toBeNull();
    expect(await ctx.raw.idempotency(accountId, edge.key)).not.toBeNull();
    expect(await ctx.raw.idempotency(accountId, recent.key)).not.toBeNull();
    expect(await ctx.store.purgeIdempotency(ANCIENT + 2)).toBe(0);
  });
}
