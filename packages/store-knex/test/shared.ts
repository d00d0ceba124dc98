/** Gateway-level checks run against both dialects. */

import { createGateway, FakeTransport, type Principal, silentLogger } from '@textport/core';
import type { RawReader } from '@textport/core/testing';
import { makeWebhook } from '@textport/core/testing';
import type { Knex } from 'knex';
import { expect } from 'vitest';
import type { KnexStore } from '../src/index.js';
import { rows } from './helpers.js';

export const OWNER = '+18005550199';
export const CONTACT = '+18005550100';

interface Setup {
  knex: Knex;
  store: KnexStore;
  raw: RawReader;
}

async function gatewayWithPhone(store: KnexStore, transport?: FakeTransport) {
  const gateway = createGateway({
    store,
    logger: silentLogger,
    transports: transport ? [transport] : [],
  });
  const { record: account } = await gateway.accounts.create();
  await gateway.phones.upsert(account.id, { phoneNumber: OWNER, messagesPerMinute: 0 });
  return { gateway, account };
}

/** A send joins the host's transaction: rolled back with it, committed with it. */
export async function sendInHostTransaction({ knex, store, raw }: Setup): Promise<void> {
  const { gateway, account } = await gatewayWithPhone(store);
  const orders = `orders_${globalThis.crypto.randomUUID().slice(0, 8)}`;
  await knex.schema.createTable(orders, (t) => {
    t.increments('id');
    t.text('note');
  });
  const input = { from: OWNER, to: CONTACT, content: 'your order shipped' };
  const countOrders = async () =>
    Number((await rows(knex, `SELECT count(*) AS n FROM ${orders}`))[0]?.n);

  let rolledBack: string | undefined;
  await expect(
    knex.transaction(async (trx) => {
      await trx(orders).insert({ note: 'rolled back' });
      const message = await gateway.messages.send(account.id, input, { store: store.bind(trx) });
      rolledBack = message.id;
      throw new Error('the host rolls back');
    }),
  ).rejects.toThrow('the host rolls back');
  expect(rolledBack).toBeDefined();
  expect(await raw.message(rolledBack ?? '')).toBeNull();
  expect(await raw.countMessages(account.id)).toBe(0);
  expect(await store.findThread(account.id, OWNER, CONTACT)).toBeNull();
  expect(await countOrders()).toBe(0);

  const kept = await knex.transaction(async (trx) => {
    await trx(orders).insert({ note: 'committed' });
    return gateway.messages.send(account.id, input, { store: store.bind(trx) });
  });
  expect(await raw.message(kept.id)).toMatchObject({ status: 'pending' });
  expect((await store.findThread(account.id, OWNER, CONTACT))?.lastMessageId).toBe(kept.id);
  expect(await countOrders()).toBe(1);

  const late = await knex.transaction(async (trx) => store.bind(trx));
  await expect(late.getAccount(account.id)).rejects.toMatchObject({ code: 'store' });
}

/** Webhook outbox rows are written in the transaction of the event that causes them. */
export async function outboxWithStateChange({ store, raw }: Setup): Promise<void> {
  const { gateway, account } = await gatewayWithPhone(store);
  const hook = makeWebhook({
    accountId: account.id,
    events: ['message.phone.received'],
    phoneNumbers: [OWNER],
  });
  await store.insertWebhook(hook);
  const principal: Principal = {
    accountId: account.id,
    kind: 'user',
    keyId: null,
    phoneNumbers: null,
  };
  const message = await gateway.phoneApi.receive(principal, {
    from: CONTACT,
    to: OWNER,
    content: 'hi there',
  });
  const outbox = await store.listOutbox({ accountId: account.id, skip: 0, limit: 10 });
  expect(outbox).toHaveLength(1);
  expect(outbox[0]).toMatchObject({ webhookId: hook.id, eventType: 'message.phone.received' });
  expect(JSON.parse(outbox[0]?.payload ?? '{}').data.message_id).toBe(message.id);
  expect(await raw.countOutbox(account.id)).toBe(1);
}

/** The dispatcher claims a sent message and hands it to the transport once. */
export async function handOffOnce({ store, raw }: Setup): Promise<void> {
  const transport = new FakeTransport();
  const { gateway, account } = await gatewayWithPhone(store, transport);
  const message = await gateway.messages.send(account.id, {
    from: OWNER,
    to: CONTACT,
    content: 'hello',
  });
  expect(await gateway.dispatcher.runOnce()).toBe(1);
  expect(transport.handedOff()).toEqual([message.id]);
  expect(await raw.message(message.id)).toMatchObject({
    status: 'scheduled',
    sendAttemptCount: 1,
    leaseOwner: null,
  });
  expect(await gateway.dispatcher.runOnce()).toBe(0);
}
