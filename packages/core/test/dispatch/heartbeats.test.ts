import { describe, expect, it } from 'vitest';
import { dispatchSetup, OWNER, ofType } from './helpers.js';

const MIN = 60_000;

describe('heartbeat monitor', () => {
  it('requests a heartbeat when one is missed, goes offline, comes back online', async () => {
    const t = await dispatchSetup();
    await t.gateway.phoneApi.heartbeat(t.user, { phoneNumbers: [OWNER] });
    const requests = () => t.transport.heartbeatRequests.length;

    t.clock.advance(16 * MIN);
    expect(await t.gateway.heartbeats.runOnce()).toBe(1);
    expect(requests()).toBe(0); // exactly 16 minutes old: not missed yet
    t.clock.advance(16 * MIN);
    await t.gateway.heartbeats.runOnce();
    expect(requests()).toBe(1);
    expect(ofType(t.events, 'phone.heartbeat.offline')).toHaveLength(0);

    t.clock.advance(32 * MIN); // 64 minutes: not past the threshold
    await t.gateway.heartbeats.runOnce();
    expect(ofType(t.events, 'phone.heartbeat.offline')).toHaveLength(0);
    t.clock.advance(16 * MIN);
    await t.gateway.heartbeats.runOnce();
    const offline = ofType(t.events, 'phone.heartbeat.offline');
    expect(offline).toHaveLength(1);
    expect(offline[0]?.data).toMatchObject({ phone_id: t.phone.id, owner: OWNER });
    expect((await t.store.getPhone(t.phone.id))?.online).toBe(false);

    t.clock.advance(16 * MIN);
    await t.gateway.heartbeats.runOnce();
    expect(ofType(t.events, 'phone.heartbeat.offline')).toHaveLength(1);

    await t.gateway.phoneApi.heartbeat(t.user, { phoneNumbers: [OWNER] });
    expect(ofType(t.events, 'phone.heartbeat.online')).toHaveLength(1);
    expect((await t.store.getPhone(t.phone.id))?.online).toBe(true);
  });

  it('checks nothing before the first heartbeat, and not before the interval', async () => {
    const t = await dispatchSetup();
    t.clock.advance(24 * 60 * MIN);
    expect(await t.gateway.heartbeats.runOnce()).toBe(0);
    await t.gateway.phoneApi.heartbeat(t.user, { phoneNumbers: [OWNER] });
    t.clock.advance(16 * MIN - 1);
    expect(await t.gateway.heartbeats.runOnce()).toBe(0);
  });

  it('thresholds are configurable', async () => {
    const t = await dispatchSetup({
      config: {
        heartbeat: { checkIntervalMs: MIN, missedAfterMs: 2 * MIN, offlineAfterMs: 3 * MIN },
      },
    });
    await t.gateway.phoneApi.heartbeat(t.user, { phoneNumbers: [OWNER] });
    for (let i = 0; i < 4; i++) {
      t.clock.advance(MIN);
      await t.gateway.heartbeats.runOnce();
    }
    expect(t.transport.heartbeatRequests.length).toBe(2);
    expect(ofType(t.events, 'phone.heartbeat.offline')).toHaveLength(1);
  });
});
