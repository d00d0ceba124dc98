import { describe, expect, it } from 'vitest';
import { appSetup, CONTACT, OWNER, seedMessage } from './helpers.js';

const hook = {
  url: 'hooks.example.com/sms',
  signing_key: 'secret',
  events: ['message.phone.sent', 'message.phone.received'],
  phone_numbers: [OWNER],
};
const schedule = {
  name: 'Office hours',
  timezone: 'Europe/Berlin',
  windows: [
    { day_of_week: 1, start_minute: 540, end_minute: 1020 },
    { day_of_week: 2, start_minute: 540, end_minute: 1020 },
  ],
};
const MISSING = '00000000-0000-4000-8000-000000000000';

describe('webhooks', () => {
  it('creates (201), lists, replaces (200) and deletes (200, data null)', async () => {
    const t = await appSetup();
    const created = await t.call('post', '/v1/webhooks').send(hook);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      message: 'webhook created successfully',
      data: { url: 'https://hooks.example.com/sms', signing_key: 'secret', phone_numbers: [OWNER] },
    });
    const id = created.body.data.id as string;
    const list = await t.call('get', '/v1/webhooks?limit=100');
    expect(list.body.message).toBe('fetched 1 webhook');
    const put = await t
      .call('put', `/v1/webhooks/${id}`)
      .send({ ...hook, events: ['message.send.failed'] });
    expect(put.status).toBe(200);
    expect(put.body.data.events).toEqual(['message.send.failed']);
    const del = await t.call('delete', `/v1/webhooks/${id}`);
    expect(del.body).toEqual({
      status: 'success',
      message: 'webhook deleted successfully',
      data: null,
    });
  });

  it('answers 404 for a missing webhook, 422 for bad fields and ids', async () => {
    const t = await appSetup();
    expect((await t.call('put', `/v1/webhooks/${MISSING}`).send(hook)).status).toBe(404);
    expect((await t.call('delete', `/v1/webhooks/${MISSING}`)).status).toBe(404);
    expect((await t.call('delete', '/v1/webhooks/nope')).status).toBe(422);
    const bad = await t
      .call('post', '/v1/webhooks')
      .send({ url: '', events: ['nope'], phone_numbers: [] });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.data).sort()).toEqual(['events', 'phone_numbers', 'url']);
    expect(
      (await t.call('post', '/v1/webhooks').send({ ...hook, events: 'message.phone.sent' })).status,
    ).toBe(400);
  });
});

describe('send schedules', () => {
  it('creates (201), lists, replaces (200) and deletes (204), clearing it from phones', async () => {
    const t = await appSetup();
    const created = await t.call('post', '/v1/send-schedules').send(schedule);
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      name: 'Office hours',
      timezone: 'Europe/Berlin',
      windows: schedule.windows,
    });
    const id = created.body.data.id as string;
    await t
      .call('put', '/v1/phones')
      .send({ phone_number: OWNER, message_send_schedule_id: id })
      .expect(200);
    expect((await t.call('get', '/v1/send-schedules')).body.message).toBe(
      'fetched 1 send schedule',
    );
    const put = await t.call('put', `/v1/send-schedules/${id}`).send({ ...schedule, name: 'Late' });
    expect(put.body.data.name).toBe('Late');
    const del = await t.call('delete', `/v1/send-schedules/${id}`);
    expect(del.status).toBe(204);
    expect((await t.gateway.phones.get(t.account.id, t.phone.id)).sendScheduleId).toBeNull();
  });

  it('400 for an unparseable id, 404 for a missing one, 422 for bad windows', async () => {
    const t = await appSetup();
    const unparseable = await t.call('delete', '/v1/send-schedules/not-an-id');
    expect(unparseable.status).toBe(400);
    expect(unparseable.body.message).toBe("The request isn't properly formed");
    expect((await t.call('put', `/v1/send-schedules/${MISSING}`).send(schedule)).status).toBe(404);
    const overlapping = await t.call('post', '/v1/send-schedules').send({
      ...schedule,
      windows: [
        { day_of_week: 1, start_minute: 0, end_minute: 600 },
        { day_of_week: 1, start_minute: 300, end_minute: 900 },
      ],
    });
    expect(overlapping.status).toBe(422);
    expect(overlapping.body.data.windows[0]).toContain('overlap');
    const floaty = await t
      .call('post', '/v1/send-schedules')
      .send({ ...schedule, windows: [{ day_of_week: 1.5, start_minute: 0, end_minute: 5 }] });
    expect(floaty.status).toBe(400);
  });
});

describe('message threads', () => {
  it('lists, archives, marks read and deletes threads with their messages', async () => {
    const t = await appSetup();
    const m = await seedMessage(t);
    const list = await t.call(
      'get',
      `/v1/message-threads?owner=${encodeURIComponent(OWNER)}&limit=100`,
    );
    expect(list.body.message).toBe('fetched 1 message thread');
    const thread = list.body.data[0];
    expect(thread).toMatchObject({
      owner: OWNER,
      contact: CONTACT,
      last_message_id: m.id,
      is_archived: false,
    });
    const archived = await t
      .call('put', `/v1/message-threads/${thread.id}`)
      .send({ is_archived: true, is_read: true });
    expect(archived.body).toMatchObject({
      message: 'message thread updated successfully',
      data: { is_archived: true, is_read: true },
    });
    const inbox = await t.call('get', `/v1/message-threads?owner=${encodeURIComponent(OWNER)}`);
    expect(inbox.body.data).toHaveLength(0);
    const archive = await t.call(
      'get',
      `/v1/message-threads?owner=${encodeURIComponent(OWNER)}&is_archived=true`,
    );
    expect(archive.body.data).toHaveLength(1);
    expect((await t.call('put', `/v1/message-threads/${thread.id}`).send({})).body.data).toEqual({
      payload: ['at least one of is_archived or is_read is required'],
    });
    expect((await t.call('delete', `/v1/message-threads/${thread.id}`)).status).toBe(204);
    expect(await t.raw.countMessages(t.account.id)).toBe(0);
    expect((await t.call('delete', `/v1/message-threads/${thread.id}`)).status).toBe(404);
    expect((await t.call('get', '/v1/message-threads?owner=1&is_archived=maybe')).status).toBe(422);
  });
});
