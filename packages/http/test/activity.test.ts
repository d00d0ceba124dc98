/** `GET /v1/activity`: counts by status, per hour, and failed webhook deliveries. */
import { makeMessage, makeOutbox } from '@textport/core/testing';
import { describe, expect, it } from 'vitest';
import { httpSetup, OWNER } from './helpers.js';

const HOUR = 3_600_000;

describe('GET /v1/activity', () => {
  it('counts every status, fills the last 24 hours oldest first, and counts failed deliveries', async () => {
    const t = await httpSetup();
    const now = t.clock.now();
    const thisHour = now - (now % HOUR);
    const accountId = t.account.id;
    const message = (o: Parameters<typeof makeMessage>[0]) =>
      makeMessage({ accountId, owner: OWNER, createdAt: now - 30 * HOUR, ...o });
    await t.store.insertMessages([
      message({ status: 'delivered', sentAt: now, deliveredAt: now, orderTimestamp: now }),
      message({
        status: 'failed',
        sentAt: thisHour - 2 * HOUR,
        failedAt: thisHour - 2 * HOUR + 5,
        orderTimestamp: thisHour - 2 * HOUR + 5,
      }),
      // Sent 30 hours ago: counted by status, outside the hours.
      message({ status: 'sent', sentAt: now - 30 * HOUR, orderTimestamp: now - 30 * HOUR }),
    ]);
    await t.store.insertOutbox([
      makeOutbox({ accountId, status: 'failed', attempts: 12, createdAt: now - HOUR }),
      makeOutbox({ accountId, status: 'pending', attempts: 1, createdAt: now - HOUR }),
    ]);
    const r = await t.call('GET', '/v1/activity');
    expect(r.status).toBe(200);
    expect(r.json.message).toBe('fetched activity');
    const { data } = r.json;
    expect(data.counts).toEqual({
      pending: 0,
      scheduled: 0,
      sending: 0,
      sent: 1,
      delivered: 1,
      failed: 1,
      expired: 0,
      received: 0,
      canceled: 0,
    });
    expect(data.hours).toHaveLength(24);
    expect(data.since).toBe(new Date(thisHour - 23 * HOUR).toISOString().replace('.000', ''));
    expect(data.hours[23]).toMatchObject({ sent: 1, delivered: 1, failed: 0, received: 0 });
    expect(data.hours[21]).toMatchObject({ sent: 1, delivered: 0, failed: 1, received: 0 });
    const others = data.hours.filter((_: unknown, i: number) => i !== 21 && i !== 23);
    expect(others.every((h: { sent: number }) => h.sent === 0)).toBe(true);
    expect(data.webhook_deliveries).toEqual({ failed: 1, retrying: 1 });

    const week = await t.call('GET', '/v1/activity', { query: { hours: '168' } });
    expect(week.json.data.hours).toHaveLength(168);
  });

  it('422 for hours outside 1–168, 401 without a key', async () => {
    const t = await httpSetup();
    for (const hours of ['0', '169', 'abc', '-1', '1.5']) {
      const r = await t.call('GET', '/v1/activity', { query: { hours } });
      expect(r.status, hours).toBe(422);
      expect(r.json.data.hours).toEqual(['The hours field must be a whole number from 1 to 168']);
    }
    const anonymous = await t.call('GET', '/v1/activity', { key: null });
    expect(anonymous.status).toBe(401);
  });
});
