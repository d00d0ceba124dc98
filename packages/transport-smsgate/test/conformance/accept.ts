/**
 * `acceptGroup`: a group and its textport messages as one unit. The `send` of
 * these cases really queues messages through the gateway, on the store it is
 * handed, so what a failure leaves behind is read from textport's store.
 */
import type { MessageRecord, Store } from '@textport/core';
import { expect, it } from 'vitest';
import { GroupExistsError } from '../../src/store/types.js';
import { CONTACTS, type Group, makeGroup, newAccount, sendTo } from './context.js';

export const acceptGroup: Group = (ctx) => {
  it('records the group with the ids of the messages its send queued, in recipient order', async () => {
    const accountId = await newAccount(ctx);
    const group = makeGroup(accountId, {
      messageIds: ['ignored'],
      phoneNumbers: [...CONTACTS],
      simNumber: 2,
      priority: 100,
      withDeliveryReport: false,
      validUntil: 1_700_000_900_000,
      scheduleAt: 1_700_000_100_000,
      createdAt: 1_700_000_000_000,
    });
    const handed: (Store | undefined)[] = [];
    const send = sendTo(ctx, accountId, CONTACTS);
    const result = await ctx.store.acceptGroup(group, (store) => {
      handed.push(store);
      return send(store);
    });
    expect(handed).toHaveLength(1);
    expect(handed[0] !== undefined).toBe(ctx.transactional);
    expect(result.messages.map((m) => m.contact)).toEqual([...CONTACTS]);
    const messageIds = result.messages.map((m) => m.id);
    const expected = { ...group, messageIds };
    expect(result.group).toEqual(expected);
    expect(await ctx.store.getGroup(accountId, group.id)).toEqual(expected);
    for (const id of messageIds) {
      expect(await ctx.store.findGroupByMessageId(accountId, id)).toEqual(expected);
      expect((await ctx.coreStore.getMessage(accountId, id))?.status).toBe('pending');
    }
  });

  it('round-trips any id and number text exactly', async () => {
    const accountId = await newAccount(ctx);
    const group = makeGroup(accountId, {
      id: 'ид-🎉-𝄞-Ωmega_42',
      deviceId: 'dév-ice-😀',
      phoneNumbers: ['$aes-256-cbc/pbkdf2-sha1$i=75000$c2FsdA==$Y2lwaGVy', '+1 (800) 555-0100 ☎'],
    });
    const { group: stored } = await ctx.store.acceptGroup(group, sendTo(ctx, accountId));
    expect(await ctx.store.getGroup(accountId, group.id)).toEqual(stored);
    expect(stored.phoneNumbers).toEqual(group.phoneNumbers);
  });

  it('refuses a taken id with GroupExistsError before sending anything', async () => {
    const accountId = await newAccount(ctx);
    const first = makeGroup(accountId, { id: 'order-7' });
    const { group: kept } = await ctx.store.acceptGroup(first, sendTo(ctx, accountId));
    let calls = 0;
    const error = await ctx.store
      .acceptGroup(makeGroup(accountId, { id: 'order-7', deviceId: 'another' }), (store) => {
        calls += 1;
        return sendTo(ctx, accountId, [CONTACTS[2]])(store);
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GroupExistsError);
    expect((error as GroupExistsError).id).toBe('order-7');
    expect(calls).toBe(0);
    expect(await ctx.store.getGroup(accountId, 'order-7')).toEqual(kept);
    const listed = await ctx.store.listGroups({ accountId, skip: 0, limit: 10 });
    expect(listed).toEqual({ groups: [kept], total: 1 });

    // The same id in another account is another group.
    const otherAccount = await newAccount(ctx);
    const other = await ctx.store.acceptGroup(
      makeGroup(otherAccount, { id: 'order-7' }),
      sendTo(ctx, otherAccount),
    );
    expect(other.group.accountId).toBe(otherAccount);
    expect(await ctx.store.getGroup(accountId, 'order-7')).toEqual(kept);
  });

  it('records nothing when send throws, and the id is free again', async () => {
    const accountId = await newAccount(ctx);
    const group = makeGroup(accountId, { id: 'will-fail' });
    const sent: MessageRecord[] = [];
    await expect(
      ctx.store.acceptGroup(group, async (store) => {
        sent.push(...(await sendTo(ctx, accountId)(store)));
        throw new Error('the phone is gone');
      }),
    ).rejects.toThrow('the phone is gone');
    expect(sent).toHaveLength(2);
    expect(await ctx.store.getGroup(accountId, group.id)).toBeNull();
    expect(await ctx.store.listGroups({ accountId, skip: 0, limit: 10 })).toEqual({
      groups: [],
      total: 0,
    });
    for (const m of sent) {
      expect(await ctx.store.findGroupByMessageId(accountId, m.id)).toBeNull();
      // In the group's transaction the messages were rolled back with it.
      if (ctx.transactional) expect(await ctx.coreStore.getMessage(accountId, m.id)).toBeNull();
    }

    const retried = await ctx.store.acceptGroup(group, sendTo(ctx, accountId));
    expect(await ctx.store.getGroup(accountId, group.id)).toEqual(retried.group);
  });

  it('lets exactly one of two concurrent accepts of one id send', async () => {
    const accountId = await newAccount(ctx);
    let sends = 0;
    const accept = (to: string) =>
      ctx.store.acceptGroup(makeGroup(accountId, { id: 'twice' }), (store) => {
        sends += 1;
        return sendTo(ctx, accountId, [to])(store);
      });
    const outcomes = await Promise.allSettled([accept(CONTACTS[0]), accept(CONTACTS[1])]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o) => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(GroupExistsError);
    expect(sends).toBe(1);
    const winner = (won[0] as PromiseFulfilledResult<{ group: { messageIds: string[] } }>).value;
    expect((await ctx.store.getGroup(accountId, 'twice'))?.messageIds).toEqual(
      winner.group.messageIds,
    );
  });

  it('finds the group of a message only in its own account', async () => {
    const accountId = await newAccount(ctx);
    const otherAccount = await newAccount(ctx);
    const { group, messages } = await ctx.store.acceptGroup(
      makeGroup(accountId),
      sendTo(ctx, accountId),
    );
    const [first] = messages;
    expect(first).toBeDefined();
    expect(await ctx.store.findGroupByMessageId(accountId, first?.id ?? '')).toEqual(group);
    expect(await ctx.store.findGroupByMessageId(otherAccount, first?.id ?? '')).toBeNull();
    expect(await ctx.store.findGroupByMessageId(accountId, 'no-such-message')).toBeNull();
    expect(await ctx.store.getGroup(otherAccount, group.id)).toBeNull();
  });
};
