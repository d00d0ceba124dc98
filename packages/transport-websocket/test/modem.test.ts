import { EventEmitter } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WireMessage } from '@textport/core';
import { parse, type Submit } from 'node-pdu';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AtChannel, AtTimeoutError, type Urc } from '../src/client/drivers/modem/at.js';
import {
  createModemDriver,
  type ModemDriver,
  type ModemDriverOptions,
} from '../src/client/drivers/modem/index.js';
import { encodeDeliver } from '../src/client/drivers/modem/pdu.js';
import { DeliveryTracker } from '../src/client/drivers/modem/tracker.js';
import type { DeliveryReport, OutgoingSms } from '../src/client/index.js';
import {
  type EmulatorOptions,
  ModemEmulator,
  type RecordingSink,
  recordingSink,
} from './modem-emulator.js';

const SWEDEN = '+46708251358';
const SENDER = '+447700900123';
const NOW = Date.parse('2025-03-04T05:06:07Z');
const running: ModemDriver[] = [];

interface Rig {
  emu: ModemEmulator;
  sink: RecordingSink;
  driver: ModemDriver;
}

function rig(emulator: EmulatorOptions = {}, options: Partial<ModemDriverOptions> = {}): Rig {
  const emu = new ModemEmulator(emulator);
  const sink = recordingSink();
  const driver = createModemDriver({
    port: emu.path,
    openPort: () => emu.openPort(),
    commandTimeoutMs: 250,
    sendTimeoutMs: 250,
    registrationTimeoutMs: 100,
    registrationPollMs: 5,
    ringGapMs: 30,
    resetDelayMs: 5,
    inboundRetryMs: 30,
    random: () => 0,
    now: () => NOW,
    ...options,
  });
  running.push(driver);
  return { emu, sink, driver };
}

async function started(emulator: EmulatorOptions = {}, options: Partial<ModemDriverOptions> = {}) {
  const r = rig(emulator, options);
  await r.driver.start(r.sink);
  return r;
}

function sms(to: string, content: string, id = 'msg-1'): OutgoingSms {
  return {
    id,
    from: '+15550000000',
    to,
    content,
    sim: 'SIM1',
    attachments: null,
    message: {} as WireMessage,
  };
}

function reportSpy() {
  return { delivered: vi.fn(), failed: vi.fn() } satisfies DeliveryReport;
}

/** UCS-2 big-endian hex of `text`, as TS 23.038 §6.2.3 writes it. */
function ucs2(text: string): string {
  return Buffer.from(text, 'utf16le').swap16().toString('hex').toUpperCase();
}

const until = (check: () => void) => vi.waitFor(check, { timeout: 3_000, interval: 5 });

afterEach(async () => {
  await Promise.all(running.splice(0).map((driver) => driver.stop()));
});

