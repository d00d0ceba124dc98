import type { AnyGatewayEvent } from '@textport/core';
import { encrypt, GatewayError, ManualClock } from '@textport/core';
import { WAIT } from '@textport/core/testing';
import { describe, expect, it, vi } from 'vitest';
import type { DisconnectInfo, OutgoingSms, SendResult, SmsSender } from '../src/client/index.js';
import {
  BoundedSet,
  CANNOT_DECRYPT,
  createVirtualSender,
  NO_ENCRYPTION_KEY,
} from '../src/client/index.js';
import { accountWithPhone, CONTACT, gatewayNode, phoneClientOf, virtualPhone } from './helpers.js';

async function phoneWith(sender: SmsSender, extra: { encryptionKey?: string } = {}) {
  const node = await gatewayNode();
  const fixture = await accountWithPhone(node);
  const client = phoneClientOf(node, fixture.phoneKey, sender, extra);
  await client.connect();
  const send = (content: string, encrypted = false) =>
    node.gateway.messages.send(fixture.account.id, {
      from: fixture.phone.phoneNumber,
      to: CONTACT,
      content,
      encrypted,
    });
  const settled = async (id: string, status: string) => {
    let row = await node.gateway.messages.get(fixture.account.id, id);
    await vi.waitFor(async () => {
      row = await node.gateway.messages.get(fixture.account.id, id);
      expect(row.status).toBe(status);
    }, WAIT);
    return row;
  };
  return { node, client, send, settled, ...fixture };
}

const sends = () => {
  const calls: OutgoingSms[] = [];
  const sender: SmsSender = {
    send(sms) {
      calls.push(sms);
      return { ok: true };
    },
  };
  return { calls, sender };
};

describe('PhoneClient: encrypted messages', () => {
  it('decrypts with the key before handing the SMS to the sender', async () => {
    const { calls, sender } = sends();
    const t = await phoneWith(sender, { encryptionKey: 'passphrase' });
    const m = await t.send(encrypt('passphrase', 'top secret ✓'), true);
    await t.settled(m.id, 'sent');
    expect(calls.map((c) => c.content)).toEqual(['top secret ✓']);
    expect(calls[0]?.message.content).toBe(m.content);
  });

  it('reports FAILED with the app texts when it has no key or cannot decrypt', async () => {
    const { calls, sender } = sends();
    const t = await phoneWith(sender);
    const noKey = await t.send(encrypt('passphrase', 'x'), true);
    expect((await t.settled(noKey.id, 'failed')).failureReason).toBe(NO_ENCRYPTION_KEY);

    const u = await phoneWith(sender, { encryptionKey: 'passphrase' });
    const garbled = await u.send('not base64 at all!', true);
    expect((await u.settled(garbled.id, 'failed')).failureReason).toBe(CANNOT_DECRYPT);
    expect(calls).toEqual([]);
  });
});

describe('PhoneClient: outcomes', () => {
  it('reports DELIVERED after SENT even when the delivery callback fires first', async () => {
    const sender: SmsSender = {
      async send(_sms, report) {
        report.delivered();
        return { ok: true };
      },
    };
    const t = await phoneWith(sender);
    const types: string[] = [];
    for (const type of ['message.phone.sent', 'message.phone.delivered'] as const) {
      t.node.gateway.on(type, (e) => void types.push((e as AnyGatewayEvent).type));
    }
    const m = await t.send('hello');
    await t.settled(m.id, 'delivered');
    expect(types).toEqual(['message.phone.sent', 'message.phone.delivered']);
  });

  it('reports FAILED with the reason the sender gives or throws', async () => {
    let n = 0;
    const sender: SmsSender = {
      send() {
        n += 1;
        // A permanent reason: a transient one (NO_SERVICE) would be tried again.
        if (n === 1) return { ok: false, reason: 'NULL_PDU' };
        throw new Error('radio exploded');
      },
    };
    const t = await phoneWith(sender);
    const a = await t.send('a');
    expect((await t.settled(a.id, 'failed')).failureReason).toBe('NULL_PDU');
    const b = await t.send('b');
    expect((await t.settled(b.id, 'failed')).failureReason).toBe('radio exploded');
  });
});

describe('PhoneClient: connection', () => {
  it('reconnects after the server goes away and comes back', async () => {
    const { sender, calls } = sends();
    const t = await phoneWith(sender);
    const seen: DisconnectInfo[] = [];
    t.client.on('disconnected', (info) => void seen.push(info));
    const connected = vi.fn();
    t.client.on('connected', connected);
    await t.node.gateway.stop();
    // While the server is down the client keeps retrying, so more disconnects may follow.
    await vi.waitFor(() => expect(seen.length).toBeGreaterThanOrEqual(1), WAIT);
    expect(seen[0]).toMatchObject({ code: 1001, reason: 'server stopping', willReconnect: true });
    expect(seen.every((info) => info.willReconnect)).toBe(true);
    await t.node.gateway.start();
    await vi.waitFor(() => expect(connected).toHaveBeenCalled(), WAIT);
    const m = await t.send('after the restart');
    await t.settled(m.id, 'sent');
    expect(calls.map((c) => c.id)).toEqual([m.id]);
  });

  it('gives up on a key the server refuses', async () => {
    const node = await gatewayNode();
    const client = virtualPhone({ url: node.url, apiKey: 'pk_wrong' });
    const seen: DisconnectInfo[] = [];
    client.on('disconnected', (info) => void seen.push(info));
    await expect(client.connect()).rejects.toThrow(/4401.*unknown API key/);
    expect(seen).toEqual([{ code: 4401, reason: 'unknown API key', willReconnect: false }]);
  });
});

