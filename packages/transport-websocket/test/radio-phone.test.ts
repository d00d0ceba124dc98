import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WAIT } from '@textport/core/testing';
import { describe, expect, it, vi } from 'vitest';
import type {
  OutgoingSms,
  RadioDriver,
  RadioSink,
  RadioStatus,
  SendResult,
} from '../src/client/index.js';
import { FileJournal, INTERRUPTED, RadioPhone } from '../src/client/index.js';
import { accountWithPhone, CONTACT, gatewayNode, onCleanup, rawSocket } from './helpers.js';

/** A driver the test controls: it records sends and hands out its sink. */
function testDriver(status: RadioStatus = {}) {
  const sent: OutgoingSms[] = [];
  let sink: RadioSink | undefined;
  const driver: RadioDriver & { sent: OutgoingSms[]; sink(): RadioSink; stopped: boolean } = {
    name: 'test',
    sent,
    stopped: false,
    send(sms): SendResult {
      sent.push(sms);
      return { ok: true };
    },
    async start(s) {
      sink = s;
    },
    async stop() {
      driver.stopped = true;
    },
    status: async () => status,
    sink() {
      if (!sink) throw new Error('the driver was not started');
      return sink;
    },
  };
  return driver;
}

function radioPhone(options: ConstructorParameters<typeof RadioPhone>[0]) {
  const phone = new RadioPhone({
    reconnect: { minDelayMs: 10, maxDelayMs: 100 },
    requestTimeoutMs: 5000,
    ...options,
  });
  onCleanup(() => phone.stop());
  return phone;
}

describe('RadioPhone', () => {
  it("sends the radio's battery, charging and signal in its heartbeats", async () => {
    const node = await gatewayNode();
    const { account, phoneKey, phone } = await accountWithPhone(node);
    const driver = testDriver({
      batteryLevel: 57.4,
      charging: true,
      signalDbm: -71,
      registration: 'roaming',
      operator: ' Emulated Net ',
    });
    const device = radioPhone({ url: node.url, apiKey: phoneKey, driver });
    const beats = new Promise((resolve) => device.once('heartbeat', resolve));
    await device.start();
    await beats;
    const [beat] = await node.gateway.phones.heartbeats(account.id, { owner: phone.phoneNumber });
    expect(beat).toMatchObject({
      charging: true,
      batteryLevel: 57,
      signalDbm: -71,
      networkRegistration: 'roaming',
      networkOperator: 'Emulated Net',
    });
  });

  it('reports what the radio receives to the number on its SIM, and stops the radio', async () => {
    const node = await gatewayNode();
    const { account, phoneKey, phone } = await accountWithPhone(node);
    const driver = testDriver();
    const device = radioPhone({ url: node.url, apiKey: phoneKey, driver });
    await device.start();
    await driver.sink().received({ from: CONTACT, content: 'hello from the radio', sim: 'SIM1' });
    await driver.sink().missedCall({ from: CONTACT, timestamp: Date.UTC(2026, 0, 2) });
    const thread = await node.gateway.messages.list(account.id, {
      owner: phone.phoneNumber,
      contact: CONTACT,
    });
    expect(thread.map((m) => [m.type, m.content]).sort()).toEqual([
      ['call/missed', ''],
      ['mobile-originated', 'hello from the radio'],
    ]);
    await device.stop();
    expect(driver.stopped).toBe(true);
  });

  it('drops an inbound report the gateway refuses for good, and says so', async () => {
    const node = await gatewayNode();
    const { phoneKey } = await accountWithPhone(node);
    const driver = testDriver();
    const device = radioPhone({ url: node.url, apiKey: phoneKey, driver });
    const problems: string[] = [];
    device.on('problem', (_error, context) => problems.push(context));
    await device.start();
    await expect(driver.sink().received({ from: CONTACT, content: '' })).resolves.toBeUndefined();
    expect(problems).toEqual([`SMS from ${CONTACT} refused by the gateway; dropped`]);
  });

  it('keeps an inbound report that could not reach the gateway (the driver holds the SMS)', async () => {
    const node = await gatewayNode();
    const { phoneKey } = await accountWithPhone(node);
    const driver = testDriver();
    const device = radioPhone({ url: node.url, apiKey: phoneKey, driver });
    await device.start();
    const sink = driver.sink();
    await device.close();
    await expect(sink.received({ from: CONTACT, content: 'held' })).rejects.toThrow();
  });
});

