/**
 * Deleting a phone leaves none of its messages waiting: every queued outgoing
 * message (pending, scheduled, taken, expired with attempts left) fails with a
 * reason and `message.send.failed`, in the transaction that deletes the phone.
 */
import { describe, expect, it } from 'vitest';
import { FakeTransport } from '../../src/index.js';
import { CONTACT, OWNER, ofType, setup } from './helpers.js';

describe('deleting a phone', () => {
  it('fails its queued messages with a reason and an event; finished ones stay as they are', async () => {
    const t = await setup();
    const send = (content: string) =>
      t.gateway.messages.send(t.account.id, { from: OWNER, to: CONTACT, content });
    const pending = await send('pending');
    const later = await t.gateway.messages.send(t.account.id, {
      from: OWNER,
      to: CONTACT,
      content: 'scheduled for tomorrow',
      sendAt: new Date(t.clock.now() + 86_400_000).toISOString(),
    });
    const taken = await send('taken by the phone');
    await t.gateway.phoneApi.takeOutstanding(t.user, taken.id);
    const sent = await send('sent already');
    await t.gateway.phoneApi.takeOutstanding(t.user, sent.id);
    await t.gateway.phoneApi.reportEvent(t.user, sent.id, { event: 'SENT' });

    await t.gateway.phones.delete(t.account.id, t.phone.id);

    for (const id of [pending.id, later.id, taken.id]) {
      const row = await t.raw.message(id);
      expect(row).toMatchObject({ status: 'failed', dueAt: null });
      const stored = await t.gateway.messages.get(t.account.id, id);
      expect(stored.failureReason).toContain('was deleted');
    }
    expect((await t.raw.message(sent.id))?.status).toBe('sent');
    const failed = ofType(t.events, 'message.send.failed').map((e) => e.data.id);
    expect(failed.sort()).toEqual([pending.id, later.id, taken.id].sort());
  });

  it('registering the number again does not revive the old messages, and new ones are delivered', async () => {
    const transport = new FakeTransport({ phones: [] });
    const t = await setup({ transports: [transport] });
    const old = await t.gateway.messages.send(t.account.id, {
      from: OWNER,
      to: CONTACT,
      content: 'for the old phone',
    });
    await t.gateway.phones.delete(t.account.id, t.phone.id);
    const again = await t.gateway.phones.upsert(t.account.id, { phoneNumber: OWNER });
    transport.setConnected(again.id, true);
    const fresh = await t.gateway.messages.send(t.account.id, {
      from: OWNER,
      to: CONTACT,
      content: 'for the new phone',
    });
    await t.gateway.dispatcher.runOnce();
    expect((await t.raw.message(old.id))?.status).toBe('failed');
    expect(transport.handoffs.flatMap((h) => h.messageIds)).toEqual([fresh.id]);
  });
});
