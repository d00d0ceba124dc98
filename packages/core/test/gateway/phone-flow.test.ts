import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/index.js';
import { CONTACT, OWNER, ofType, type Setup, setup } from './helpers.js';

async function outgoing(t: Setup, content = 'hi') {
  return t.gateway.messages.send(t.account.id, { from: OWNER, to: CONTACT, content });
}

describe('phone API: outstanding and events', () => {
  it('takes a message to sending, then SENT and DELIVERED end it delivered', async () => {
    const t = await setup();
    const m = await outgoing(t);
    const taken = await t.gateway.phoneApi.takeOutstanding(t.user, m.id);
    expect(taken.status).toBe('sending');
    expect(taken.lastAttemptedAt).toBe(t.clock.now());
    await expect(t.gateway.phoneApi.takeOutstanding(t.user, m.id)).rejects.toMatchObject({
      code: 'not_found',
    });
    t.clock.advance(2000);
    const sent = await t.gateway.phoneApi.reportEvent(t.user, m.id, {
      event: 'SENT',
      timestamp: '2026-11-24T12:00:02.500000000Z',
    });
    expect(sent.outcome).toBe('applied');
    expect(sent.message?.sendTimeMs).toBe(2500);
    const delivered = await t.gateway.phoneApi.reportEvent(t.user, m.id, { event: 'DELIVERED' });
    expect(delivered.message?.status).toBe('delivered');
    expect((await t.raw.message(m.id))?.status).toBe('delivered');
    expect(ofType(t.events, 'message.phone.sent')[0]?.data.timestamp).toBe(
      '2026-11-24T12:00:02.5Z',
    );
    expect(ofType(t.events, 'message.phone.delivered')).toHaveLength(1);
    expect(ofType(t.events, 'message.phone.sending')).toHaveLength(1);
  });

  it('a DELIVERED before SENT still ends delivered; the late SENT changes nothing', async () => {
    const t = await setup();
    const m = await outgoing(t);
    await t.gateway.phoneApi.takeOutstanding(t.user, m.id);
    const d = await t.gateway.phoneApi.reportEvent(t.user, m.id, { event: 'DELIVERED' });
    expect(d.message?.status).toBe('delivered');
    const s = await t.gateway.phoneApi.reportEvent(t.user, m.id, { event: 'SENT' });
    expect(s.outcome).toBe('ignored');
    expect((await t.raw.message(m.id))?.status).toBe('delivered');
    expect(ofType(t.events, 'message.phone.sent')).toHaveLength(0);
  });

  it('FAILED records the reason, with the SMS permission hint', async () => {
    const t = await setup();
    const m = await outgoing(t);
    await t.gateway.phoneApi.takeOutstanding(t.user, m.id);
    const r = await t.gateway.phoneApi.reportEvent(t.user, m.id, {
      event: 'FAILED',
      reason: 'missing android.permission.SEND_SMS',
    });
    expect(r.message?.status).toBe('failed');
    expect(r.message?.failureReason).toContain('grant the SMS permission');
    const failed = ofType(t.events, 'message.send.failed')[0];
    expect(failed?.data.error_message).toBe(r.message?.failureReason);
    const m2 = await outgoing(t);
    await t.gateway.phoneApi.takeOutstanding(t.user, m2.id);
    const r2 = await t.gateway.phoneApi.reportEvent(t.user, m2.id, { event: 'FAILED' });
    expect(r2.message?.failureReason).toBe('UNKNOWN ERROR');
  });

  it('ids with a dot are multipart duplicates; unknown ids are 404; bad names are 422', async () => {
    const t = await setup();
    const m = await outgoing(t);
    const dup = await t.gateway.phoneApi.reportEvent(t.user, `${m.id}.1`, { event: 'SENT' });
    expect(dup.outcome).toBe('duplicate');
    await expect(
      t.gateway.phoneApi.reportEvent(t.user, crypto.randomUUID(), { event: 'SENT' }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      t.gateway.phoneApi.reportEvent(t.user, m.id, { event: 'READ' as 'SENT' }),
    ).rejects.toMatchObject({ code: 'validation' });
  });
});

describe('cancel', () => {
  it('cancels a pending message, and refuses once the phone took it', async () => {
    const t = await setup();
    const m = await outgoing(t);
    const canceled = await t.gateway.messages.cancel(t.account.id, m.id);
    expect(canceled.status).toBe('canceled');
    const row = await t.raw.message(m.id);
    expect(row?.dueAt).toBeNull();
    await expect(t.gateway.phoneApi.takeOutstanding(t.user, m.id)).rejects.toMatchObject({
      code: 'not_found',
    });
    const m2 = await outgoing(t);
    await t.gateway.phoneApi.takeOutstanding(t.user, m2.id);
    const error = await t.gateway.messages.cancel(t.account.id, m2.id).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_transition' });
    expect(String((error as Error).message)).toContain('phone has already taken it');
    expect(ofType(t.events, 'message.api.canceled')).toHaveLength(1);
  });
});

describe('phone API key scoping', () => {
  it('a phone key acts only for the numbers bound to it', async () => {
    const t = await setup();
    const other = await t.gateway.phones.upsert(t.account.id, { phoneNumber: '+18005550177' });
    const { apiKey } = await t.gateway.accounts.createPhoneKey(t.account.id, { name: 'pixel' });
    let principal = (await t.gateway.accounts.authenticate(apiKey)) as Principal;
    expect(principal).toMatchObject({ kind: 'phone', phoneNumbers: [] });
    // The Android login binds the number to the key.
    await t.gateway.phoneApi.updateFcmToken(principal, {
      phoneNumber: OWNER,
      fcmToken: 'token-1',
      sim: 'SIM1',
    });
    principal = (await t.gateway.accounts.authenticate(apiKey)) as Principal;
    expect(principal.phoneNumbers).toEqual([OWNER]);

    const mine = await outgoing(t);
    const theirs = await t.gateway.messages.send(t.account.id, {
      from: other.phoneNumber,
      to: CONTACT,
      content: 'x',
    });
    await expect(t.gateway.phoneApi.takeOutstanding(principal, theirs.id)).rejects.toMatchObject({
      code: 'not_found',
    });
    expect((await t.raw.message(theirs.id))?.status).toBe('pending');
    await expect(
      t.gateway.phoneApi.reportEvent(principal, theirs.id, { event: 'SENT' }),
    ).rejects.toMatchObject({ code: 'unauthorized', httpStatus: 401 });
    await expect(
      t.gateway.phoneApi.receive(principal, { from: CONTACT, to: other.phoneNumber, content: 'x' }),
    ).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(
      t.gateway.phoneApi.heartbeat(principal, { phoneNumbers: [OWNER, other.phoneNumber] }),
    ).rejects.toMatchObject({ code: 'unauthorized' });
    expect((await t.gateway.phoneApi.takeOutstanding(principal, mine.id)).status).toBe('sending');
  });

  it('binding a phone to a new key removes it from the old one', async () => {
    const t = await setup();
    const a = await t.gateway.accounts.createPhoneKey(t.account.id, { name: 'a' });
    const b = await t.gateway.accounts.createPhoneKey(t.account.id, { name: 'b' });
    for (const key of [a.apiKey, b.apiKey]) {
      const p = (await t.gateway.accounts.authenticate(key)) as Principal;
      await t.gateway.phoneApi.updateFcmToken(p, { phoneNumber: OWNER, fcmToken: 't' });
    }
    expect((await t.gateway.accounts.authenticate(a.apiKey))?.phoneNumbers).toEqual([]);
    expect((await t.gateway.accounts.authenticate(b.apiKey))?.phoneNumbers).toEqual([OWNER]);
    const phoneUpdated = ofType(t.events, 'phone.updated').at(-1);
    expect(phoneUpdated?.data.phone_api_key_id).toBe(b.record.id);
  });

  it('accounts are isolated', async () => {
    const t = await setup();
    const m = await outgoing(t);
    const other = await t.gateway.accounts.create();
    const stranger: Principal = {
      accountId: other.record.id,
      kind: 'user',
      keyId: null,
      phoneNumbers: null,
    };
    await expect(t.gateway.messages.get(other.record.id, m.id)).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(t.gateway.phoneApi.takeOutstanding(stranger, m.id)).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(t.gateway.messages.cancel(other.record.id, m.id)).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(t.gateway.messages.delete(other.record.id, m.id)).rejects.toMatchObject({
      code: 'not_found',
    });
    expect((await t.raw.message(m.id))?.status).toBe('pending');
  });
});
