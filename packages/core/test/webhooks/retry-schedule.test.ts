/**
 * The webhook retry schedule as the worker performs it, on a fake clock with
 * injected randomness. The documented default (`DEFAULT_WEBHOOK_OPTIONS`,
 * docs/configuration.md): 5 s, 20 s, 80 s, … ×4 between attempts, capped at
 * 24 h, ±20 % jitter, 12 attempts over about four days; a `Retry-After` longer
 * than the backoff is honoured (up to 24 h), a shorter one does not hasten the retry.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayConfig, Principal, Random } from '../../src/index.js';
import { createGateway, ManualClock, silentLogger, systemRandom } from '../../src/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { makeWebhook } from '../../src/testing/fixtures.js';
import { startReceiver } from './receiver.js';

const OWNER = '+18005550199';
const S = 1_000;
const DAY = 24 * 3_600 * S;
/** The documented default gaps between the 12 attempts, with the jitter at its middle. */
const DEFAULT_GAPS = [5, 20, 80, 320, 1_280, 5_120, 20_480, 81_920].map((s) => s * S);
const CAPPED = [...DEFAULT_GAPS, DAY, DAY, DAY];

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Randomness whose `next()` is fixed (the jitter's position in [0, 1)). */
function fixedRandom(value: number): Random {
  return { ...systemRandom(), next: () => value };
}

type Script = Parameters<typeof startReceiver>[0];

async function setup(script: Script, random: number, config: Partial<GatewayConfig> = {}) {
  const receiver = await startReceiver(script);
  closers.push(receiver.close);
  const store = createMemoryStore();
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 12));
  const gateway = createGateway({
    store,
    clock,
    random: fixedRandom(random),
    logger: silentLogger,
    ...config,
  });
  closers.push(() => gateway.stop());
  const { record: account } = await gateway.accounts.create();
  await gateway.phones.upsert(account.id, { phoneNumber: OWNER });
  await store.insertWebhook(
    makeWebhook({
      accountId: account.id,
      url: receiver.url,
      events: ['message.phone.sent'],
      phoneNumbers: [OWNER],
    }),
  );
  const user: Principal = { accountId: account.id, kind: 'user', keyId: null, phoneNumbers: null };
  const m = await gateway.messages.send(account.id, {
    from: OWNER,
    to: '+18005550100',
    content: 'x',
  });
  await gateway.phoneApi.takeOutstanding(user, m.id);
  await gateway.phoneApi.reportEvent(user, m.id, { event: 'SENT' });
  const row = async () => {
    const [current] = await store.listOutbox({ accountId: account.id, skip: 0, limit: 2 });
    if (!current) throw new Error('no outbox row');
    return current;
  };

  /**
   * Runs the worker until the row is finished, moving the clock only to the
   * instant the row falls due: one millisecond earlier the worker posts nothing.
   * Returns the clock time of every attempt the receiver got.
   */
  const attemptTimes = async () => {
    const times: number[] = [];
    for (let guard = 0; guard < 50; guard += 1) {
      const before = receiver.received.length;
      expect(await gateway.webhookWorker.runOnce()).toBe(1);
      expect(receiver.received).toHaveLength(before + 1);
      times.push(clock.now());
      const current = await row();
      if (current.status !== 'pending') return times;
      clock.set(current.nextAttemptAt - 1);
      expect(await gateway.webhookWorker.runOnce()).toBe(0);
      clock.advance(1);
    }
    throw new Error('the row never finished');
  };
  return { receiver, clock, gateway, row, attemptTimes };
}

const gapsOf = (times: number[]) => times.slice(1).map((t, i) => t - (times[i] ?? 0));
const failing = (n: number): Script => Array.from({ length: n }, () => ({ status: 500 }));

describe('webhook retry schedule (default policy, observed through the worker)', () => {
  it('waits 5 s, 20 s, 80 s, … ×4 capped at 24 h, and fails after exactly 12 attempts', async () => {
    const t = await setup(failing(20), 0.5);
    const times = await t.attemptTimes();
    expect(times).toHaveLength(12);
    expect(gapsOf(times)).toEqual(CAPPED);
    // About four days from the first attempt to the last.
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBe(368_425 * S);
    expect(await t.row()).toMatchObject({ status: 'failed', attempts: 12 });
    expect((await t.row()).lastError).toBe(
      'HTTP 500 Internal Server Error (gave up after 12 attempts)',
    );
    // Nothing more, however long the worker runs.
    t.clock.advance(30 * DAY);
    expect(await t.gateway.webhookWorker.runOnce()).toBe(0);
    expect(t.receiver.received).toHaveLength(12);
  });

  it('jitter spans ±20 % of the backoff and never passes the 24 h cap', async () => {
    const low = await setup(failing(20), 0);
    expect(gapsOf(await low.attemptTimes())).toEqual(CAPPED.map((gap) => gap * 0.8));
    const high = await setup(failing(20), 0.999_999);
    expect(gapsOf(await high.attemptTimes())).toEqual(
      CAPPED.map((gap) => Math.min(DAY, Math.round(gap * 1.2 - gap * 0.4 * 0.000_001))),
    );
  });

  it('a receiver back after three failures gets the event on the fourth attempt, on schedule', async () => {
    const t = await setup(failing(3), 0.5);
    const times = await t.attemptTimes();
    expect(gapsOf(times)).toEqual(DEFAULT_GAPS.slice(0, 3));
    const ids = t.receiver.received.map((r) => [r.headers['webhook-id'], JSON.parse(r.body).id]);
    const eventId = (await t.row()).eventId;
    expect(ids).toEqual(Array(4).fill([eventId, eventId]));
    expect(await t.row()).toMatchObject({ status: 'delivered', attempts: 4, lastError: null });
  });

  it('a Retry-After shorter than the backoff does not hasten the retry', async () => {
    // Third attempt: the backoff is 80 s, the receiver asks for 10 s.
    const t = await setup(
      [{ status: 500 }, { status: 500 }, { status: 429, headers: { 'retry-after': '10' } }],
      0.5,
    );
    expect(gapsOf(await t.attemptTimes())).toEqual([5 * S, 20 * S, 80 * S]);
  });

  it('a Retry-After longer than the backoff is honoured, in seconds or as a date', async () => {
    const at = Date.UTC(2026, 10, 24, 12) + 5 * S + 7_200 * S;
    const t = await setup(
      [
        { status: 503, headers: { 'retry-after': '5' } },
        { status: 429, headers: { 'retry-after': new Date(at).toUTCString() } },
        { status: 429, headers: { 'retry-after': '3600' } },
      ],
      0.5,
    );
    // 5 s asked equals the backoff; then two hours (a date) and an hour (seconds).
    expect(gapsOf(await t.attemptTimes())).toEqual([5 * S, 7_200 * S, 3_600 * S]);
  });

  it('a Retry-After beyond the longest backoff waits 24 h', async () => {
    const t = await setup([{ status: 429, headers: { 'retry-after': String(3 * 86_400) } }], 0.5);
    expect(gapsOf(await t.attemptTimes())).toEqual([DAY]);
  });

  it('a custom policy and maxAttempts are followed as configured', async () => {
    const t = await setup(failing(10), 0.5, {
      webhooks: {
        maxAttempts: 4,
        retry: { minDelayMs: 1_000, maxDelayMs: 3_000, multiplier: 2, jitter: 0 },
      },
    });
    expect(gapsOf(await t.attemptTimes())).toEqual([1_000, 2_000, 3_000]);
    expect(await t.row()).toMatchObject({ status: 'failed', attempts: 4 });
  });
});
