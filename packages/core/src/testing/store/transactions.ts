/** Conformance (TransactionStore): `transaction(fn)` commits every write together or none of them. */
import { expect, it } from 'vitest';
import { makeApiKey, makeMessage, makeOutbox, makePhone, makeThread } from '../fixtures.js';
import { expectConflict, type GroupContext, rejection, uuid } from './context.js';

export function transactionsGroup(ctx: GroupContext): void {
  /** Fresh rows of one account, of every kind a transaction may write. */
  function rowsOf(accountId = uuid()) {
    return {
      accountId,
      phone: makePhone({ accountId }),
      messages: [makeMessage({ accountId }), makeMessage({ accountId })],
      outbox: makeOutbox({ accountId, status: 'delivered' }),
      thread: makeThread({ accountId }),
      key: makeApiKey({ accountId }),
    };
  }

  it('commits every write and returns the value of fn', async () => {
    const r = rowsOf();
    const result = await ctx.store.transaction(async (tx) => {
      await tx.insertPhone(r.phone);
      await tx.insertMessages(r.messages, { outbox: [r.outbox] });
      await tx.insertThread(r.thread);
      await tx.insertApiKey(r.key);
      return 'done';
    });
    expect(result).toBe('done');
    expect(await ctx.raw.countMessages(r.accountId)).toBe(2);
    expect(await ctx.raw.outbox(r.outbox.id)).not.toBeNull();
    expect(await ctx.raw.thread(r.thread.id)).not.toBeNull();
    expect(await ctx.raw.apiKey(r.key.id)).not.toBeNull();
    expect(await ctx.store.getPhone(r.phone.id)).toEqual(r.phone);
  });

  it('sees its own writes inside the transaction', async () => {
    const r = rowsOf();
    await ctx.store.transaction(async (tx) => {
      await tx.insertMessages(r.messages);
      expect((await tx.getMessage(r.accountId, r.messages[0]!.id))?.id).toBe(r.messages[0]!.id);
      const moved = await tx.transition(r.messages[1]!.id, ['pending'], { status: 'canceled' });
      expect(moved.ok).toBe(true);
      expect((await tx.getMessage(r.accountId, r.messages[1]!.id))?.status).toBe('canceled');
    });
    expect((await ctx.raw.message(r.messages[1]!.id))?.status).toBe('canceled');
  });

  it('rolls back every insert when fn throws, and rethrows the error', async () => {
    const r = rowsOf();
    const idempotency = {
      accountId: r.accountId,
      key: `key-${uuid()}`,
      requestHash: 'hash',
      messageIds: r.messages.map((m) => m.id),
      createdAt: Date.now(),
    };
    const boom = new Error('boom');
    const error = await rejection(
      ctx.store.transaction(async (tx) => {
        await tx.insertPhone(r.phone);
        await tx.insertMessages(r.messages, { outbox: [r.outbox], idempotency });
        await tx.insertThread(r.thread);
        await tx.insertApiKey(r.key);
        throw boom;
      }),
    );
    expect(error).toBe(boom);
    expect(await ctx.raw.countMessages(r.accountId)).toBe(0);
    for (const m of r.messages) expect(await ctx.raw.message(m.id)).toBeNull();
    expect(await ctx.raw.countOutbox(r.accountId)).toBe(0);
    expect(await ctx.raw.idempotency(r.accountId, idempotency.key)).toBeNull();
    expect(await ctx.raw.thread(r.thread.id)).toBeNull();
    expect(await ctx.raw.apiKey(r.key.id)).toBeNull();
    expect(await ctx.store.getPhone(r.phone.id)).toBeNull();
    expect(await ctx.store.findPhoneByNumber(r.accountId, r.phone.phoneNumber)).toBeNull();
  });

  it('rolls back updates and deletes when fn throws', async () => {
    const r = rowsOf();
    const [kept, removed] = r.messages;
    const now = Date.now();
    const due = makeMessage({ accountId: r.accountId, phoneId: r.phone.id, dueAt: now - 1 });
    await ctx.store.insertPhone(r.phone);
    await ctx.store.insertMessages([...r.messages, due]);
    await ctx.store.insertThread(r.thread);
    await ctx.store.insertApiKey(r.key);
    await rejection(
      ctx.store.transaction(async (tx) => {
        await tx.transition(kept!.id, ['pending'], { status: 'sending', sendAttemptCount: 1 });
        await tx.deleteMessage(r.accountId, removed!.id);
        await tx.updatePhone(r.phone.id, { messagesPerMinute: 99 });
        await tx.updateThread(r.thread.id, { isRead: true });
        await tx.deleteApiKey(r.accountId, r.key.id);
        const claimed = await tx.claimDue({
          now,
          phoneIds: [r.phone.id],
          limit: 10,
          leaseMs: 60_000,
          claimer: 'rolled-back',
        });
        expect(claimed.map((m) => m.id)).toEqual([due.id]);
        throw new Error('undo');
      }),
    );
    expect(await ctx.raw.message(kept!.id)).toMatchObject({
      status: 'pending',
      sendAttemptCount: 0,
    });
    expect(await ctx.raw.message(removed!.id)).not.toBeNull();
    expect(await ctx.raw.message(due.id)).toMatchObject({ leaseOwner: null, leaseUntil: null });
    expect(await ctx.raw.countMessages(r.accountId)).toBe(3);
    expect((await ctx.store.getPhone(r.phone.id))?.messagesPerMinute).toBe(
      r.phone.messagesPerMinute,
    );
    expect((await ctx.raw.thread(r.thread.id))?.isRead).toBe(false);
    expect(await ctx.raw.apiKey(r.key.id)).not.toBeNull();
  });

  it('joins a nested transaction: its writes commit with the outer one', async () => {
    const r = rowsOf();
    const inner = await ctx.store.transaction(async (tx) => {
      await tx.insertMessages([r.messages[0]!]);
      return tx.transaction(async (nested) => {
        await nested.insertMessages([r.messages[1]!]);
        return 'inner';
      });
    });
    expect(inner).toBe('inner');
    expect(await ctx.raw.countMessages(r.accountId)).toBe(2);
  });

  it('rolls back the writes of a nested transaction when the outer one throws', async () => {
    const r = rowsOf();
    await rejection(
      ctx.store.transaction(async (tx) => {
        await tx.insertMessages([r.messages[0]!]);
        await tx.transaction(async (nested) => {
          await nested.insertMessages([r.messages[1]!], { outbox: [r.outbox] });
          await nested.insertPhone(r.phone);
        });
        throw new Error('outer fails after the nested call returned');
      }),
    );
    expect(await ctx.raw.countMessages(r.accountId)).toBe(0);
    expect(await ctx.raw.outbox(r.outbox.id)).toBeNull();
    expect(await ctx.store.getPhone(r.phone.id)).toBeNull();
  });

  it('rolls back everything when a failed insertMessages ends the transaction', async () => {
    const r = rowsOf();
    const existing = makeMessage({ accountId: r.accountId });
    await ctx.store.insertMessages([existing]);
    await expectConflict(
      ctx.store.transaction(async (tx) => {
        await tx.insertPhone(r.phone);
        await tx.insertMessages([r.messages[0]!]);
        await tx.insertMessages([r.messages[1]!, existing], { outbox: [r.outbox] });
      }),
    );
    expect(await ctx.raw.countMessages(r.accountId)).toBe(1);
    expect(await ctx.raw.message(r.messages[0]!.id)).toBeNull();
    expect(await ctx.raw.message(r.messages[1]!.id)).toBeNull();
    expect(await ctx.raw.outbox(r.outbox.id)).toBeNull();
    expect(await ctx.store.getPhone(r.phone.id)).toBeNull();
  });

  it('keeps concurrent transactions apart: each commits or rolls back on its own', async () => {
    const ok = rowsOf();
    const failing = rowsOf();
    const results = await Promise.allSettled([
      ctx.store.transaction(async (tx) => {
        await tx.insertMessages(ok.messages);
        await tx.insertPhone(ok.phone);
      }),
      ctx.store.transaction(async (tx) => {
        await tx.insertMessages(failing.messages);
        await tx.insertPhone(failing.phone);
        throw new Error('this one fails');
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect(await ctx.raw.countMessages(ok.accountId)).toBe(2);
    expect(await ctx.store.getPhone(ok.phone.id)).not.toBeNull();
    expect(await ctx.raw.countMessages(failing.accountId)).toBe(0);
    expect(await ctx.store.getPhone(failing.phone.id)).toBeNull();
  });
}
