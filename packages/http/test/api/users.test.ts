/**
 * The account routes of httpSMS's user API that textport had left out: the alert
 * settings (`PUT /v1/users/{userID}/notifications`) and account deletion
 * (`DELETE /v1/users/me`). Bad input is a 4xx and writes nothing.
 */
import { ACCOUNT_TABLES } from '@textport/core/store';
import { describe, expect, it } from 'vitest';
import { appSetup, seedMessage } from './helpers.js';

const ALL_ON = {
  notification_message_status_enabled: true,
  notification_webhook_enabled: true,
  notification_heartbeat_enabled: true,
};

describe('PUT /v1/users/{userID}/notifications', () => {
  it('the user object carries the settings, on by default; the route sets all three', async () => {
    const t = await appSetup();
    expect((await t.call('get', '/v1/users/me')).body.data).toMatchObject(ALL_ON);
    const put = await t
      .call('put', `/v1/users/${t.account.id}/notifications`)
      .send({ message_status_enabled: true, webhook_enabled: false, newsletter_enabled: true });
    expect(put.status).toBe(200);
    expect(put.body.message).toBe('user notification settings updated successfully');
    expect(put.body.data).toMatchObject({
      id: t.account.id,
      notification_message_status_enabled: true,
      notification_webhook_enabled: false,
      notification_heartbeat_enabled: false,
    });
    expect(await t.store.getAccount(t.account.id)).toMatchObject({
      notificationMessageStatusEnabled: true,
      notificationWebhookEnabled: false,
      notificationHeartbeatEnabled: false,
    });
    // An empty body is a valid one: every alert off.
    const empty = await t.call('put', `/v1/users/${t.account.id}/notifications`).send({});
    expect(empty.body.data).toMatchObject({
      notification_message_status_enabled: false,
      notification_webhook_enabled: false,
      notification_heartbeat_enabled: false,
    });
    // Another account's id (httpSMS would update the caller): 401, nothing written.
    const other = await t.otherAccount();
    const before = await t.store.getAccount(t.account.id);
    const theirs = await t.store.getAccount(other.account.id);
    const foreign = await t
      .call('put', `/v1/users/${other.account.id}/notifications`)
      .send({ message_status_enabled: true });
    expect(foreign.status).toBe(401);
    expect((await t.call('put', '/v1/users/me/notifications').send({})).status).toBe(401);
    expect(await t.store.getAccount(t.account.id)).toEqual(before);
    expect(await t.store.getAccount(other.account.id)).toEqual(theirs);
  });

  it('answers 400 for a value of the wrong type or a broken body, 401 without a key; writes nothing', async () => {
    const t = await appSetup();
    const before = await t.store.getAccount(t.account.id);
    const path = `/v1/users/${t.account.id}/notifications`;
    const wrongType = await t.call('put', path).send({ webhook_enabled: 'no' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.status).toBe('error');
    const broken = await t.call('put', path).set('content-type', 'application/json').send('{"x');
    expect(broken.status).toBe(400);
    expect((await t.call('put', path, null).send({})).status).toBe(401);
    expect((await t.call('put', path, 'uk_nope').send({})).status).toBe(401);
    expect(await t.store.getAccount(t.account.id)).toEqual(before);
  });
});

describe('DELETE /v1/users/me', () => {
  it('removes every row of the account and its keys stop working; other accounts stay', async () => {
    const t = await appSetup();
    const phoneKey = await t.phoneKey();
    const other = await t.otherAccount();
    await seedMessage(t, 'one');
    await seedMessage(t, 'two');
    await t
      .call('post', '/v1/webhooks')
      .send({
        url: 'https://hooks.example.com/sms',
        events: ['message.phone.sent'],
        phone_numbers: [t.phone.phoneNumber],
      })
      .expect(201);
    const counts = async (accountId: string) => {
      const out: Record<string, number> = {};
      for (const table of ACCOUNT_TABLES)
        out[table] = await t.raw.countAccountRows(table, accountId);
      return out;
    };
    const theirs = await counts(other.account.id);
    expect((await counts(t.account.id)).messages).toBe(2);

    const deleted = await t.call('delete', '/v1/users/me');
    expect(deleted.status).toBe(204);
    expect(Object.values(await counts(t.account.id)).every((n) => n === 0)).toBe(true);
    expect(await counts(other.account.id)).toEqual(theirs);
    expect((await t.call('get', '/v1/users/me')).status).toBe(401);
    expect((await t.call('delete', '/v1/users/me')).status).toBe(401);
    const asPhone = await t
      .call('post', '/v1/heartbeats', phoneKey)
      .send({ phone_numbers: [t.phone.phoneNumber], charging: true });
    expect(asPhone.status).toBe(401);
    expect((await t.call('get', '/v1/users/me', other.apiKey)).status).toBe(200);
  });
});
