/** Retries by failure reason: a transient failure the phone reports is tried again; a permanent one is final. */
import { describe, expect, it } from 'vitest';
import { FakeTransport } from '../../src/index.js';
import { CONTACT, OWNER, ofType, type Setup, setup } from './helpers.js';

async function handedOffMessage(t: Setup, transport: FakeTransport) {
  const m = await t.gateway.messages.send(t.account.id, {
    from: OWNER,
    to: CONTACT,
    content: 'hi',
  });
  await t.gateway.dispatcher.runOnce();
  expect(transport.handedOff()).toEqual([m.id]);
  await t.gateway.phoneApi.takeOutstanding(t.user, m.id);
  return m;
}

const fail = (t: Setup, id: string, reason: string) =>
  t.gateway.phoneApi.reportEvent(t.user, id, { event: 'FAILED', reason });

describe('retries by failure reason', () => {
  it('RADIO_OFF is retried after the backoff and then delivered', async () => {
    const transport = new FakeTransport();
    const t = await setup({ transports: [transport] });
    const m = await handedOffMessage(t, transport);
    const retried = await fail(t, m.id, 'RADIO_OFF');
    expect(retried).toMatchObject({ outcome: 'applied', message: { status: 'pending' } });
    const due = (await t.raw.message(m.id))?.dueAt ?? 0;
    // 30 s for the first retry, ±20 %.
    expect(due - t.clock.now()).toBeGreaterThanOrEqual(24_000);
    expect(due - t.clock.now()).toBeLessThanOrEqual(36_000);
    expect(ofType(t.events, 'message.send.failed')).toEqual([]);
    // A repeated report of the same failure changes nothing (the retry is queued once).
    expect((await fail(t, m.id, 'RADIO_OFF')).outcome).toBe('ignored');
    expect((await t.raw.message(m.id))?.dueAt).toBe(due);

    // Not before the backoff has passed.
    await t.gateway.dispatcher.runOnce();
    expect(transport.handedOff()).toEqual([m.id]);
    t.clock.set(due);
    await t.gateway.dispatcher.runOnce();
    expect(transport.handedOff()).toEqual([m.id, m.id]);
    expect(await t.raw.message(m.id)).toMatchObject({ status: 'scheduled', sendAttemptCount: 2 });

    await t.gateway.phoneApi.takeOutstanding(t.user, m.id);
    await t.gateway.phoneApi.reportEvent(t.user, m.id, { event: 'SENT' });
    const delivered = await t.gateway.phoneApi.reportEvent(t.user, m.id, { event: 'DELIVERED' });
    expect(delivered.message).toMatchObject({ status: 'delivered', failureReason: null });
    expect(ofType(t.events, 'message.phone.delivered')).toHaveLength(1);
  });

  it('a transient failure on the last attempt is final', async () => {
    const transport = new FakeTransport();
    const t = await setup({ transports: [transport] });
    const m = await handedOffMessage(t, transport);
    await fail(t, m.id, 'NO_SERVICE');
    t.clock.advance(60_000);
    await t.gateway.dispatcher.runOnce();
    await t.gateway.phoneApi.takeOutstanding(t.user, m.id);
    const last = await fail(t, m.id, 'NO_SERVICE');
    expect(last.message).toMatchObject({ status: 'failed', failureReason: 'NO_SERVICE' });
    expect((await t.raw.message(m.id))?.dueAt).toBeNull();
    expect(ofType(t.events, 'message.send.failed')).toHaveLength(1);
  });

  it.each(['INVALID_NUMBER', 'RESULT_ERROR_NULL_PDU', 'UNKNOWN:7'])(
    '%s is not retried',
    async (reason) => {
      const transport = new FakeTransport();
      const t = await setup({ transports: [transport] });
      const m = await handedOffMessage(t, transport);
      const r = await fail(t, m.id, reason);
      expect(r.message).toMatchObject({ status: 'failed', failureReason: reason });
      t.clock.advance(3_600_000);
      await t.gateway.dispatcher.runOnce();
      expect(transport.handedOff()).toEqual([m.id]);
      expect(ofType(t.events, 'message.send.failed')).toHaveLength(1);
    },
  );

  it('a failed delivery report after SENT is final, whatever the reason', async () => {
    const transport = new FakeTransport();
    const t = await setup({ transports: [transport] });
    const m = await handedOffMessage(t, transport);
    await t.gateway.phoneApi.reportEvent(t.user, m.id, { event: 'SENT' });
    const r = await fail(t, m.id, 'RADIO_OFF');
    expect(r.message?.status).toBe('failed');
  });

  it('a failure the phone reports as final is not retried, whatever the reason', async () => {
    const transport = new FakeTransport();
    const t = await setup({ transports: [transport] });
    const m = await handedOffMessage(t, transport);
    const input = { event: 'FAILED', reason: 'RADIO_OFF', final: true } as const;
    const r = await t.gateway.phoneApi.reportEvent(t.user, m.id, input);
    expect(r.message).toMatchObject({ status: 'failed', failureReason: 'RADIO_OFF', dueAt: null });
    expect(ofType(t.events, 'message.send.failed').map((e) => e.data.id)).toEqual([m.id]);
  });

  it('follows the configured table and backoff', async () => {
    const transport = new FakeTransport();
    const t = await setup({
      transports: [transport],
      config: {
        failureRetry: {
          reasons: { RADIO_OFF: 'permanent' },
          unknown: 'transient',
          retry: { minDelayMs: 1_000, jitter: 0 },
        },
      },
    });
    const m = await handedOffMessage(t, transport);
    const r = await fail(t, m.id, 'UNKNOWN:7');
    expect(r.message?.status).toBe('pending');
    expect((await t.raw.message(m.id))?.dueAt).toBe(t.clock.now() + 1_000);
    const other = await handedOffMessageAfter(t, transport);
    expect((await fail(t, other, 'RADIO_OFF')).message?.status).toBe('failed');
  });
});

async function handedOffMessageAfter(t: Setup, transport: FakeTransport): Promise<string> {
  t.clock.advance(10_000);
  const m = await t.gateway.messages.send(t.account.id, { from: OWNER, to: CONTACT, content: 'b' });
  for (let i = 0; i < 5 && !transport.handedOff().includes(m.id); i++) {
    await t.gateway.dispatcher.runOnce();
    t.clock.advance(6_000);
  }
  await t.gateway.phoneApi.takeOutstanding(t.user, m.id);
  return m.id;
}