describe('modem driver: start', () => {
  it('sets the modem up in order and reads what is stored', async () => {
    const { emu } = await started();
    const setup = emu.commands.filter((c) => c !== 'AT+CEREG?');
    expect(setup).toEqual([
      'AT',
      'ATE0',
      'AT+CMEE=1',
      'AT+CPIN?',
      'AT+CREG?',
      'AT+CMGF=0',
      'AT+CNMI=2,1,0,1,0',
      'AT+CLIP=1',
      'AT+CPMS?',
      'AT+CMGL=4',
    ]);
  });

  it('enters the PIN when the SIM asks for it', async () => {
    const { emu } = await started({ pin: '4321' }, { pin: '4321' });
    expect(emu.commands).toContain('AT+CPIN="4321"');
    expect(emu.commands).toContain('AT+CMGF=0');
  });

  it('fails clearly without a PIN, and sends none', async () => {
    const { driver, sink, emu } = rig({ pin: '4321' });
    await expect(driver.start(sink)).rejects.toThrow(/the SIM needs a PIN/);
    expect(emu.commands.some((c) => c.startsWith('AT+CPIN='))).toBe(false);
  });

  it('sends a wrong PIN once and never again (a SIM locks after three)', async () => {
    const { driver, sink, emu } = rig({ pin: '4321' }, { pin: '1111' });
    await expect(driver.start(sink)).rejects.toThrow(
      /refused the PIN .*incorrect password.*not retried/,
    );
    await expect(driver.start(sink)).rejects.toThrow(/refused the PIN/);
    expect(emu.commands.filter((c) => c.startsWith('AT+CPIN='))).toEqual(['AT+CPIN="1111"']);
  });

  it('waits for registration, and gives up after registrationTimeoutMs', async () => {
    const { emu } = await started({ searchingPolls: 3 });
    expect(emu.commands.filter((c) => c === 'AT+CREG?')).toHaveLength(4);
    const never = rig({ registration: 3 });
    await expect(never.driver.start(never.sink)).rejects.toThrow(/not registered .*denied/);
  });

  it('checks every option at once', () => {
    expect(() => createModemDriver({ port: '', baudRate: 3, pin: '12ab' })).toThrow(
      'modem driver: baudRate must be a whole number from 50 to 4000000, got 3; port is required: the serial device of the modem, e.g. /dev/ttyUSB0; pin must be 4 to 8 digits',
    );
  });

  it('opens a real port through serialport, with a clear error when it cannot', async () => {
    const path = join(tmpdir(), `textport-no-such-modem-${process.pid}`);
    const driver = createModemDriver({ port: path });
    await expect(driver.start(recordingSink())).rejects.toThrow(`cannot open ${path}`);
  });

  it('copes with the echo a modem has before ATE0', async () => {
    const { emu, driver } = await started({ echo: true });
    expect(emu.written.startsWith('\x1b\r')).toBe(true);
    expect(await driver.send(sms(SWEDEN, 'hi'), reportSpy())).toEqual({ ok: true });
  });
});