describe('a journal across restarts', () => {
  it('reports what an earlier run recorded instead of sending again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'textport-radio-'));
    onCleanup(async () => rmSync(dir, { recursive: true, force: true }));
    const node = await gatewayNode({ start: false });
    const { account, phoneKey, phone } = await accountWithPhone(node);
    const send = (content: string) =>
      node.gateway.messages.send(account.id, { from: phone.phoneNumber, to: CONTACT, content });
    const sent = await send('sent before the restart');
    const delivered = await send('delivered before the restart');
    const inFlight = await send('with the radio when the phone stopped');
    const failed = await send('failed before the restart');
    const fresh = await send('new after the restart');

    const path = join(dir, 'journal.jsonl');
    const earlier = new FileJournal(path);
    earlier.record(sent.id, { state: 'sent', at: Date.UTC(2026, 0, 1) });
    earlier.record(delivered.id, { state: 'delivered', at: Date.UTC(2026, 0, 1) });
    earlier.record(inFlight.id, { state: 'sending', at: Date.UTC(2026, 0, 1) });
    // A permanent reason: a transient one (RADIO_OFF) would be tried again.
    earlier.record(failed.id, { state: 'failed', reason: 'NULL_PDU', at: Date.UTC(2026, 0, 1) });
    earlier.close();

    const journal = new FileJournal(path);
    onCleanup(async () => journal.close());
    const driver = testDriver();
    const device = radioPhone({ url: node.url, apiKey: phoneKey, driver, journal });
    const recovered: string[] = [];
    device.on('recovered', (id, entry) => recovered.push(`${id}:${entry.state}`));
    await device.start();
    const records = await Promise.all(
      [sent, delivered, inFlight, failed, fresh].map((m) =>
        node.store.getMessage(account.id, m.id),
      ),
    );
    await node.transport.notify(
      phone,
      records.map((r) => {
        if (!r) throw new Error('message not stored');
        return r;
      }),
    );
    const status = async (id: string) => {
      const m = await node.gateway.messages.get(account.id, id);
      return [m.status, m.failureReason];
    };
    await vi.waitFor(async () => {
      expect(await status(sent.id)).toEqual(['sent', null]);
      expect(await status(delivered.id)).toEqual(['delivered', null]);
      expect(await status(inFlight.id)).toEqual(['failed', INTERRUPTED]);
      expect(await status(failed.id)).toEqual(['failed', 'NULL_PDU']);
      expect(await status(fresh.id)).toEqual(['sent', null]);
    }, WAIT);
    expect(driver.sent.map((s) => s.id)).toEqual([fresh.id]);
    expect(recovered.sort()).toEqual(
      [
        `${sent.id}:sent`,
        `${delivered.id}:delivered`,
        `${inFlight.id}:sending`,
        `${failed.id}:failed`,
      ].sort(),
    );
    expect(journal.get(fresh.id)?.state).toBe('sent');
    expect(journal.get(inFlight.id)).toMatchObject({ state: 'failed', reason: INTERRUPTED });
  });
});

describe('radio fields of the heartbeat frame', () => {
  it('refuses radio fields out of range (error) and of the wrong type (4400)', async () => {
    const node = await gatewayNode();
    const { phoneKey } = await accountWithPhone(node);
    const socket = await rawSocket(node.url, { 'x-api-key': phoneKey });
    socket.send({ type: 'hello', id: 'h' });
    await vi.waitFor(
      () => expect(socket.frames.some((f) => f.type === 'welcome')).toBe(true),
      WAIT,
    );
    socket.send({
      type: 'heartbeat',
      id: 'b1',
      battery_level: 101,
      signal_dbm: 3,
      network_registration: 'lost',
      network_operator: 'x'.repeat(65),
    });
    await vi.waitFor(() => expect(socket.frames.some((f) => f.id === 'b1')).toBe(true), WAIT);
    expect(socket.frames.find((f) => f.id === 'b1')).toMatchObject({
      type: 'error',
      code: 'validation',
      fields: {
        battery_level: ['The battery_level field must be an integer from 0 to 100'],
        signal_dbm: ['The signal_dbm field must be an integer from -150 to 0'],
        network_registration: [
          'The network_registration field must be one of home, roaming, searching, denied, unregistered, unknown',
        ],
        network_operator: ['The network_operator field must be at most 64 characters'],
      },
    });
    socket.send({ type: 'heartbeat', id: 'b2', battery_level: 'full' });
    expect((await socket.closed).code).toBe(4400);
  });
});
