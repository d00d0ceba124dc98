/**
 * Expiry boundaries of the dispatcher: a phone's own `message_expiration_seconds`,
 * an expiry check that comes early (the phone's expiration was raised after the
 * hand-off) and the clock of a retried attempt, which starts at that attempt.
 */
import { describe, expect, it } from 'vitest';
import { dispatchSetup, OWNER, ofType } from './helpers.js';

const S = 1_000;

describe('dispatcher: expiry boundaries', () => {
  it("expires after the phone's own message_expiration_seconds, not the default 600 s", async () => {
    const t = await dispatchSetup();
    await t.gateway.phones.upsert(t.account.id, {
      phoneNumber: OWNER,
      messageExpirationSeconds: 90,
    });
    const m = await t.send();
    const handedOffAt = t.clock.now();
    await t.gateway.dispatcher.runOnce();
    expect((await t.raw.message(m.id))?.dueAt).toBe(handedOffAt + 90 * S);
    t.clock.set(handedOffAt + 90 * S - 1);
    expect(await t.gateway.dispatcher.runOnce()).toBe(0);
    expect((await t.raw.message(m.id))?.status).toBe('scheduled');
    t.clock.set(handedOffAt + 90 * S);
    await t.gateway.dispatcher.runOnce();
    expect(ofType(t.events, 'message.send.expired').map((e) => e.data)).toMatchObject([
      { message_id: m.id, send_attempt_count: 1, is_final: false },
    ]);
  });

  it('an early expiry check re-arms the timer and changes nothing else', async () => {
    const t = await dispatchSetup();
    await t.gateway.phones.upsert(t.account.id, {
      phoneNumber: OWNER,
      messageExpirationSeconds: 120,
    });
    const m = await t.send();
    const handedOffAt = t.clock.now();
    await t.gateway.dispatcher.runOnce();
    // The phone's expiration is raised after the hand-off: the armed check comes early.
    await t.gateway.phones.upsert(t.account.id, {
      phoneNumber: OWNER,
      messageExpirationSeconds: 300,
    });
    const before = await t.raw.message(m.id);
    t.clock.set(handedOffAt + 120 * S);
    expect(await t.gateway.dispatcher.runOnce()).toBe(1);
    const after = await t.raw.message(m.id);
    expect(after).toEqual({
      ...before,
      dueAt: handedOffAt + 300 * S,
      leaseOwner: null,
      leaseUntil: null,
    });
    expect(ofType(t.events, 'message.send.expired')).toHaveLength(0);
    expect(t.transport.handedOff()).toEqual([m.id]);
    // Nothing until the new deadline; then it expires.
    t.clock.set(handedOffAt + 300 * S - 1);
    expect(await t.gateway.dispatcher.runOnce()).toBe(0);
    t.clock.set(handedOffAt + 300 * S);
    await t.gateway.dispatcher.runOnce();
    expect((await t.raw.message(m.id))?.status).toBe('expired');
    expect(ofType(t.events, 'message.send.expired')).toHaveLength(1);
  });

  it('the expiry of a retried attempt is counted from that attempt', async () => {
    const t = await dispatchSetup();
    await t.gateway.phones.upsert(t.account.id, {
      phoneNumber: OWNER,
      messageExpirationSeconds: 100,
      maxSendAttempts: 3,
    });
    const m = await t.send();
    const first = t.clock.now();
    await t.gateway.dispatcher.runOnce();
    t.clock.set(first + 100 * S);
    await t.gateway.dispatcher.runOnce();
    expect((await t.raw.message(m.id))?.status).toBe('expired');
    // The retry goes out 30 s after the expiry: counted from the first attempt (or from
    // the expiry) it would expire at first + 200 s; from its own hand-off, at first + 230 s.
    const retriedAt = first + 130 * S;
    t.clock.set(retriedAt);
    await t.gateway.dispatcher.runOnce();
    expect(t.transport.handedOff()).toEqual([m.id, m.id]);
    const row = await t.raw.message(m.id);
    expect(row).toMatchObject({ status: 'scheduled', sendAttemptCount: 2 });
    expect(row?.dueAt).toBe(retriedAt + 100 * S);
    t.clock.set(retriedAt + 100 * S - 1);
    await t.gateway.dispatcher.runOnce();
    expect((await t.raw.message(m.id))?.status).toBe('scheduled');
    t.clock.set(retriedAt + 100 * S);
    await t.gateway.dispatcher.runOnce();
    expect(ofType(t.events, 'message.send.expired').map((e) => e.data)).toMatchObject([
      { send_attempt_count: 1, is_final: false },
      { send_attempt_count: 2, is_final: false },
    ]);
  });
});
