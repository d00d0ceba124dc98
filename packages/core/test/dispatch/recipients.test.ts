/**
 * The unique-recipients cap with a manual clock: a phone with recipients_per_month=2
 * hands off to two contacts, keeps writing to them, and holds a third contact's
 * message (neither failed nor expired) until the next calendar month (UTC). A pool
 * sends a new contact through a member whose month still has room.
 */
import { describe, expect, it } from 'vitest';
import { dispatchSetup, OWNER, ofType } from './helpers.js';

const [A, B, C] = ['+18005550201', '+18005550202', '+18005550203'];
const NEXT_MONTH = Date.UTC(2026, 11, 1);

async function cappedSetup() {
  // 24 November 2026, 12:00 UTC.
  const t = await dispatchSetup();
  await t.gateway.phones.upsert(t.account.id, { phoneNumber: OWNER, recipientsPerMonth: 2 });
  /** Runs rounds until none claims a row; the phone sends what it was handed. */
  const drain = async () => {
    while ((await t.gateway.dispatcher.runOnce()) > 0);
    for (const id of t.transport.handedOff()) {
      const row = await t.store.getMessage(t.account.id, id);
      if (row?.status !== 'scheduled') continue;
      await t.gateway.phoneApi.takeOutstanding(t.user, id);
      await t.gateway.phoneApi.reportEvent(t.user, id, { event: 'SENT' });
    }
  };
  const sendTo = async (to: string) =>
    (await t.gateway.messages.send(t.account.id, { from: OWNER, to, content: 'hi' })).id;
  return { ...t, drain, sendTo };
}

describe('unique recipients per month', () => {
  it('a third contact waits for the next month; the two counted keep getting messages', async () => {
    const t = await cappedSetup();
    const toA = await t.sendTo(A);
    const toB = await t.sendTo(B);
    const toC = await t.sendTo(C);
    const againA = await t.sendTo(A);
    await t.drain();
    expect(t.transport.handedOff()).toEqual([toA, toB, againA]);
    expect(await t.store.getMessage(t.account.id, toC)).toMatchObject({
      status: 'scheduled',
      dueAt: NEXT_MONTH,
      sendAttemptCount: 0,
    });
    const [phone] = await t.gateway.phones.list(t.account.id);
    expect(phone).toMatchObject({ recipientsPerMonth: 2, recipientsCount: 2 });
    t.clock.set(NEXT_MONTH - 1);
    await t.drain();
    expect(t.transport.handedOff()).toHaveLength(3);
    t.clock.set(NEXT_MONTH);
    await t.drain();
    expect(t.transport.handedOff()).toEqual([toA, toB, againA, toC]);
    expect(ofType(t.events, 'message.send.failed')).toHaveLength(0);
    expect(ofType(t.events, 'message.send.expired')).toHaveLength(0);
  });

  it('a pool sends a new contact through the member whose month has room', async () => {
    const t = await cappedSetup();
    const other = await t.gateway.phones.upsert(t.account.id, { phoneNumber: '+18005550198' });
    const pool = await t.gateway.pools.create(t.account.id, {
      name: 'p',
      phoneIds: [t.phone.id, other.id],
    });
    await t.sendTo(A);
    await t.sendTo(B);
    await t.drain();
    const sent = await t.gateway.messages.send(t.account.id, {
      poolId: pool.id,
      to: C,
      content: 'hi',
    });
    expect(sent.owner).toBe('+18005550198');
  });
});
