import { describe, expect, it } from 'vitest';
import { appSetup, CONTACT, OWNER, seedMessage } from './helpers.js';

const body = { from: OWNER, to: CONTACT, content: 'Hello' };

describe('POST /v1/messages/send', () => {
  it('stores a pending message and answers 200 with the envelope', async () => {
    const t = await appSetup();
    const r = await t.call('post', '/v1/messages/send').send({ ...body, request_id: 'order-1' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.body).toMatchObject({ status: 'success', message: 'message added to queue' });
    expect(r.body.data).toMatchObject({
      owner: OWNER,
      contact: CONTACT,
      content: 'Hello',
      status: 'pending',
      type: 'mobile-terminated',
      request_id: 'order-1',
      user_id: t.account.id,
      send_time: null,
    });
    expect((await t.raw.message(r.body.data.id))?.status).toBe('pending');
  });

  it('answers 422 per field and 400 for unreadable bodies', async () => {
    const t = await appSetup();
    const bad = await t.call('post', '/v1/messages/send').send({ from: '+18005550111', to: 'abc' });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.data).sort()).toEqual(['content', 'to']);
    const unknownFrom = await t
      .call('post', '/v1/messages/send')
      .send({ ...body, from: '+18005550111' });
    expect(unknownFrom.body.data.from[0]).toContain('no phone found');
    const broken = await t
      .call('post', '/v1/messages/send')
      .set('content-type', 'application/json')
      .send('{"from":');
    expect(broken.status).toBe(400);
    expect(broken.body.message).toBe("The request isn't properly formed");
    const mistyped = await t.call('post', '/v1/messages/send').send({ ...body, encrypted: 'true' });
    expect(mistyped.status).toBe(400);
  });

  it('replays an Idempotency-Key, refuses it for another body (409) and a malformed one (422)', async () => {
    const t = await appSetup();
    const first = await t
      .call('post', '/v1/messages/send')
      .set('Idempotency-Key', 'k-1')
      .send(body);
    const again = await t
      .call('post', '/v1/messages/send')
      .set('Idempotency-Key', 'k-1')
      .send(body);
    expect(again.status).toBe(200);
    expect(again.body.data.id).toBe(first.body.data.id);
    expect(await t.raw.countMessages(t.account.id)).toBe(1);
    const other = await t
      .call('post', '/v1/messages/send')
      .set('Idempotency-Key', 'k-1')
      .send({ ...body, content: 'Changed' });
    expect(other.status).toBe(409);
    expect(other.body).toEqual({ status: 'error', message: expect.stringContaining('k-1') });
    const malformed = await t
      .call('post', '/v1/messages/send')
      .set('Idempotency-Key', 'ä')
      .send(body);
    expect(malformed.status).toBe(422);
    expect(malformed.body.data).toHaveProperty('Idempotency-Key');
  });
});

describe('POST /v1/messages/bulk-send', () => {
  it('answers every message in request order', async () => {
    const t = await appSetup();
    const to = [CONTACT, '+18005550101', '+18005550102'];
    const r = await t
      .call('post', '/v1/messages/bulk-send')
      .set('Idempotency-Key', 'b')
      .send({ ...body, to });
    expect(r.status).toBe(200);
    expect(r.body.message).toBe('3 out of 3 messages processed successfully');
    expect(r.body.data.map((m: { contact: string }) => m.contact)).toEqual(to);
    const replay = await t
      .call('post', '/v1/messages/bulk-send')
      .set('Idempotency-Key', 'b')
      .send({ ...body, to });
    expect(replay.body.data.map((m: { id: string }) => m.id)).toEqual(
      r.body.data.map((m: { id: string }) => m.id),
    );
    const empty = await t.call('post', '/v1/messages/bulk-send').send({ ...body, to: [] });
    expect(empty.status).toBe(422);
    const wrongType = await t.call('post', '/v1/messages/bulk-send').send({ ...body, to: CONTACT });
    expect(wrongType.status).toBe(400);
  });
});

describe('reading messages', () => {
  it('lists a conversation with paging and the naive pluralizer', async () => {
    const t = await appSetup();
    for (const c of ['a', 'b', 'c']) await seedMessage(t, c);
    const list = (q: string) =>
      t.call(
        'get',
        `/v1/messages?owner=${encodeURIComponent(OWNER)}&contact=${encodeURIComponent(CONTACT)}${q}`,
      );
    const all = await list('&limit=50');
    expect(all.status).toBe(200);
    expect(all.body.message).toBe('fetched 3 messages');
    const page = await list('&limit=1&skip=1');
    expect(page.body.message).toBe('fetched 1 message');
    expect((await list('&query=b')).body.data[0].content).toBe('b');
    expect((await t.call('get', '/v1/messages?owner=x')).body.data).toHaveProperty('contact');
  });

  it('lists a conversation with an alphanumeric sender', async () => {
    const t = await appSetup();
    await t
      .call('post', '/v1/messages/receive')
      .send({ from: 'MPESA', to: OWNER, content: 'Paid' });
    const r = await t.call('get', `/v1/messages?owner=${encodeURIComponent(OWNER)}&contact=MPESA`);
    expect(r.body.data.map((m: { content: string }) => m.content)).toEqual(['Paid']);
  });

  it('gets one message (200, 404, 422)', async () => {
    const t = await appSetup();
    const m = await seedMessage(t);
    const r = await t.call('get', `/v1/messages/${m.id}`);
    expect(r.body).toMatchObject({ message: 'message fetched successfully', data: { id: m.id } });
    const missing = await t.call('get', '/v1/messages/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      status: 'error',
      message: 'cannot find message with ID [00000000-0000-4000-8000-000000000000]',
    });
    expect((await t.call('get', '/v1/messages/NOT-A-UUID')).status).toBe(422);
  });

  it('searches by owners, types, statuses and text', async () => {
    const t = await appSetup();
    await seedMessage(t, 'apple');
    await seedMessage(t, 'banana');
    const r = await t.call(
      'get',
      `/v1/messages/search?owners=${encodeURIComponent(OWNER)}&statuses=pending&statuses=sent&types=mobile-terminated&query=ban`,
    );
    expect(r.status).toBe(200);
    expect(r.body.message).toBe('found 1 message');
    expect(r.body.data[0].content).toBe('banana');
    const bad = await t.call('get', '/v1/messages/search?types=fax');
    expect(bad.status).toBe(422);
    expect(bad.body.data.types[0]).toContain('fax');
  });
});

describe('deleting and canceling', () => {
  it('deletes with 204 and no body; 404 after', async () => {
    const t = await appSetup();
    const m = await seedMessage(t);
    const r = await t.call('delete', `/v1/messages/${m.id}`);
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
    expect((await t.call('delete', `/v1/messages/${m.id}`)).status).toBe(404);
  });

  it('cancels a message the phone has not taken (200), 409 once taken', async () => {
    const t = await appSetup();
    const m = await seedMessage(t);
    const r = await t.call('post', `/v1/messages/${m.id}/cancel`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      message: 'message canceled successfully',
      data: { status: 'canceled' },
    });
    const taken = await seedMessage(t);
    await t.call('get', `/v1/messages/outstanding?message_id=${taken.id}`).expect(200);
    const late = await t.call('post', `/v1/messages/${taken.id}/cancel`);
    expect(late.status).toBe(409);
    expect(late.body.status).toBe('error');
    expect((await t.raw.message(taken.id))?.status).toBe('sending');
  });
});
