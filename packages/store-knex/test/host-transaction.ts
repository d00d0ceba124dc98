/**
 * A store bound to the application's transaction (`store.bind(trx)`): events are
 * emitted only once that transaction commits, never for a rolled-back one, and
 * an idempotent send completes inside it (run against both dialects).
 */
import type { GatewayEvent } from '@textport/core';
import { createGateway, silentLogger } from '@textport/core';
import type { RawReader } from '@textport/core/testing';
import { makeWebhook } from '@textport/core/testing';
import type { Knex } from 'knex';
import { expect, vi } from 'vitest';
import type { KnexStore } from '../src/index.js';

const OWNER = '+18005550199';
const CONTACT = '+18005550100';

interface Setup {
  knex: Knex;
  store: KnexStore;
  raw: RawReader;
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 50));

export async function eventsAfterHostCommit({ knex, store, raw }: Setup): Promise<void> {
  const gateway = createGateway({ store, logger: silentLogger });
  const { record: account } = await gateway.accounts.create();
  await gateway.phones.upsert(account.id, { phoneNumber: OWNER, messagesPerMinute: 0 });
  await store.insertWebhook(
    makeWebhook({
      accountId: account.id,
      events: ['message.phone.received'],
      phoneNumbers: [OWNER],
    }),
  );
  const sent: string[] = [];
  gateway.on(
    'message.api.sent',
    (e: GatewayEvent<'message.api.sent'>) => void sent.push(e.data.message_id),
  );
  const input = { from: OWNER, to: CONTACT, content: 'your order shipped' };

  // Rolled back by a throw in the handler: no event, no row.
  let thrown: string | undefined;
  await expect(
    knex.transaction(async (trx) => {
      thrown = (await gateway.messages.send(account.id, input, { store: store.bind(trx) })).id;
      throw new Error('the host rolls back');
    }),
  ).rejects.toThrow('the host rolls back');
  // Rolled back explicitly (Knex resolves such a transaction's promise all the same).
  const trx = await knex.transaction();
  const rolled = await gateway.messages.send(account.id, input, { store: store.bind(trx) });
  await trx.rollback();
  await settled();
  expect(sent).toEqual([]);
  expect(await raw.message(thrown ?? '')).toBeNull();
  expect(await raw.message(rolled.id)).toBeNull();
  expect(await raw.countOutbox(account.id)).toBe(0);

  // Committed: the event comes after the commit, not before.
  const kept = await knex.transaction(async (trx) => {
    const message = await gateway.messages.send(account.id, input, { store: store.bind(trx) });
    await settled();
    expect(sent).toEqual([]);
    return message;
  });
  await vi.waitFor(() => expect(sent).toEqual([kept.id]));

  // A received SMS in a committed host transaction queues its webhook with it.
  const principal = {
    accountId: account.id,
    kind: 'user' as const,
    keyId: null,
    phoneNumbers: null,
  };
  await knex.transaction(async (trx) => {
    const bound = createGateway({ store: store.bind(trx), logger: silentLogger });
    await bound.phoneApi.receive(principal, { from: CONTACT, to: OWNER, content: 'thanks' });
  });
  expect(await raw.countOutbox(account.id)).toBe(1);
}

export async function idempotentBoundSend({ knex, store }: Setup): Promise<void> {
  const gateway = createGateway({ store, logger: silentLogger });
  const { record: account } = await gateway.accounts.create();
  await gateway.phones.upsert(account.id, { phoneNumber: OWNER, messagesPerMinute: 0 });
  const input = { from: OWNER, to: CONTACT, content: 'once only' };
  const [first, replayed] = await knex.transaction(async (trx) => {
    const options = { store: store.bind(trx), idempotencyKey: 'order-42' };
    const a = await gateway.messages.send(account.id, input, options);
    const b = await gateway.messages.send(account.id, input, options);
    return [a, b];
  });
  expect(replayed.id).toBe(first.id);
  const after = await gateway.messages.send(account.id, input, { idempotencyKey: 'order-42' });
  expect(after.id).toBe(first.id);
}
