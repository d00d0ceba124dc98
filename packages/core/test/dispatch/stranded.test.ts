/**
 * A phone that registered an FCM token on a gateway whose transports cannot push
 * to it (no FCM transport; it holds no connection): a warning at registration,
 * `warn` in readiness, and its messages fail with the reason once they have waited
 * the phone's expiry, instead of staying `pending` for ever.
 */
import { describe, expect, it } from 'vitest';
import type { Logger, Principal } from '../../src/index.js';
import {
  createGateway,
  FakeTransport,
  ManualClock,
  silentLogger,
  type Transport,
} from '../../src/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';

const OWNER = '+18005550199';
const CONTACT = '+18005550100';

async function setup(transports: Transport[]) {
  const warnings: string[] = [];
  const logger: Logger = {
    ...silentLogger,
    warn: (_fields, message) => void warnings.push(String(message)),
  };
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 12, 0, 0));
  const gateway = createGateway({ store: createMemoryStore(), clock, logger, transports });
  const { record: account } = await gateway.accounts.create();
  const user: Principal = { accountId: account.id, kind: 'user', keyId: null, phoneNumbers: null };
  const failed: string[] = [];
  gateway.on('message.send.failed', (e) => void failed.push(e.data.error_message));
  const phone = await gateway.phoneApi.updateFcmToken(user, {
    phoneNumber: OWNER,
    fcmToken: 'tok',
  });
  await gateway.phones.upsert(account.id, { phoneNumber: OWNER, messageExpirationSeconds: 120 });
  const send = () =>
    gateway.messages.send(account.id, { from: OWNER, to: CONTACT, content: 'hello' });
  return { gateway, clock, account, phone, warnings, failed, send };
}

describe('a phone no transport can reach', () => {
  it('warns at registration and in readiness, and fails its messages after the expiry', async () => {
    const websocketLike = new FakeTransport({ phones: [] });
    const t = await setup([websocketLike]);
    expect(t.warnings.join('\n')).toContain(`no transport can reach phone [${OWNER}]`);
    // The gateway is driven by hand here (never started): only the phones check is read.
    const ready = await t.gateway.readiness();
    expect(ready.checks['phones:stranded']).toMatchObject({ observedValue: 1, status: 'warn' });
    expect(ready.checks['phones:stranded']?.description).toContain(OWNER);

    const first = await t.send();
    t.clock.advance(60_000);
    const second = await t.send();
    expect(await t.gateway.dispatcher.runOnce()).toBe(0);
    t.clock.advance(60_000);
    // The first has waited its 120 s; the second has not, and its claim is given back.
    expect(await t.gateway.dispatcher.failStranded()).toBe(1);
    const one = await t.gateway.messages.get(t.account.id, first.id);
    expect(one).toMatchObject({ status: 'failed' });
    expect(one.failureReason).toContain('no transport can reach phone');
    expect(t.failed).toEqual([one.failureReason]);
    const two = await t.gateway.messages.get(t.account.id, second.id);
    expect(two).toMatchObject({ status: 'pending', leaseOwner: null });

    // Connected (a WebSocket here): no longer stranded, the second is handed off.
    websocketLike.setConnected(t.phone.id, true);
    expect((await t.gateway.readiness()).checks['phones:stranded']?.status).toBe('pass');
    t.clock.advance(600_000);
    expect(await t.gateway.dispatcher.failStranded()).toBe(0);
    await t.gateway.dispatcher.runOnce();
    expect(websocketLike.handoffs.flatMap((h) => h.messageIds)).toEqual([second.id]);
  });

  it('a transport that reaches every phone (FCM) strands nothing', async () => {
    const t = await setup([new FakeTransport()]);
    expect(t.warnings).toEqual([]);
    expect((await t.gateway.readiness()).checks['phones:stranded']?.status).toBe('pass');
    await t.send();
    t.clock.advance(3_600_000);
    expect(await t.gateway.dispatcher.failStranded()).toBe(0);
  });

  it('a gateway without transports (the host drives the phone API) strands nothing', async () => {
    const t = await setup([]);
    expect(t.warnings).toEqual([]);
    const message = await t.send();
    t.clock.advance(3_600_000);
    expect(await t.gateway.dispatcher.failStranded()).toBe(0);
    expect((await t.gateway.messages.get(t.account.id, message.id)).status).toBe('pending');
  });
});
