import type { WireMessage } from '@textport/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AMBIGUOUS_SEND,
  createModemDriver,
  type ModemDriver,
  type ModemDriverOptions,
} from '../src/client/drivers/modem/index.js';
import { decodePdu, encodeDeliver } from '../src/client/drivers/modem/pdu.js';
import type { OutgoingSms } from '../src/client/index.js';
import { ModemEmulator, type RecordingSink, recordingSink } from './modem-emulator.js';

const SWEDEN = '+46708251358';
const running: ModemDriver[] = [];

async function started(options: Partial<ModemDriverOptions> = {}) {
  const emu = new ModemEmulator();
  const sink: RecordingSink = recordingSink();
  const driver = createModemDriver({
    port: emu.path,
    openPort: () => emu.openPort(),
    commandTimeoutMs: 60,
    sendTimeoutMs: 60,
    registrationTimeoutMs: 100,
    registrationPollMs: 5,
    resetDelayMs: 5,
    random: () => 0,
    ...options,
  });
  running.push(driver);
  await driver.start(sink);
  return { emu, sink, driver };
}

function sms(content: string): OutgoingSms {
  return {
    id: content,
    from: '+15550000000',
    to: SWEDEN,
    content,
    sim: 'SIM1',
    attachments: null,
    message: {} as WireMessage,
  };
}

const report = () => ({ delivered: vi.fn(), failed: vi.fn() });
const until = (check: () => void) => vi.waitFor(check, { timeout: 4_000, interval: 5 });
const count = (emu: ModemEmulator, command: string) =>
  emu.commands.filter((c) => c === command).length;

afterEach(async () => {
  await Promise.all(running.splice(0).map((driver) => driver.stop()));
});

describe('modem driver: a modem that stops answering', () => {
  it('retries a message whose prompt never came, and sends the one queued behind it', async () => {
    const { emu, driver, sink } = await started();
    emu.silenceOn('prompt');
    const first = driver.send(sms('first'), report());
    const second = driver.send(sms('second'), report());
    // The driver resets the modem: it reopens the port and asks AT again.
    await until(() => expect(count(emu, 'AT')).toBeGreaterThanOrEqual(2));
    expect(emu.opens).toBeGreaterThanOrEqual(2);
    emu.silent(false);
    expect(await first).toEqual({ ok: true });
    expect(await second).toEqual({ ok: true });
    expect(emu.submitted.map((s) => s.text)).toEqual(['first', 'second']);
    // Set up again in full after the reset.
    expect(count(emu, 'AT+CMGF=0')).toBeGreaterThanOrEqual(2);
    expect(sink.problems.map((p) => p.context)).toContain(
      'the modem stopped answering; resetting it',
    );
  });

  it('fails, without retrying, a message whose PDU was written but never acknowledged', async () => {
    const { emu, driver } = await started();
    emu.silenceOn('pdu');
    const first = driver.send(sms('first'), report());
    const second = driver.send(sms('second'), report());
    expect(await first).toEqual({ ok: false, reason: AMBIGUOUS_SEND });
    emu.silent(false);
    expect(await second).toEqual({ ok: true });
    expect(emu.swallowed.map((hex) => decodePdu(hex))).toMatchObject([{ text: 'first' }]);
    expect(emu.submitted.map((s) => s.text)).toEqual(['second']);
    expect(emu.commands.filter((c) => c.startsWith('AT+CMGS='))).toHaveLength(2);
  });

  it('treats a port that closes while waiting for +CMGS like silence: not retried', async () => {
    const { emu, driver } = await started({ sendTimeoutMs: 5_000 });
    emu.silenceOn('pdu');
    const first = driver.send(sms('first'), report());
    await until(() => expect(emu.swallowed).toHaveLength(1));
    emu.silent(false);
    emu.disconnect();
    expect(await first).toEqual({ ok: false, reason: AMBIGUOUS_SEND });
    expect(await driver.send(sms('second'), report())).toEqual({ ok: true });
    expect(emu.submitted.map((s) => s.text)).toEqual(['second']);
  });

  it('fails queued messages after maxResetAttempts, then recovers in the background', async () => {
    const { emu, driver } = await started({ maxResetAttempts: 2 });
    emu.silenceOn('prompt');
    const first = driver.send(sms('first'), report());
    const second = driver.send(sms('second'), report());
    expect(await first).toMatchObject({ ok: false, reason: /^the modem is not answering: / });
    expect(await second).toMatchObject({ ok: false, reason: /does not answer AT/ });
    expect(emu.submitted).toEqual([]);
    const opens = emu.opens;
    emu.silent(false);
    // Nothing is sent, yet the driver resets the modem by itself.
    await until(() => expect(emu.opens).toBeGreaterThan(opens));
    expect(await driver.send(sms('third'), report())).toEqual({ ok: true });
    expect(await driver.status()).toMatchObject({ registration: 'home' });
  });

  it('reopens an unplugged port and reads what arrived meanwhile', async () => {
    const { emu, sink } = await started();
    emu.disconnect();
    const pdu = encodeDeliver({ from: '+447700900123', text: 'meanwhile', timestamp: new Date() });
    emu.store(pdu[0]!);
    await until(() => expect(sink.messages.map((m) => m.content)).toEqual(['meanwhile']));
    expect(emu.opens).toBe(2);
    await until(() => expect(emu.storage.size).toBe(0));
  });

  it('answers status() with nothing while the modem is being reset', async () => {
    const { emu, driver } = await started();
    emu.silent(true);
    expect(await driver.status()).toEqual({});
    expect(await driver.status()).toEqual({});
    emu.silent(false);
    await until(async () => expect(await driver.status()).toMatchObject({ signalDbm: -73 }));
  });
});

describe('modem driver: stop', () => {
  it('finishes the send in progress, then closes the port', async () => {
    const { emu, driver } = await started();
    const sending = driver.send(sms('last one'), report());
    const stopping = driver.stop();
    expect(await sending).toEqual({ ok: true });
    await stopping;
    expect(emu.isOpen).toBe(false);
    expect(emu.submitted.map((s) => s.text)).toEqual(['last one']);
    expect(await driver.send(sms('too late'), report())).toMatchObject({
      ok: false,
      reason: /stopped/,
    });
  });
});
