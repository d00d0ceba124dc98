import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/index.js';
import { CONTACT, OWNER, ofType, setup } from './helpers.js';

function fieldsOf(error: unknown) {
  expect(error).toBeInstanceOf(GatewayError);
  return (error as GatewayError).fields;
}

describe('messages.send', () => {
  it('stores the message pending before resolving and emits message.api.sent after commit', async () => {
    const t = await setup();
    const m = await t.gateway.messages.send(t.account.id, {
      from: OWNER,
      to: '+1 (800) 555-0100',
      content: 'Hello',
      requestId: ' order-42 ',
    });
    const row = await t.raw.message(m.id);
    expect(row?.status).toBe('pending');
    expect(row?.dueAt).toBe(t.clock.now());
    expect(m).toMatchObject({
      owner: OWNER,
      contact: CONTACT,
      requestId: 'order-42',
      sim: 'SIM1',
      maxSendAttempts: 2,
      phoneId: t.phone.id,
      encoding: 'GSM-7',
      segments: 1,
      type: 'mobile-terminated',
    });
    const sent = ofType(t.events, 'message.api.sent');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.data.message_id).toBe(m.id);
    expect(sent[0]?.source).toBe('/v1/messages/send');
  });

  it('measures UCS-2 content and segments', async () => {
    const t = await setup();
    const m = await t.gateway.messages.send(t.account.id, {
      from: OWNER,
      to: CONTACT,
      content: 'é'.repeat(10) + '😀'.repeat(40),
    });
    expect(m.encoding).toBe('UCS-2');
    expect(m.segments).toBe(2);
  });

  it('reports every invalid field at once', async () => {
    const t = await setup();
    const error = await t.gateway.messages
      .send(t.account.id, { from: '12', to: 'abc', content: '', attachments: ['ftp://x'] })
      .catch((e: unknown) => e);
    const fields = fieldsOf(error);
    expect(Object.keys(fields ?? {}).sort()).toEqual(['attachments', 'content', 'from', 'to']);
    expect((error as GatewayError).httpStatus).toBe(422);
  });

  it('counts content length in bytes', async () => {
    const t = await setup();
    const error = await t.gateway.messages
      .send(t.account.id, { from: OWNER, to: CONTACT, content: 'é'.repeat(1025) })
      .catch((e: unknown) => e);
    expect(fieldsOf(error)?.content).toBeDefined();
  });

  it('refuses a sender number that is not a phone of the account', async () => {
    const t = await setup();
    const error = await t.gateway.messages
      .send(t.account.id, { from: '+18005550111', to: CONTACT, content: 'x' })
      .catch((e: unknown) => e);
    expect(fieldsOf(error)?.from?.[0]).toContain('no phone found');
    expect(await t.raw.countMessages(t.account.id)).toBe(0);
  });

  it('honours send_at: due exactly then, and refuses more than 480 hours ahead', async () => {
    const t = await setup();
    const at = t.clock.now() + 3600_000;
    const m = await t.gateway.messages.send(t.account.id, {
      from: OWNER,
      to: CONTACT,
      content: 'later',
      sendAt: new Date(at).toISOString(),
    });
    expect(m.scheduledSendTime).toBe(at);
    expect(m.dueAt).toBe(at);
    expect(m.orderTimestamp).toBe(at);
    const tooLate = new Date(t.clock.now() + 481 * 3600_000).toISOString();
    const error = await t.gateway.messages
      .send(t.account.id, { from: OWNER, to: CONTACT, content: 'x', sendAt: tooLate })
      .catch((e: unknown) => e);
    expect(fieldsOf(error)?.send_at?.[0]).toContain('480 hours');
  });

  it('a past send_at means now', async () => {
    const t = await setup();
    const m = await t.gateway.messages.send(t.account.id, {
      from: OWNER,
      to: CONTACT,
      content: 'x',
      sendAt: t.clock.now() - 60_000,
    });
    expect(m.dueAt).toBe(t.clock.now());
  });
  it('honours send_at in a bulk send too: every recipient due exactly then', async () => {
    const t = await setup();
    const at = t.clock.now() + 7200_000;
    const sent = await t.gateway.messages.sendBulk(t.account.id, {
      from: OWNER,
      to: [CONTACT, '+18005550123'],
      content: 'later',
      sendAt: at,
    });
    expect(sent.map((m) => [m.scheduledSendTime, m.dueAt])).toEqual([
      [at, at],
      [at, at],
    ]);
    const error = await t.gateway.messages
      .sendBulk(t.account.id, {
        from: OWNER,
        to: [CONTACT],
        content: 'x',
        sendAt: t.clock.now() + 481 * 3600_000,
      })
      .catch((e: unknown) => e);
    expect(fieldsOf(error)?.send_at?.[0]).toContain('480 hours');
  });
});

describe('messages.sendBulk', () => {
  it('creates one message per recipient in request order, in one transaction', async () => {
    const t = await setup();
    const to = Array.from(
      { length: 1000 },
      (_, i) => `+1800555${String(1000 + i).padStart(4, '0')}`,
    );
    const list = await t.gateway.messages.sendBulk(t.account.id, {
      from: OWNER,
      to,
      content: 'hi all',
      requestId: 'batch-1',
    });
    expect(list.map((m) => m.contact)).toEqual(to);
    expect(list.map((m) => m.bulkIndex)).toEqual(to.map((_, i) => i));
    expect(await t.raw.countMessages(t.account.id)).toBe(1000);
  });

  it('refuses more than 1000 recipients or a bad one, writing nothing', async () => {
    const t = await setup();
    const many = Array.from({ length: 1001 }, () => CONTACT);
    await expect(
      t.gateway.messages.sendBulk(t.account.id, { from: OWNER, to: many, content: 'x' }),
    ).rejects.toThrow(GatewayError);
    const error = await t.gateway.messages
      .sendBulk(t.account.id, { from: OWNER, to: [CONTACT, 'nope'], content: 'x' })
      .catch((e: unknown) => e);
    expect(fieldsOf(error)?.to?.[0]).toContain('index [1]');
    expect(await t.raw.countMessages(t.account.id)).toBe(0);
  });

  it('limits bulk content to 1024 bytes', async () => {
    const t = await setup();
    const error = await t.gateway.messages
      .sendBulk(t.account.id, { from: OWNER, to: [CONTACT], content: 'a'.repeat(1025) })
      .catch((e: unknown) => e);
    expect(fieldsOf(error)?.content).toBeDefined();
  });
});