describe('building blocks', () => {
  it('BoundedSet forgets the oldest ids beyond its capacity', () => {
    const set = new BoundedSet<string>(2);
    set.add('a');
    set.add('b');
    set.add('a');
    set.add('c');
    expect([set.has('a'), set.has('b'), set.has('c'), set.size]).toEqual([true, false, true, 2]);
    expect(() => new BoundedSet(0)).toThrow(RangeError);
  });

  it('the virtual sender fails at the configured rate and logs each send', async () => {
    const lines: string[] = [];
    const rolls = [0.1, 0.9];
    const sender = createVirtualSender({
      failureRate: 0.5,
      random: () => rolls.shift() ?? 0,
      log: (line) => void lines.push(line),
    });
    const sms = { id: 'm', from: '+1', to: '+2', content: 'c', sim: 'SIM1' } as OutgoingSms;
    const report = { delivered: () => {}, failed: () => {} };
    expect(await sender.send(sms, report)).toEqual({ ok: false, reason: 'GENERIC_FAILURE' });
    expect(await sender.send(sms, report)).toEqual({ ok: true });
    expect(sender.sent).toEqual([sms]);
    expect(lines).toHaveLength(2);
    expect(() => createVirtualSender({ failureRate: 2 })).toThrow(RangeError);
  });
});

describe('PhoneClient: a retry of a message it took in this run', () => {
  it('takes the retry of a message whose send outlasted its expiry, and reports the send for it', async () => {
    const clock = new ManualClock(Date.now());
    const node = await gatewayNode({ start: false, gateway: { clock } });
    const f = await accountWithPhone(node);
    let release = () => {};
    let sends = 0;
    const sender: SmsSender = {
      send() {
        sends++;
        return new Promise<SendResult>((resolve) => {
          release = () => resolve({ ok: true });
        });
      },
    };
    const client = phoneClientOf(node, f.phoneKey, sender);
    const attempts: number[] = [];
    client.on('push', (message) => attempts.push(message.send_attempt_count));
    await client.connect();
    const m = await node.gateway.messages.send(f.account.id, {
      from: f.phone.phoneNumber,
      to: CONTACT,
      content: 'a slow radio',
    });
    const row = () => node.gateway.messages.get(f.account.id, m.id);
    await node.gateway.dispatcher.runOnce();
    await vi.waitFor(() => expect(sends).toBe(1), WAIT);
    // The radio holds it past the message's expiry: the gateway retries it.
    clock.advance(11 * 60_000);
    await vi.waitFor(async () => {
      await node.gateway.dispatcher.runOnce();
      expect(attempts).toEqual([1, 2]);
    }, WAIT);
    await vi.waitFor(
      async () => {
        expect(await row()).toMatchObject({ status: 'sending', sendAttemptCount: 2 });
      },
      { timeout: 2000 },
    );
    release();
    await vi.waitFor(async () => expect((await row()).status).toBe('sent'), WAIT);
    expect(sends).toBe(1);
  });

  it('reports again from its journal the send of a retry whose first report the gateway lost', async () => {
    const clock = new ManualClock(Date.now());
    let failReports = 1;
    const node = await gatewayNode({
      start: false,
      gateway: { clock },
      host: (host) => ({
        ...host,
        phoneApi: {
          ...host.phoneApi,
          reportEvent: async (principal, id, input) => {
            if (failReports-- > 0) throw new GatewayError('store', 'the store is unavailable');
            return host.phoneApi.reportEvent(principal, id, input);
          },
        },
      }),
    });
    const f = await accountWithPhone(node);
    const { calls, sender } = sends();
    const client = phoneClientOf(node, f.phoneKey, sender);
    const problems: string[] = [];
    client.on('problem', (_error, context) => problems.push(context));
    await client.connect();
    const m = await node.gateway.messages.send(f.account.id, {
      from: f.phone.phoneNumber,
      to: CONTACT,
      content: 'a lost report',
    });
    const row = () => node.gateway.messages.get(f.account.id, m.id);
    await node.gateway.dispatcher.runOnce();
    await vi.waitFor(() => expect(problems).toContain(`event SENT of ${m.id}`), WAIT);
    expect((await row()).status).toBe('sending');
    clock.advance(11 * 60_000);
    await vi.waitFor(
      async () => {
        await node.gateway.dispatcher.runOnce();
        expect((await row()).status).toBe('sent');
      },
      { timeout: 2000 },
    );
    expect(calls).toHaveLength(1);
  });
});
