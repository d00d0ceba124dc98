import { describe, expect, it } from 'vitest';
import { OWNER, ofType, setup } from './helpers.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

describe('phone API: incoming', () => {
  it('stores a received SMS, normalising a national sender with the owner region', async () => {
    const t = await setup();
    const kenya = '+254712345678';
    await t.gateway.phones.upsert(t.account.id, { phoneNumber: kenya });
    const m = await t.gateway.phoneApi.receive(t.user, {
      from: '0722000000',
      to: kenya,
      content: 'Habari',
      sim: 'DEFAULT',
      timestamp: '2026-11-24T11:59:00.123000000Z',
    });
    expect(m).toMatchObject({
      contact: '+254722000000',
      type: 'mobile-originated',
      status: 'received',
      sim: 'SIM1',
      attachments: [],
    });
    expect(m.receivedAt).toBe(Date.parse('2026-11-24T11:59:00.123Z'));
    const event = ofType(t.events, 'message.phone.received')[0];
    expect(event?.data).toMatchObject({ message_id: m.id, contact: '+254722000000' });
    const [thread] = await t.gateway.threads.list(t.account.id, { owner: kenya });
    expect(thread).toMatchObject({ isRead: false, status: 'received', lastMessageId: m.id });
  });

  it('keeps alphanumeric senders and stores attachments under an unguessable path', async () => {
    const t = await setup();
    const m = await t.gateway.phoneApi.receive(t.user, {
      from: 'MPESA',
      to: OWNER,
      content: '',
      attachments: [
        { name: 'photo 1.png', contentType: 'image/png', data: PNG.toString('base64') },
      ],
    });
    expect(m.contact).toBe('MPESA');
    expect(m.attachments).toEqual([`/v1/attachments/${t.account.id}/${m.id}/0/photo-1.png`]);
    const file = await t.gateway.attachments.get(`${t.account.id}/${m.id}/0/photo-1.png`);
    expect(Buffer.from(file?.data ?? []).equals(PNG)).toBe(true);
    expect(file?.contentType).toBe('image/png');
  });

  it('refuses bad input with field errors and stores nothing', async () => {
    const t = await setup();
    const error = await t.gateway.phoneApi
      .receive(t.user, {
        from: '',
        to: 'x',
        content: '',
        sim: 'SIM3',
        attachments: [{ name: 'a', contentType: 'application/zip', data: 'AAAA' }],
      })
      .catch((e: unknown) => e);
    expect(Object.keys((error as { fields: object }).fields).sort()).toEqual([
      'attachments',
      'content',
      'from',
      'sim',
      'to',
    ]);
    expect(await t.raw.countMessages(t.account.id)).toBe(0);
  });

  it('refuses content types named like Object.prototype properties', async () => {
    const t = await setup();
    for (const contentType of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const error = await t.gateway.phoneApi
        .receive(t.user, {
          from: 'MPESA',
          to: OWNER,
          content: 'x',
          attachments: [{ name: 'a', contentType, data: PNG.toString('base64') }],
        })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'validation',
        fields: {
          attachments: [`attachment [0] has an unsupported content type [${contentType}]`],
        },
      });
    }
    expect(await t.raw.countMessages(t.account.id)).toBe(0);
  });

  it('records a missed call and sends the phone auto-reply', async () => {
    const t = await setup();
    await t.gateway.phones.upsert(t.account.id, {
      phoneNumber: OWNER,
      missedCallAutoReply: ' Busy, will call back ',
    });
    const call = await t.gateway.phoneApi.missedCall(t.user, {
      from: '+18005550123',
      to: OWNER,
      sim: 'weird',
    });
    expect(call).toMatchObject({ type: 'call/missed', content: '', sim: 'SIM1', receivedAt: null });
    const [reply] = await t.gateway.messages.search(t.account.id, {
      types: ['mobile-terminated'],
    });
    expect(reply).toMatchObject({
      contact: '+18005550123',
      content: 'Busy, will call back',
      requestId: `missed-call-${call.id}`,
      status: 'pending',
    });
    expect(ofType(t.events, 'message.call.missed')).toHaveLength(1);
  });

  it('heartbeats: stored per number, legacy owner accepted, offline phone comes back online', async () => {
    const t = await setup();
    await t.store.updatePhone(t.phone.id, { online: false });
    const beats = await t.gateway.phoneApi.heartbeat(t.user, {
      owner: OWNER,
      charging: true,
      version: 'abc123',
    });
    expect(beats).toHaveLength(1);
    expect(beats[0]).toMatchObject({ owner: OWNER, charging: true, version: 'abc123' });
    expect((await t.store.getPhone(t.phone.id))?.online).toBe(true);
    expect(ofType(t.events, 'phone.heartbeat.online')).toHaveLength(1);
    await t.gateway.phoneApi.heartbeat(t.user, { phoneNumbers: [OWNER] });
    expect(ofType(t.events, 'phone.heartbeat.online')).toHaveLength(1);
    const listed = await t.gateway.phones.heartbeats(t.account.id, { owner: OWNER, limit: 10 });
    expect(listed).toHaveLength(2);
    await expect(t.gateway.phoneApi.heartbeat(t.user, {})).rejects.toMatchObject({
      code: 'validation',
    });
  });
});
