/**
 * Alerts: one per phone outage, per final failure or expiry, per failing webhook
 * episode; none when the account's setting is off; none again after a restart (the
 * de-duplication is stored). The sender records what it is handed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert, AlertSender, GatewayConfig } from '../../src/index.js';
import { createGateway, silentLogger } from '../../src/index.js';
import { makeWebhook } from '../../src/testing/fixtures.js';
import { dispatchSetup, OWNER } from '../dispatch/helpers.js';
import { startReceiver } from '../webhooks/receiver.js';

const MIN = 60_000;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function recorder(): AlertSender & { alerts: Alert[] } {
  const alerts: Alert[] = [];
  return {
    alerts,
    async send(alert) {
      alerts.push(alert);
    },
  };
}

async function alertSetup(config: Partial<GatewayConfig> = {}) {
  const sender = recorder();
  const t = await dispatchSetup({ config: { alerts: sender, ...config } });
  await t.store.updateAccount(t.account.id, { email: 'ops@example.com' });
  const settled = () => t.gateway.alerts?.settled();
  return { ...t, sender, settled };
}

describe('alerts', () => {
  it('one alert per phone outage, not per missed heartbeat', async () => {
    const t = await alertSetup();
    await t.gateway.phoneApi.heartbeat(t.user, { phoneNumbers: [OWNER] });
    for (let i = 0; i < 10; i += 1) {
      t.clock.advance(16 * MIN);
      await t.gateway.heartbeats.runOnce();
    }
    await t.settled();
    expect(t.sender.alerts.map((a) => [a.kind, a.to, a.owner])).toEqual([
      ['phone.offline', 'ops@example.com', OWNER],
    ]);
    expect(t.sender.alerts[0]?.subject).toBe(`Your phone ${OWNER} is offline`);

    // A restart (a new gateway on the same store) sends nothing again for this outage.
    const again = recorder();
    const restarted = createGateway({
      store: t.store,
      clock: t.clock,
      logger: silentLogger,
      alerts: again,
    });
    t.clock.advance(16 * MIN);
    await restarted.heartbeats.runOnce();
    await restarted.alerts?.settled();
    expect(again.alerts).toEqual([]);

    // Back online, then a second outage: a second alert.
    await t.gateway.phoneApi.heartbeat(t.user, { phoneNumbers: [OWNER] });
    for (let i = 0; i < 6; i += 1) {
      t.clock.advance(16 * MIN);
      await t.gateway.heartbeats.runOnce();
    }
    await t.settled();
    expect(t.sender.alerts.map((a) => a.kind)).toEqual(['phone.offline', 'phone.offline']);
  });

  it('one alert per final failure and final expiry; none for an expiry that is retried', async () => {
    const t = await alertSetup();
    const failed = await t.send('will fail');
    await t.gateway.dispatcher.runOnce();
    await t.gateway.phoneApi.takeOutstanding(t.user, failed.id);
    await t.gateway.phoneApi.reportEvent(t.user, failed.id, {
      event: 'FAILED',
      reason: 'no credit',
    });
    await t.gateway.phoneApi.reportEvent(t.user, failed.id, { event: 'FAILED', reason: 'again' });
    await t.settled();
    expect(t.sender.alerts.map((a) => [a.kind, a.event.type])).toEqual([
      ['message.failed', 'message.send.failed'],
    ]);
    expect(t.sender.alerts[0]?.text).toContain('Reason: no credit');

    await t.gateway.phones.upsert(t.account.id, { phoneNumber: OWNER, maxSendAttempts: 2 });
    const expiring = await t.send('will expire');
    await t.gateway.dispatcher.runOnce();
    t.clock.advance(10 * MIN);
    await t.gateway.dispatcher.runOnce(); // first expiry: retried, no alert
    await t.settled();
    expect(t.sender.alerts).toHaveLength(1);
    t.clock.advance(10 * MIN);
    await t.gateway.dispatcher.runOnce(); // second expiry: final
    t.clock.advance(10 * MIN);
    await t.gateway.dispatcher.runOnce();
    await t.settled();
    expect((await t.raw.message(expiring.id))?.status).toBe('expired');
    expect(t.sender.alerts.map((a) => a.kind)).toEqual(['message.failed', 'message.expired']);
  });

  it('one alert per failing webhook episode; a delivered event ends the episode', async () => {
    const receiver = await startReceiver([{ status: 500 }, { status: 500 }, { status: 500 }]);
    closers.push(receiver.close);
    const t = await alertSetup({ webhooks: { maxAttempts: 1 } });
    const hook = makeWebhook({
      accountId: t.account.id,
      url: receiver.url,
      events: ['message.send.failed'],
      phoneNumbers: [OWNER],
    });
    await t.store.insertWebhook(hook);
    await t.store.updateAccount(t.account.id, { notificationMessageStatusEnabled: false });
    const fail = async () => {
      const m = await t.send();
      await t.gateway.phoneApi.takeOutstanding(t.user, m.id);
      await t.gateway.phoneApi.reportEvent(t.user, m.id, { event: 'FAILED', reason: 'x' });
      await t.gateway.webhookWorker.runOnce();
      await t.settled();
    };
    await fail();
    await fail();
    expect(t.sender.alerts.map((a) => a.kind)).toEqual(['webhook.failing']);
    expect(t.sender.alerts[0]?.text).toContain('HTTP status: 500');
    expect((await t.store.getWebhook(t.account.id, hook.id))?.failingSince).toBe(t.clock.now());

    // A restart: the episode is stored, the next failure stays quiet.
    const again = recorder();
    const restarted = createGateway({
      store: t.store,
      clock: t.clock,
      logger: silentLogger,
      alerts: again,
      webhooks: { maxAttempts: 1 },
    });
    const m = await t.send();
    await t.gateway.phoneApi.takeOutstanding(t.user, m.id);
    await t.gateway.phoneApi.reportEvent(t.user, m.id, { event: 'FAILED', reason: 'x' });
    await restarted.webhookWorker.runOnce();
    await restarted.alerts?.settled();
    expect(again.alerts).toEqual([]);

    await fail(); // the receiver answers 200 now: the episode ends
    expect((await t.store.getWebhook(t.account.id, hook.id))?.failingSince).toBeNull();
    const down = await startReceiver([{ status: 503 }, { status: 503 }, { status: 503 }]);
    closers.push(down.close);
    await t.store.updateWebhook(hook.id, { url: down.url });
    await fail();
    await fail();
    expect(t.sender.alerts.map((a) => a.kind)).toEqual(['webhook.failing', 'webhook.failing']);

    // Changing the webhook ends its episode: the next failure is alerted again.
    await t.gateway.webhooks.update(t.account.id, hook.id, {
      url: down.url,
      events: ['message.send.failed'],
      phoneNumbers: [OWNER],
    });
    expect((await t.store.getWebhook(t.account.id, hook.id))?.failingSince).toBeNull();
    await fail();
    expect(t.sender.alerts.map((a) => a.kind)).toEqual([
      'webhook.failing',
      'webhook.failing',
      'webhook.failing',
    ]);
  });

  it('sends nothing when the matching setting is off, or the account has no e-mail', async () => {
    const receiver = await startReceiver([{ status: 500 }]);
    closers.push(receiver.close);
    const t = await alertSetup({ webhooks: { maxAttempts: 1 } });
    await t.gateway.accounts.updateNotifications(t.account.id, {
      messageStatusEnabled: false,
      webhookEnabled: false,
      heartbeatEnabled: false,
    });
    await t.store.insertWebhook(
      makeWebhook({
        accountId: t.account.id,
        url: receiver.url,
        events: ['message.send.failed'],
        phoneNumbers: [OWNER],
      }),
    );
    await t.gateway.phoneApi.heartbeat(t.user, { phoneNumbers: [OWNER] });
    const m = await t.send();
    await t.gateway.phoneApi.takeOutstanding(t.user, m.id);
    await t.gateway.phoneApi.reportEvent(t.user, m.id, { event: 'FAILED', reason: 'x' });
    await t.gateway.webhookWorker.runOnce();
    for (let i = 0; i < 6; i += 1) {
      t.clock.advance(16 * MIN);
      await t.gateway.heartbeats.runOnce();
    }
    await t.settled();
    expect(receiver.received).toHaveLength(1);
    expect((await t.store.getPhone(t.phone.id))?.online).toBe(false);
    expect(t.sender.alerts).toEqual([]);

    // Settings on, but no e-mail address: still nothing.
    await t.gateway.accounts.updateNotifications(t.account.id, {
      messageStatusEnabled: true,
      webhookEnabled: true,
      heartbeatEnabled: true,
    });
    await t.store.updateAccount(t.account.id, { email: null });
    const n = await t.send();
    await t.gateway.phoneApi.takeOutstanding(t.user, n.id);
    await t.gateway.phoneApi.reportEvent(t.user, n.id, { event: 'FAILED', reason: 'x' });
    await t.settled();
    expect(t.sender.alerts).toEqual([]);
  });

  it('a sender that fails is logged and does not break the gateway', async () => {
    const errors: unknown[] = [];
    const logger = { ...silentLogger, error: (o: unknown) => void errors.push(o) };
    const failing: AlertSender = {
      send: async () => {
        throw new Error('SMTP down');
      },
    };
    const t = await dispatchSetup({ config: { alerts: failing, logger } });
    await t.store.updateAccount(t.account.id, { email: 'ops@example.com' });
    const m = await t.send();
    await t.gateway.phoneApi.takeOutstanding(t.user, m.id);
    await t.gateway.phoneApi.reportEvent(t.user, m.id, { event: 'FAILED', reason: 'x' });
    await t.gateway.alerts?.settled();
    expect((await t.raw.message(m.id))?.status).toBe('failed');
    expect(errors).toHaveLength(1);
  });
});
