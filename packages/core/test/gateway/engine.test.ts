import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/index.js';
import { createGateway, GatewayError } from '../../src/index.js';
import { makeWebhook } from '../../src/testing/fixtures.js';
import { CONTACT, OWNER, ofType, setup } from './helpers.js';

describe('createGateway config', () => {
  it('reports every problem at once, each with how to fix it', () => {
    let error: unknown;
    try {
      createGateway({
        store: {} as never,
        clock: 5 as never,
        phoneDefaults: { maxSendAttempts: 9 },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GatewayError);
    const message = (error as GatewayError).message;
    expect((error as GatewayError).code).toBe('config');
    expect(message).toContain('store: must implement the Store contract');
    expect(message).toContain('createMemoryStore()');
    expect(message).toContain('clock: must be an object with a now() method');
    expect(message).toContain('phoneDefaults.maxSendAttempts');
  });
});

describe('events', () => {
  it('a throwing or rejecting listener never breaks the engine or other listeners', async () => {
    const errors: unknown[] = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn() {},
      error: (obj) => void errors.push(obj),
    };
    const t = await setup({ logger });
    const heard: string[] = [];
    t.gateway.on('message.api.sent', () => {
      throw new Error('listener bug');
    });
    t.gateway.on('message.api.sent', async () => {
      throw new Error('async listener bug');
    });
    t.gateway.on('message.api.sent', (e) => void heard.push(e.data.message_id));
    const m = await t.gateway.messages.send(t.account.id, {
      from: OWNER,
      to: CONTACT,
      content: 'x',
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(heard).toEqual([m.id]);
    expect(errors).toHaveLength(2);
    expect((await t.raw.message(m.id))?.status).toBe('pending');
  });

  it('nothing is emitted when the transaction rolls back', async () => {
    const t = await setup();
    const before = t.events.length;
    await expect(
      t.gateway.messages.send(t.account.id, { from: '+18005550111', to: CONTACT, content: 'x' }),
    ).rejects.toThrow();
    expect(t.events.length).toBe(before);
  });

  it('webhook outbox rows are written with the state change, one per matching webhook', async () => {
    const t = await setup();
    const hook = makeWebhook({
      accountId: t.account.id,
      events: ['message.phone.sent'],
      phoneNumbers: [OWNER],
    });
    await t.store.insertWebhook(hook);
    await t.store.insertWebhook(
      makeWebhook({
        accountId: t.account.id,
        events: ['message.phone.sent'],
        phoneNumbers: ['+1'],
      }),
    );
    const m = await t.gateway.messages.send(t.account.id, {
      from: OWNER,
      to: CONTACT,
      content: 'x',
    });
    await t.gateway.phoneApi.takeOutstanding(t.user, m.id);
    expect(await t.raw.countOutbox(t.account.id)).toBe(0);
    await t.gateway.phoneApi.reportEvent(t.user, m.id, { event: 'SENT' });
    expect(await t.raw.countOutbox(t.account.id)).toBe(1);
    const [row] = await t.store.listOutbox({ accountId: t.account.id, skip: 0, limit: 10 });
    const event = ofType(t.events, 'message.phone.sent')[0];
    const body = JSON.parse(row?.payload ?? '{}');
    expect(Object.keys(body)).toEqual([
      'specversion',
      'id',
      'source',
      'type',
      'datacontenttype',
      'time',
      'data',
    ]);
    expect(body).toMatchObject({ id: event?.id, type: 'message.phone.sent', data: { id: m.id } });
    expect(row).toMatchObject({ webhookId: hook.id, eventId: event?.id, status: 'pending' });
  });
});

describe('threads', () => {
  it('follow messages; deleting the last message repairs or removes the thread', async () => {
    const t = await setup();
    const first = await t.gateway.messages.send(t.account.id, {
      from: OWNER,
      to: CONTACT,
      content: 'one',
    });
    t.clock.advance(1000);
    const second = await t.gateway.messages.send(t.account.id, {
      from: OWNER,
      to: CONTACT,
      content: 'two',
    });
    let [thread] = await t.gateway.threads.list(t.account.id, { owner: OWNER });
    expect(thread).toMatchObject({ lastMessageId: second.id, status: 'pending', contact: CONTACT });
    await t.gateway.messages.delete(t.account.id, second.id);
    [thread] = await t.gateway.threads.list(t.account.id, { owner: OWNER });
    expect(thread).toMatchObject({ lastMessageId: first.id, lastMessageContent: 'one' });
    await t.gateway.messages.delete(t.account.id, first.id);
    expect(await t.gateway.threads.list(t.account.id, { owner: OWNER })).toEqual([]);
    expect(ofType(t.events, 'message.api.deleted')[0]?.data.previous_message_id).toBe(first.id);
  });

  it('archive, read, and delete with all the pair’s messages', async () => {
    const t = await setup();
    await t.gateway.messages.send(t.account.id, { from: OWNER, to: CONTACT, content: 'one' });
    const [thread] = await t.gateway.threads.list(t.account.id, { owner: OWNER });
    const id = thread?.id ?? '';
    await expect(t.gateway.threads.update(t.account.id, id, {})).rejects.toMatchObject({
      fields: { payload: ['at least one of is_archived or is_read is required'] },
    });
    await t.gateway.threads.update(t.account.id, id, { isArchived: true });
    expect(await t.gateway.threads.list(t.account.id, { owner: OWNER })).toEqual([]);
    expect(
      await t.gateway.threads.list(t.account.id, { owner: OWNER, isArchived: true }),
    ).toHaveLength(1);
    await t.gateway.threads.delete(t.account.id, id);
    expect(await t.raw.countMessages(t.account.id)).toBe(0);
    await expect(t.gateway.threads.delete(t.account.id, id)).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});

describe('phones', () => {
  it('upsert applies defaults, keeps omitted settings, and validates ranges', async () => {
    const t = await setup();
    expect(t.phone).toMatchObject({
      messagesPerMinute: 10,
      messageExpirationSeconds: 600,
      maxSendAttempts: 2,
      sim: 'SIM1',
    });
    const updated = await t.gateway.phones.upsert(t.account.id, {
      phoneNumber: OWNER,
      messagesPerMinute: 20,
    });
    expect(updated).toMatchObject({ id: t.phone.id, messagesPerMinute: 20, maxSendAttempts: 2 });
    await expect(
      t.gateway.phones.upsert(t.account.id, { phoneNumber: OWNER, messagesPerMinute: 61 }),
    ).rejects.toMatchObject({ code: 'validation' });
    await expect(
      t.gateway.phones.upsert(t.account.id, {
        phoneNumber: OWNER,
        sendScheduleId: crypto.randomUUID(),
      }),
    ).rejects.toMatchObject({ fields: { message_send_schedule_id: [expect.any(String)] } });
    await t.gateway.phones.delete(t.account.id, t.phone.id);
    await expect(t.gateway.phones.get(t.account.id, t.phone.id)).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
