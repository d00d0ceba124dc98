import { describe, expect, it } from 'vitest';
import { TransportError } from '../../src/index.js';
import { dispatchSetup, ofType } from './helpers.js';

describe('dispatcher: one outcome per message', () => {
  it('a message that failed in the middle of a batch does not hold back the others', async () => {
    const t = await dispatchSetup();
    const [a, b, c] = [await t.send('a'), await t.send('b'), await t.send('c')];
    t.transport.failMessage(b.id, new TransportError('push refused', { retryable: true }));
    await t.gateway.dispatcher.runOnce();
    expect(t.transport.handedOff()).toEqual([a.id, c.id]);
    for (const sent of [a, c]) {
      expect(await t.store.getMessage(t.account.id, sent.id)).toMatchObject({
        status: 'scheduled',
        sendAttemptCount: 1,
        dueAt: t.clock.now() + 600_000,
      });
    }
    const retried = await t.store.getMessage(t.account.id, b.id);
    expect(retried?.status).toBe('scheduled');
    expect(retried?.dueAt).toBeGreaterThan(t.clock.now());
    expect(retried?.dueAt).toBeLessThan(t.clock.now() + 600_000);
    t.clock.advance(60_000);
    await t.gateway.dispatcher.runOnce();
    expect(t.transport.handedOff()).toEqual([a.id, c.id, b.id]);
  });

  it('a permanent failure of one message fails only that message', async () => {
    const t = await dispatchSetup();
    const [a, b] = [await t.send('a'), await t.send('b')];
    t.transport.failMessage(a.id, new TransportError('token unregistered', { retryable: false }));
    await t.gateway.dispatcher.runOnce();
    expect((await t.store.getMessage(t.account.id, a.id))?.status).toBe('failed');
    expect((await t.store.getMessage(t.account.id, b.id))?.status).toBe('scheduled');
    expect(ofType(t.events, 'message.send.failed').map((e) => e.data.id)).toEqual([a.id]);
  });
});

describe('transport host', () => {
  it('clears a dead push token through the gateway, with phone.updated; a newer token is kept', async () => {
    const t = await dispatchSetup();
    const phone = await t.gateway.phones.upsert(t.account.id, {
      phoneNumber: t.phone.phoneNumber,
      fcmToken: 'token-1',
    });
    const updates: string[] = [];
    t.gateway.on('phone.updated', (e) => void updates.push(e.data.phone_id));
    await t.gateway.transportHost.clearPushToken(phone.id, 'token-0');
    expect((await t.store.getPhone(phone.id))?.fcmToken).toBe('token-1');
    expect(updates).toEqual([]);
    await t.gateway.transportHost.clearPushToken(phone.id, 'token-1');
    expect((await t.store.getPhone(phone.id))?.fcmToken).toBeNull();
    expect(updates).toEqual([phone.id]);
  });

  it('lists what was handed off and not taken, oldest first, and whether work is due', async () => {
    const t = await dispatchSetup();
    const a = await t.send('a');
    t.clock.advance(1);
    const b = await t.send('b');
    const host = t.gateway.transportHost;
    expect(await host.lookups.hasDueWork([t.phone.id])).toBe(true);
    expect(await host.lookups.handedOff(t.phone)).toEqual([]);
    await t.gateway.dispatcher.runOnce();
    expect((await host.lookups.handedOff(t.phone)).map((m) => m.id)).toEqual([a.id, b.id]);
    expect(await host.lookups.hasDueWork([])).toBe(false);
    expect((await host.lookups.phonesOf(t.account.id)).map((p) => p.id)).toEqual([t.phone.id]);
  });

  it("gives a phone key's numbers (created for, else bound) and null once it is deleted", async () => {
    const t = await dispatchSetup();
    const host = t.gateway.transportHost;
    const created = await t.gateway.accounts.createPhoneKey(t.account.id, {
      name: 'sim',
      phoneNumbers: ['+18005550100', '+18005550101'],
    });
    expect(await host.lookups.phoneKeyNumbers(t.account.id, created.record.id)).toEqual([
      '+18005550100',
      '+18005550101',
    ]);
    const open = await t.gateway.accounts.createPhoneKey(t.account.id, { name: 'any' });
    expect(await host.lookups.phoneKeyNumbers(t.account.id, open.record.id)).toEqual([]);
    await t.gateway.accounts.deletePhoneKey(t.account.id, created.record.id);
    expect(await host.lookups.phoneKeyNumbers(t.account.id, created.record.id)).toBeNull();
    expect(await host.lookups.phoneKeyNumbers('another-account', open.record.id)).toBeNull();
  });
});
