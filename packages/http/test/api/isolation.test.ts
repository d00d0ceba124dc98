/** A key of one account never reads or changes another account's data. */
import { describe, expect, it } from 'vitest';
import { appSetup, OWNER, seedMessage } from './helpers.js';

async function twoAccounts() {
  const t = await appSetup();
  const other = await t.otherAccount();
  const message = await seedMessage(t);
  const [thread] = await t.gateway.threads.list(t.account.id, { owner: OWNER });
  const hook = await t.gateway.webhooks.create(t.account.id, {
    url: 'https://a.test',
    events: ['message.phone.sent'],
    phoneNumbers: [OWNER],
  });
  const schedule = await t.gateway.schedules.create(t.account.id, {
    name: 'Mine',
    timezone: 'UTC',
    windows: [{ dayOfWeek: 1, startMinute: 0, endMinute: 60 }],
  });
  const { record: key } = await t.gateway.accounts.createPhoneKey(t.account.id, { name: 'mine' });
  return { t, other, message, thread: thread ?? { id: '' }, hook, schedule, key };
}

describe('account isolation', () => {
  it('messages: 404 on get, delete, cancel, events and outstanding; nothing changes', async () => {
    const { t, other, message } = await twoAccounts();
    const as = other.apiKey;
    expect((await t.call('get', `/v1/messages/${message.id}`, as)).status).toBe(404);
    expect((await t.call('delete', `/v1/messages/${message.id}`, as)).status).toBe(404);
    expect((await t.call('post', `/v1/messages/${message.id}/cancel`, as)).status).toBe(404);
    expect(
      (await t.call('get', `/v1/messages/outstanding?message_id=${message.id}`, as)).status,
    ).toBe(404);
    const event = { event_name: 'FAILED', reason: 'x', timestamp: '2026-11-24T12:00:00Z' };
    expect((await t.call('post', `/v1/messages/${message.id}/events`, as).send(event)).status).toBe(
      404,
    );
    const search = await t.call('get', '/v1/messages/search', as);
    expect(search.body.data).toEqual([]);
    const list = await t.call(
      'get',
      `/v1/messages?owner=${encodeURIComponent(OWNER)}&contact=${encodeURIComponent(message.contact)}`,
      as,
    );
    expect(list.body.data).toEqual([]);
    expect((await t.raw.message(message.id))?.status).toBe('pending');
  });

  it('cannot send from, update or delete another account’s phone', async () => {
    const { t, other } = await twoAccounts();
    const as = other.apiKey;
    const send = await t
      .call('post', '/v1/messages/send', as)
      .send({ from: OWNER, to: '+18005550100', content: 'x' });
    expect(send.status).toBe(422);
    expect((await t.call('delete', `/v1/phones/${t.phone.id}`, as)).status).toBe(404);
    const phones = await t.call('get', '/v1/phones', as);
    expect(phones.body.data.map((p: { id: string }) => p.id)).toEqual([other.phone.id]);
    await t
      .call('put', '/v1/phones', as)
      .send({ phone_number: OWNER, messages_per_minute: 60 })
      .expect(200);
    expect((await t.gateway.phones.get(t.account.id, t.phone.id)).messagesPerMinute).toBe(10);
  });

  it('threads, webhooks, schedules and phone keys: 404 and unchanged', async () => {
    const { t, other, thread, hook, schedule, key } = await twoAccounts();
    const as = other.apiKey;
    expect(
      (await t.call('put', `/v1/message-threads/${thread.id}`, as).send({ is_archived: true }))
        .status,
    ).toBe(404);
    expect((await t.call('delete', `/v1/message-threads/${thread.id}`, as)).status).toBe(404);
    expect(
      (
        await t.call('put', `/v1/webhooks/${hook.id}`, as).send({
          url: 'https://evil.test',
          events: ['message.phone.sent'],
          phone_numbers: ['+18005550177'],
        })
      ).status,
    ).toBe(404);
    expect((await t.call('delete', `/v1/webhooks/${hook.id}`, as)).status).toBe(404);
    expect((await t.call('get', '/v1/webhooks', as)).body.data).toEqual([]);
    expect((await t.call('delete', `/v1/send-schedules/${schedule.id}`, as)).status).toBe(404);
    expect((await t.call('get', '/v1/send-schedules', as)).body.data).toEqual([]);
    expect((await t.call('delete', `/v1/phone-api-keys/${key.id}`, as)).status).toBe(404);
    expect(
      (await t.call('delete', `/v1/phone-api-keys/${key.id}/phones/${t.phone.id}`, as)).status,
    ).toBe(404);
    expect((await t.call('get', '/v1/phone-api-keys', as)).body.data).toEqual([]);
    expect((await t.gateway.threads.list(t.account.id, { owner: OWNER }))[0]?.isArchived).toBe(
      false,
    );
    expect((await t.gateway.webhooks.get(t.account.id, hook.id)).url).toBe('https://a.test');
    expect(await t.gateway.schedules.list(t.account.id)).toHaveLength(1);
    expect(await t.gateway.accounts.listPhoneKeys(t.account.id)).toHaveLength(1);
  });

  it('a phone key acts only for its own account', async () => {
    const { t, other, message } = await twoAccounts();
    const { apiKey: pk } = await t.gateway.accounts.createPhoneKey(other.account.id, {
      name: 'theirs',
    });
    await t
      .call('put', '/v1/phones/fcm-token', pk)
      .send({ phone_number: '+18005550177', fcm_token: 'x' })
      .expect(200);
    expect(
      (await t.call('get', `/v1/messages/outstanding?message_id=${message.id}`, pk)).status,
    ).toBe(404);
    const r = await t
      .call('post', '/v1/messages/receive', pk)
      .send({ from: 'X', to: OWNER, content: 'spoof' });
    expect(r.status).toBe(401);
    expect(await t.raw.countMessages(t.account.id)).toBe(1);
  });

  it('the host hook decides the account', async () => {
    const t = await appSetup({
      api: {
        authenticate: (req) =>
          req.headers['x-user'] === 'ops' ? { accountId: t.account.id } : null,
      },
    });
    const r = await t.call('get', '/v1/users/me', null).set('x-user', 'ops');
    expect(r.status).toBe(200);
    expect(r.body.data.id).toBe(t.account.id);
    expect((await t.call('get', '/v1/users/me', null).set('x-user', 'nobody')).status).toBe(401);
  });
});