describe('modem driver: sending', () => {
  it('writes the known-good PDU for "hellohello" with a status report request', async () => {
    const { emu, driver } = await started();
    expect(await driver.send(sms(SWEDEN, 'hellohello'), reportSpy())).toEqual({ ok: true });
    const pdu = '0021000B916407281553F800000AE8329BFD4697D9EC37';
    expect(emu.written).toContain(`AT+CMGS=22\r${pdu}\x1a`);
    expect(emu.submitted.map((s) => [s.hex, s.length, s.to, s.text, s.statusReport])).toEqual([
      [pdu, 22, SWEDEN, 'hellohello', true],
    ]);
  });

  it('sends UCS-2 in 67-character parts with an advancing concatenation reference', async () => {
    const { emu, driver } = await started();
    const text = 'Привет мир '.repeat(8); // 88 characters: 67 + 21
    expect(await driver.send(sms(SWEDEN, text), reportSpy())).toEqual({ ok: true });
    // TS 23.040: SUBMIT|SRR|UDHI, MR 0, +46708251358, PID 0, DCS 08, UDL, UDH 05 00 03 ref total part.
    const head = '0061000B916407281553F80008';
    const expected = [
      `${head}8C050003000201${ucs2(text.slice(0, 67))}`,
      `${head}30050003000202${ucs2(text.slice(67))}`,
    ];
    expect(emu.submitted.map((s) => s.hex)).toEqual(expected);
    expect(emu.submitted.map((s) => s.length)).toEqual([153, 61]);
    expect(emu.written).toContain(`AT+CMGS=153\r${expected[0]}\x1a`);
    expect(emu.written).toContain(`AT+CMGS=61\r${expected[1]}\x1a`);
    // node-pdu reads the same texts back.
    expect(expected.map((hex) => (parse(hex) as Submit).data.getText()).join('')).toBe(text);

    await driver.send(sms(SWEDEN, text, 'msg-2'), reportSpy());
    expect(emu.submitted.slice(2).map((s) => s.concat)).toEqual([
      { reference: 1, total: 2, part: 1 },
      { reference: 1, total: 2, part: 2 },
    ]);
  });

  it('turns +CMS ERROR into a failure with a readable reason', async () => {
    const { emu, driver } = await started();
    emu.rejectNextSend(38);
    expect(await driver.send(sms(SWEDEN, 'a'), reportSpy())).toEqual({
      ok: false,
      reason: 'network out of order (+CMS ERROR: 38)',
    });
    emu.rejectNextSend(999);
    expect(await driver.send(sms(SWEDEN, 'b'), reportSpy())).toEqual({
      ok: false,
      reason: 'CMS ERROR 999',
    });
    expect(emu.submitted).toEqual([]);
    expect(await driver.send(sms(SWEDEN, 'c'), reportSpy())).toEqual({ ok: true });
  });

  it('fails a multipart message whose second part is refused, naming the part', async () => {
    const { emu, driver } = await started();
    emu.rejectNextSend(42, { after: 1 });
    expect(await driver.send(sms(SWEDEN, 'x'.repeat(200)), reportSpy())).toEqual({
      ok: false,
      reason: 'part 2 of 2: congestion (+CMS ERROR: 42) (the modem took parts 1–1)',
    });
  });

  it('refuses what it cannot send, without touching the modem', async () => {
    const { emu, driver } = await started();
    const before = emu.commands.length;
    expect(await driver.send(sms('+1 555 0100', 'x'), reportSpy())).toMatchObject({ ok: false });
    expect(await driver.send(sms(SWEDEN, ''), reportSpy())).toEqual({
      ok: false,
      reason: 'the message is empty',
    });
    const mms = { ...sms(SWEDEN, 'x'), attachments: ['https://example.com/a.png'] };
    expect(await driver.send(mms, reportSpy())).toMatchObject({ ok: false, reason: /MMS/ });
    expect(emu.commands.length).toBe(before);
  });

  it('sends one message at a time, in order', async () => {
    const { emu, driver } = await started();
    const results = await Promise.all(
      ['one', 'two', 'three'].map((text, i) =>
        driver.send(sms(SWEDEN, text, `m${i}`), reportSpy()),
      ),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(emu.submitted.map((s) => s.text)).toEqual(['one', 'two', 'three']);
  });
});

describe('modem driver: status reports', () => {
  it('reports DELIVERED once every part is delivered, nothing while pending', async () => {
    const { emu, driver } = await started({ firstReference: 7 });
    const report = reportSpy();
    await driver.send(sms(SWEDEN, 'y'.repeat(200)), report);
    expect(emu.submitted.map((s) => s.mr)).toEqual([7, 8]);
    emu.statusReport(7, 0x00, { dischargedAt: new Date('2025-01-02T03:04:10Z') });
    emu.statusReport(8, 0x20); // still trying
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(report.delivered).not.toHaveBeenCalled();
    emu.statusReport(8, 0x00, { dischargedAt: new Date('2025-01-02T03:04:20Z') });
    await until(() => expect(report.delivered).toHaveBeenCalledTimes(1));
    expect(report.delivered).toHaveBeenCalledWith(new Date('2025-01-02T03:04:20Z'));
    expect(report.failed).not.toHaveBeenCalled();
  });

  it('reports FAILED when the network gives up on a part', async () => {
    const { emu, driver } = await started();
    const report = reportSpy();
    await driver.send(sms(SWEDEN, 'z'), report);
    emu.statusReport(emu.submitted[0]!.mr, 0x46);
    await until(() => expect(report.failed).toHaveBeenCalledTimes(1));
    expect(report.failed.mock.calls[0]![0]).toMatch(/validity period expired/);
    emu.statusReport(emu.submitted[0]!.mr, 0x00);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(report.delivered).not.toHaveBeenCalled();
  });

  it('matches a report that writes the recipient nationally', async () => {
    const { emu, driver } = await started();
    const report = reportSpy();
    await driver.send(sms('+447700900123', 'hi'), report);
    emu.statusReport(emu.submitted[0]!.mr, 0, { recipient: '07700900123' });
    await until(() => expect(report.delivered).toHaveBeenCalledTimes(1));
  });
});

describe('modem driver: inbound SMS', () => {
  it('reports a +CMTI message and deletes it only after the sink resolved', async () => {
    const { emu, sink } = await started();
    let resolve!: () => void;
    sink.onReceived = () => new Promise<void>((r) => (resolve = r));
    const [index] = emu.deliverText(SENDER, 'hello there', {
      timestamp: new Date('2025-01-02T03:04:05Z'),
    });
    await until(() => expect(resolve).toBeTypeOf('function'));
    await new Promise((r) => setTimeout(r, 20));
    expect(emu.commands).toContain(`AT+CMGR=${index}`);
    expect(emu.deleted).toEqual([]);
    resolve();
    await until(() => expect(emu.deleted).toEqual([index]));
    expect(sink.messages).toEqual([
      {
        from: SENDER,
        content: 'hello there',
        timestamp: new Date('2025-01-02T03:04:05Z'),
        sim: 'SIM1',
      },
    ]);
    expect(emu.storage.size).toBe(0);
  });

  it('keeps a message the sink refused, and offers it again later', async () => {
    const { emu, sink } = await started();
    let refusals = 1;
    sink.onReceived = async () => {
      if (refusals-- > 0) throw new Error('gateway unreachable');
    };
    emu.deliverText(SENDER, 'try me');
    await until(() => expect(sink.refused).toHaveLength(1));
    expect(emu.deleted).toEqual([]);
    expect(sink.problems[0]!.context).toMatch(/kept in the modem/);
    // inboundRetryMs later the storage is listed again and the SMS offered again.
    await until(() => expect(sink.messages.map((m) => m.content)).toEqual(['try me']));
    await until(() => expect(emu.storage.size).toBe(0));
  });

  it('joins a multipart message from two +CMTI and deletes both parts', async () => {
    const { emu, sink } = await started();
    const text = 'Long message. '.repeat(15);
    const parts = encodeDeliver({ from: SENDER, text, timestamp: new Date(NOW), reference: 9 });
    expect(parts).toHaveLength(2);
    emu.deliverSms(parts[1]!);
    await new Promise((r) => setTimeout(r, 20));
    expect(sink.messages).toEqual([]);
    emu.deliverSms(parts[0]!);
    await until(() => expect(sink.messages.map((m) => m.content)).toEqual([text]));
    await until(() => expect(emu.deleted.sort()).toEqual([1, 2]));
  });

  it('never deletes a slot that was reused for another SMS meanwhile', async () => {
    const { emu, sink } = await started();
    const text = 'Two parts. '.repeat(16);
    const parts = encodeDeliver({ from: SENDER, text, timestamp: new Date(NOW), reference: 3 });
    emu.deliverSms(parts[0]!); // index 1, waits for part 2
    await until(() => expect(emu.commands).toContain('AT+CMGR=1'));
    emu.storage.delete(1); // another program empties the slot…
    emu.deliverText(SENDER, 'new one'); // …and the next SMS lands in it
    await until(() => expect(sink.messages.map((m) => m.content)).toEqual(['new one']));
    emu.deliverSms(parts[1]!); // index 1 again
    await until(() => expect(sink.messages.map((m) => m.content)).toEqual(['new one', text]));
    await until(() => expect(emu.storage.size).toBe(0));
    expect(emu.deleted).toEqual([1, 1]);
  });

  it('reports the messages stored while the driver was down', async () => {
    const r = rig();
    r.emu.store(
      encodeDeliver({ from: SENDER, text: 'while you were out', timestamp: new Date(NOW) })[0]!,
      1,
    );
    const outgoing = '0021000B916407281553F800000AE8329BFD4697D9EC37';
    r.emu.store(outgoing, 2); // a stored unsent SMS-SUBMIT: left alone
    await r.driver.start(r.sink);
    await until(() =>
      expect(r.sink.messages.map((m) => m.content)).toEqual(['while you were out']),
    );
    await until(() => expect(r.emu.deleted).toEqual([1]));
    expect([...r.emu.storage.values()].map((e) => e.pdu)).toEqual([outgoing]);
  });

  it('reports an undecodable PDU as a problem and deletes it', async () => {
    const { emu, sink } = await started();
    const [index] = emu.deliverSms('0004FF');
    await until(() => expect(emu.deleted).toEqual([index]));
    expect(sink.problems.map((p) => p.context)).toEqual([
      `decoding the SMS at SM index ${index}; deleted`,
    ]);
    expect(sink.messages).toEqual([]);
  });

  it('takes +CMT direct delivery', async () => {
    const { emu, sink } = await started();
    emu.deliverDirect(
      encodeDeliver({ from: SENDER, text: 'direct', timestamp: new Date(NOW) })[0]!,
    );
    await until(() => expect(sink.messages.map((m) => m.content)).toEqual(['direct']));
    expect(emu.commands).toContain('AT+CNMA');
  });
});

describe('modem driver: calls, status, URCs', () => {
  it('reports a missed call once when the ringing stops, and once more for a new call', async () => {
    const { emu, sink } = await started();
    emu.ring(SENDER, 3);
    await until(() => expect(sink.calls).toHaveLength(1));
    expect(sink.calls[0]).toEqual({ from: SENDER, timestamp: new Date(NOW), sim: 'SIM1' });
    emu.ring('+15550100', 1, { hangUp: true });
    await until(() => expect(sink.calls.map((c) => c.from)).toEqual([SENDER, '+15550100']));
    emu.ring(null, 2); // withheld: not reported
    await new Promise((r) => setTimeout(r, 60));
    expect(sink.calls).toHaveLength(2);
  });

  it('reads signal, registration, operator and battery', async () => {
    const { driver, emu } = await started({ signal: 20, battery: { level: 80, charging: true } });
    expect(await driver.status()).toEqual({
      signalDbm: -73,
      registration: 'home',
      operator: 'Emulated Net',
      batteryLevel: 80,
      charging: true,
    });
    emu.signal = 99;
    emu.registration = 5;
    emu.operator = null;
    emu.battery = null;
    expect(await driver.status()).toEqual({ registration: 'roaming' });
    // A modem without a battery is not asked again.
    await driver.status();
    expect(emu.commands.filter((c) => c === 'AT+CBC')).toHaveLength(2);
  });

  it('dispatches URCs that arrive inside command answers', async () => {
    const { driver, emu, sink } = await started();
    const report = reportSpy();
    await driver.send(sms(SWEDEN, 'hi'), report);
    const index = emu.store(
      encodeDeliver({ from: SENDER, text: 'between', timestamp: new Date(NOW) })[0]!,
    );
    emu.interleave(/^AT\+CSQ$/, [`+CMTI: "SM",${index}`, 'RING', `+CLIP: "${SENDER}",145`]);
    emu.interleave(/^AT\+CREG\?$/, emu.statusReportLines(emu.submitted[0]!.mr, 0));
    expect(await driver.status()).toMatchObject({ signalDbm: -73, registration: 'home' });
    await until(() => expect(sink.messages.map((m) => m.content)).toEqual(['between']));
    await until(() => expect(report.delivered).toHaveBeenCalledTimes(1));
    await until(() => expect(sink.calls.map((c) => c.from)).toEqual([SENDER]));
    // A report between +CMGS and OK.
    const second = reportSpy();
    emu.interleave(/^AT\+CMGS=/, emu.statusReportLines(0, 0, { recipient: SWEDEN }));
    expect(await driver.send(sms(SWEDEN, 'again', 'msg-2'), second)).toEqual({ ok: true });
    expect(sink.problems).toEqual([]);
  });

  it('drops an overlong line and carries on', async () => {
    const { driver, emu, sink } = await started();
    emu.urc('A'.repeat(10_000));
    await until(() =>
      expect(sink.problems.map((p) => p.error.message)).toEqual([
        expect.stringMatching(/longer than 4096/),
      ]),
    );
    expect(await driver.send(sms(SWEDEN, 'still here'), reportSpy())).toEqual({ ok: true });
  });
});

describe('DeliveryTracker', () => {
  const status = (mr: number, outcome: 'delivered' | 'failed' = 'delivered') => ({
    type: 'status-report' as const,
    smsc: null,
    messageReference: mr,
    recipient: SWEDEN,
    submittedAt: new Date(NOW),
    dischargedAt: new Date(NOW),
    status: outcome === 'delivered' ? 0 : 0x41,
    outcome,
  });

  it('forgets the oldest parts beyond its capacity and parts older than maxAgeMs', () => {
    let now = NOW;
    const tracker = new DeliveryTracker({ capacity: 2, maxAgeMs: 1_000, now: () => now });
    const reports = [reportSpy(), reportSpy(), reportSpy()];
    for (const [mr, report] of reports.entries()) tracker.track(SWEDEN, [mr], report);
    expect(tracker.size).toBe(2);
    expect(tracker.settle(status(0))).toBe('unknown');
    expect(tracker.settle(status(1, 'failed'))).toBe('failed');
    expect(reports[1]!.failed).toHaveBeenCalledWith(
      expect.stringMatching(/incompatible destination/),
      new Date(NOW),
    );
    now += 1_001;
    expect(tracker.settle(status(2))).toBe('unknown');
    expect(tracker.size).toBe(0);
    expect(reports[2]!.delivered).not.toHaveBeenCalled();
  });
});

/** A port the test writes the modem's side of by hand. */
class HandPort extends EventEmitter {
  isOpen = true;
  readonly written: string[] = [];
  write(data: Buffer | string, callback?: (error: Error | null | undefined) => void): boolean {
    this.written.push(String(data));
    callback?.(null);
    return true;
  }
  close(callback?: (error: Error | null) => void): void {
    this.isOpen = false;
    callback?.(null);
  }
  feed(text: string): void {
    this.emit('data', Buffer.from(text, 'latin1'));
  }
}

describe('AtChannel', () => {
  function channel() {
    const port = new HandPort();
    const urcs: Urc[] = [];
    const at = new AtChannel(port, { onUrc: (urc) => urcs.push(urc), onProblem: () => {} });
    return { port, urcs, at };
  }

  it('takes a prompt without a line ending, split across reads, and URCs around it', async () => {
    const { port, urcs, at } = channel();
    const mr = at.submit(22, 'ABCD', { promptTimeoutMs: 1_000, answerTimeoutMs: 1_000 });
    expect(port.written).toEqual(['AT+CMGS=22\r']);
    port.feed('\r\n+CMTI: "SM",');
    port.feed('4\r\n\r');
    expect(port.written).toEqual(['AT+CMGS=22\r']);
    port.feed('\n> ');
    expect(port.written).toEqual(['AT+CMGS=22\r', 'ABCD\x1a']);
    port.feed('\r\n+CDS: 6\r\n0006AB\r\n+CMGS: 17\r\n\r\nRING\r\nOK\r\n');
    expect(await mr).toBe(17);
    expect(urcs).toEqual([
      { line: '+CMTI: "SM",4' },
      { line: '+CDS: 6', pdu: '0006AB' },
      { line: 'RING' },
    ]);
  });

  it('keeps an answer line that looks like a URC when the command expects it', async () => {
    const { port, urcs, at } = channel();
    const answer = at.command('AT+CREG?', { timeoutMs: 1_000, expect: '+CREG:' });
    port.feed('AT+CREG?\r\r\n+CREG: 0,1\r\n\r\nOK\r\n');
    expect(await answer).toEqual(['+CREG: 0,1']);
    port.feed('\r\n+CREG: 5\r\n');
    expect(urcs).toEqual([{ line: '+CREG: 5' }]);
  });

  it('runs one command at a time and names a timed-out one without its PIN', async () => {
    const { at } = channel();
    const pin = at.command('AT+CPIN="1234"', { timeoutMs: 10 });
    await expect(at.command('AT', { timeoutMs: 10 })).rejects.toThrow(/one at a time/);
    const error = await pin.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AtTimeoutError);
    expect((error as Error).message).toBe('AT+CPIN="…" was not answered within 10 ms');
  });
});
