/**
 * Per-message priority and validity with a manual clock: an expedited message
 * (priority ≥ 100) is handed off without waiting for the phone's pacing; a message
 * whose `valid_until` (or `ttl`) comes before its hand-off fails `TTL expired` and
 * no transport sees it.
 */
import { describe, expect, it } from 'vitest';
import { dispatchSetup, OWNER, ofType } from './helpers.js';

const CONTACT = '+18005550100';

async function pacedSetup() {
  // 6 a minute: one hand-off every 10 s.
  const t = await dispatchSetup({ messagesPerMinute: 6 });
  const calls: [string, number][] = [];
  const notify = t.transport.notify.bind(t.transport);
  t.transport.notify = (phone, messages) => {
    for (const m of messages) calls.push([m.id, t.clock.now()]);
    return notify(phone, messages);
  };
  const drain = async () => {
    while ((await t.gateway.dispatcher.runOnce()) > 0);
  };
  const sendWith = (content: string, extra: Record<string, unknown> = {}) =>
    t.gateway.messages.send(t.account.id, { from: OWNER, to: CONTACT, content, ...extra });
  return { ...t, calls, drain, sendWith };
}

describe('priority and validity', () => {
  it('an expedited message is handed off at once on a paced phone; the others keep their spacing', async () => {
    const t = await pacedSetup();
    const start = t.clock.now();
    const normal = [];
    for (let i = 0; i < 3; i++) normal.push((await t.sendWith(`n${i}`)).id);
    const urgent = await t.sendWith('urgent', { priority: 100 });
    expect(urgent.priority).toBe(100);
    await t.drain();
    expect(t.calls).toEqual([
      [normal[0], start],
      [urgent.id, start],
    ]);
    for (const at of [start + 10_000, start + 20_000]) {
      t.clock.set(at);
      await t.drain();
    }
    expect(t.calls.slice(2)).toEqual([
      [normal[1], start + 10_000],
      [normal[2], start + 20_000],
    ]);
  });

  it('priority 99 waits its turn like any other', async () => {
    const t = await pacedSetup();
    const start = t.clock.now();
    const first = await t.sendWith('first');
    const next = await t.sendWith('next', { priority: 99 });
    await t.drain();
    expect(t.calls).toEqual([[first.id, start]]);
    t.clock.set(start + 10_000);
    await t.drain();
    expect(t.calls[1]).toEqual([next.id, start + 10_000]);
  });

  it('a message whose ttl runs out before its slot fails TTL expired, unseen by the transport', async () => {
    const t = await pacedSetup();
    const start = t.clock.now();
    const first = await t.sendWith('first');
    const late = await t.sendWith('late', { ttl: 5 });
    expect(late.validUntil).toBe(start + 5_000);
    await t.drain();
    expect(t.calls).toEqual([[first.id, start]]);
    // Due at its validity's end, not at its slot (start + 10 s).
    expect(await t.store.nextDueAt('all')).toBe(start + 5_000);
    t.clock.set(start + 5_000);
    await t.drain();
    const row = await t.store.getMessage(t.account.id, late.id);
    expect(row).toMatchObject({ status: 'failed', failureReason: 'TTL expired', dueAt: null });
    const failed = ofType(t.events, 'message.send.failed');
    expect(failed.map((e) => [e.data.id, e.data.error_message])).toEqual([
      [late.id, 'TTL expired'],
    ]);
    t.clock.set(start + 60_000);
    await t.drain();
    expect(t.calls.map(([id]) => id)).toEqual([first.id]);
  });

  it('a handed-off message whose valid_until passes expires for good (no retry)', async () => {
    const t = await pacedSetup();
    const start = t.clock.now();
    const m = await t.sendWith('x', { validUntil: new Date(start + 60_000).toISOString() });
    await t.drain();
    expect(t.calls).toEqual([[m.id, start]]);
    t.clock.set(start + 600_000);
    await t.drain();
    const expired = ofType(t.events, 'message.send.expired');
    expect(expired.map((e) => [e.data.message_id, e.data.is_final])).toEqual([[m.id, true]]);
    expect((await t.store.getMessage(t.account.id, m.id))?.dueAt).toBeNull();
  });

  it('refuses a bad priority, ttl or valid_until in the field that is wrong', async () => {
    const t = await pacedSetup();
    const start = t.clock.now();
    const fields = (extra: Record<string, unknown>) =>
      t.sendWith('x', extra).then(
        () => null,
        (e: { fields?: Record<string, unknown> }) => Object.keys(e.fields ?? {}),
      );
    expect(await fields({ priority: 128 })).toEqual(['priority']);
    expect(await fields({ priority: 1.5 })).toEqual(['priority']);
    expect(await fields({ ttl: 4 })).toEqual(['ttl']);
    expect(await fields({ validUntil: new Date(start - 1).toISOString() })).toEqual([
      'valid_until',
    ]);
    const later = new Date(start + 60_000).toISOString();
    expect(await fields({ ttl: 60, validUntil: later })).toEqual(['valid_until']);
    expect(
      await fields({ validUntil: later, sendAt: new Date(start + 120_000).toISOString() }),
    ).toEqual(['send_at']);
    expect(await fields({ ttl: 60, priority: -128 })).toBeNull();
  });
});
