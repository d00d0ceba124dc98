/**
 * The Termux driver against stand-in `termux-*` commands (test/fake-termux) put
 * first on PATH through the driver's `env`; each test gets its own directory of
 * command data and its own state file.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { InboundCall, InboundSms, RadioSink } from '../src/client/drivers/driver.js';
import {
  createTermuxDriver,
  type TermuxDriver,
  type TermuxDriverOptions,
} from '../src/client/drivers/termux.js';
import type { DeliveryReport, OutgoingSms } from '../src/client/phone-types.js';

const FAKES = fileURLToPath(new URL('./fake-termux/', import.meta.url));
const COMMANDS = ['termux-sms-send', 'termux-sms-list', 'termux-call-log', 'termux-battery-status'];

let dir: string;
let drivers: TermuxDriver[];

beforeAll(() => {
  for (const command of COMMANDS) chmodSync(join(FAKES, command), 0o755);
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'textport-termux-'));
  drivers = [];
});

afterEach(async () => {
  await Promise.all(drivers.map((driver) => driver.stop()));
  rmSync(dir, { recursive: true, force: true });
});

function driver(options: Partial<TermuxDriverOptions> = {}): TermuxDriver {
  const created = createTermuxDriver({
    stateFile: join(dir, 'state', 'termux.json'),
    env: { ...process.env, PATH: `${FAKES}${delimiter}${process.env.PATH}`, FAKE_TERMUX_DIR: dir },
    // Polls run when a test asks (pollNow), not on a timer.
    pollIntervalMs: 3_600_000,
    commandTimeoutMs: 10_000,
    ...options,
  });
  drivers.push(created);
  return created;
}

function write(file: string, value: unknown): void {
  writeFileSync(join(dir, file), JSON.stringify(value));
}

/** Makes `command` answer this way (for `times` calls, or until removed). */
function override(
  command: string,
  answer: {
    stdout?: string;
    stderr?: string;
    exit?: number;
    hang?: boolean;
    delayMs?: number;
    times?: number;
  },
): void {
  write(`${command}.json`, answer);
}

interface Invocation {
  name: string;
  args?: string[];
  input?: string;
  done?: boolean;
}

function invocations(name?: string): Invocation[] {
  const file = join(dir, 'invocations.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Invocation)
    .filter((entry) => name === undefined || entry.name === name);
}

const at = (minute: number, second = 0) =>
  `2024-05-01 12:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}`;
const epoch = (minute: number, second = 0) => new Date(2024, 4, 1, 12, minute, second).getTime();

interface FakeSms {
  _id?: number;
  number: string;
  body: string;
  received: string;
}

function sms(id: number, minute: number, body = `message ${id}`, from = '+15550100'): FakeSms {
  return { _id: id, number: from, body, received: at(minute) };
}

/** The inbox, newest first as Android keeps it. */
function inbox(...messages: FakeSms[]): void {
  write(
    'inbox.json',
    [...messages].sort((a, b) => (a.received < b.received ? 1 : -1)),
  );
}

function callLog(...calls: { phone_number: string; type: string; date: string }[]): void {
  write(
    'call-log.json',
    [...calls]
      .sort((a, b) => (a.date < b.date ? 1 : -1))
      .map((call) => ({ name: 'UNKNOWN_CALLER', duration: '00:00', sim_id: '1', ...call })),
  );
}

class RecordingSink implements RadioSink {
  readonly sms: InboundSms[] = [];
  readonly calls: InboundCall[] = [];
  readonly problems: { message: string; context: string }[] = [];
  /** Answers each report; a thrown error is the gateway refusing it. */
  refuse: (sms: InboundSms) => Error | undefined = () => undefined;

  async received(sms: InboundSms): Promise<void> {
    const error = this.refuse(sms);
    if (error) throw error;
    this.sms.push(sms);
  }

  async missedCall(call: InboundCall): Promise<void> {
    this.calls.push(call);
  }

  problem(error: Error, context: string): void {
    this.problems.push({ message: error.message, context });
  }

  bodies(): string[] {
    return this.sms.map((entry) => entry.content);
  }
}

async function started(radio: TermuxDriver, sink = new RecordingSink()): Promise<RecordingSink> {
  await radio.start(sink);
  await radio.pollNow();
  return sink;
}

function outgoing(content: string, to = '+15550199'): OutgoingSms {
  return {
    id: `msg-${Math.random()}`,
    from: '+15550000',
    to,
    content,
    sim: 'SIM1',
    attachments: null,
    message: {} as OutgoingSms['message'],
  };
}

function reportSpy(): DeliveryReport & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    delivered: () => void calls.push('delivered'),
    failed: (reason) => void calls.push(`failed: ${reason}`),
  };
}

describe('send', () => {
  const awkward = `-20% "quoted" 'single' $(whoami) \`id\` C:\\new\\cat \\c\nsecond line 😀 ü`;

  it('passes the number and SIM slot as arguments and the text on stdin, untouched, without a shell', async () => {
    const report = reportSpy();
    const result = await driver({ sim: 'SIM2' }).send(outgoing(awkward), report);
    expect(result).toEqual({ ok: true });
    const [call, ...rest] = invocations('termux-sms-send').filter((entry) => !entry.done);
    expect(rest).toEqual([]);
    expect(call?.args).toEqual(['-n', '+15550199', '-s', '1']);
    expect(call?.input).toBe(awkward);
    expect(report.calls).toEqual([]);
  });

  it('sends from slot 0 for SIM1 and leaves -s out for the default SIM', async () => {
    await driver({ sim: 'SIM1' }).send(outgoing('one'), reportSpy());
    await driver().send(outgoing('two'), reportSpy());
    const calls = invocations('termux-sms-send').filter((entry) => !entry.done);
    expect(calls.map((entry) => entry.args)).toEqual([
      ['-n', '+15550199', '-s', '0'],
      ['-n', '+15550199'],
    ]);
  });

  it('fails with the tool message when it exits with an error status', async () => {
    override('termux-sms-send', {
      stdout: 'termux-sms-send: no recipient number given\n',
      exit: 1,
    });
    const result = await driver().send(outgoing('hello'), reportSpy());
    expect(result).toEqual({
      ok: false,
      reason: 'termux-sms-send exited with status 1: termux-sms-send: no recipient number given',
    });
  });

  it('fails when the app prints an error with exit status 0 (a missing permission)', async () => {
    const error =
      'Please grant the following permission to use this command: android.permission.SEND_SMS';
    override('termux-sms-send', { stdout: `{\n  "error": "${error}"\n}\n` });
    expect(await driver().send(outgoing('hello'), reportSpy())).toEqual({
      ok: false,
      reason: `termux-sms-send: ${error}`,
    });
  });

  it('fails when anything is printed on stderr, with the message cut to a bounded length', async () => {
    override('termux-sms-send', { stderr: `  ${'x'.repeat(5_000)}  ` });
    const result = await driver().send(outgoing('hello'), reportSpy());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason.startsWith('termux-sms-send: xxx')).toBe(true);
    expect(result.reason.length).toBeLessThan(400);
  });

  it('fails a command that hangs once its timeout passes, and the next send still works', async () => {
    override('termux-sms-send', { hang: true, times: 1 });
    const radio = driver({ commandTimeoutMs: 300 });
    const result = await radio.send(outgoing('hello'), reportSpy());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/termux-sms-send did not finish within 300 ms/);
    expect(await radio.send(outgoing('again'), reportSpy())).toEqual({ ok: true });
  });

  it('fails when termux-sms-send is not installed', async () => {
    const radio = createTermuxDriver({ stateFile: join(dir, 's.json'), env: { PATH: dir } });
    const result = await radio.send(outgoing('hello'), reportSpy());
    expect(result).toEqual({
      ok: false,
      reason: 'termux-sms-send not found: install the termux-api package (pkg install termux-api)',
    });
  });

  it('refuses a recipient that is not one number, and an empty text, without running the tool', async () => {
    const radio = driver();
    for (const to of ['+15550101,+15550102', '+1 555 0101', '']) {
      const result = await radio.send(outgoing('hello', to), reportSpy());
      expect(result.ok).toBe(false);
    }
    expect((await radio.send(outgoing(' \n '), reportSpy())).ok).toBe(false);
    expect(invocations('termux-sms-send')).toEqual([]);
  });

  it('sends one message at a time', async () => {
    override('termux-sms-send', { delayMs: 150 });
    const radio = driver();
    const results = await Promise.all(
      ['a', 'b', 'c'].map((content) => radio.send(outgoing(content), reportSpy())),
    );
    expect(results).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    const order = invocations('termux-sms-send').map((entry) =>
      entry.done ? 'done' : entry.input,
    );
    expect(order).toEqual(['a', 'done', 'b', 'done', 'c', 'done']);
  });
});

describe('inbound SMS', () => {
  it('takes what is already in the inbox as seen on the first run, then reports new SMS oldest first', async () => {
    inbox(sms(1, 0, 'old one'), sms(2, 1, 'old two'));
    const radio = driver();
    const sink = await started(radio);
    expect(sink.sms).toEqual([]);

    inbox(
      sms(1, 0),
      sms(2, 1),
      sms(3, 2, 'first new', '+15550111'),
      sms(4, 3, 'second new'),
      sms(5, 3, 'third new'),
    );
    await radio.pollNow();
    expect(sink.sms).toEqual([
      { from: '+15550111', content: 'first new', timestamp: epoch(2) },
      { from: '+15550100', content: 'second new', timestamp: epoch(3) },
      { from: '+15550100', content: 'third new', timestamp: epoch(3) },
    ]);
    await radio.pollNow();
    expect(sink.sms).toHaveLength(3);
    expect(sink.problems).toEqual([]);
  });

  it('reports the inbox already there on the first run with backfill', async () => {
    inbox(sms(1, 0, 'old one'), sms(2, 1, 'old two'));
    const sink = await started(driver({ backfill: true }));
    expect(sink.bodies()).toEqual(['old one', 'old two']);
  });

  it('pages through with -o when more than one page is new', async () => {
    const radio = driver({ pageSize: 2 });
    inbox(sms(1, 0));
    const sink = await started(radio);
    inbox(...[1, 2, 3, 4, 5, 6].map((id) => sms(id, id)));
    await radio.pollNow();
    expect(sink.bodies()).toEqual([
      'message 2',
      'message 3',
      'message 4',
      'message 5',
      'message 6',
    ]);
    const lastPoll = invocations('termux-sms-list').slice(-3);
    expect(lastPoll.map((entry) => entry.args)).toEqual([
      ['-t', 'inbox', '-l', '2', '-o', '0'],
      ['-t', 'inbox', '-l', '2', '-o', '2'],
      ['-t', 'inbox', '-l', '2', '-o', '4'],
    ]);
  });

  it('neither repeats nor loses a message across a restart on the same state file', async () => {
    inbox(sms(1, 0));
    const first = driver();
    const sink = await started(first);
    inbox(sms(1, 0), sms(2, 1), sms(3, 2));
    await first.pollNow();
    await first.stop();
    expect(sink.bodies()).toEqual(['message 2', 'message 3']);

    // Arrived while nothing was running.
    inbox(sms(1, 0), sms(2, 1), sms(3, 2), sms(4, 3));
    const second = driver();
    const after = await started(second);
    expect(after.bodies()).toEqual(['message 4']);
    await second.pollNow();
    expect(after.bodies()).toEqual(['message 4']);
    const files = readdirSync(join(dir, 'state'));
    expect(files).toEqual(['termux.json']);
  });

  it('retries a message the gateway refused on the next poll, keeping the order', async () => {
    inbox();
    const radio = driver();
    const sink = await started(radio);
    let refusals = 1;
    sink.refuse = (entry) =>
      entry.content === 'message 2' && refusals-- > 0
        ? new Error('gateway unavailable')
        : undefined;
    inbox(sms(1, 0), sms(2, 1), sms(3, 2));
    await radio.pollNow();
    expect(sink.bodies()).toEqual(['message 1']);
    expect(sink.problems).toEqual([
      {
        message: 'gateway unavailable',
        context: 'SMS from +15550100 not taken (attempt 1); retried next poll',
      },
    ]);
    await radio.pollNow();
    expect(sink.bodies()).toEqual(['message 1', 'message 2', 'message 3']);
  });

  it('gives up a message refused on every poll after maxReportAttempts and goes on', async () => {
    inbox();
    const lines: string[] = [];
    const radio = driver({ maxReportAttempts: 3, log: (line) => lines.push(line) });
    const sink = await started(radio);
    sink.refuse = (entry) => (entry.content === 'bad' ? new Error('refused') : undefined);
    inbox(sms(1, 0, 'bad'), sms(2, 1, 'good'));
    for (let poll = 0; poll < 4; poll++) await radio.pollNow();
    expect(sink.bodies()).toEqual(['good']);
    expect(sink.problems.map((problem) => problem.context)).toEqual([
      'SMS from +15550100 not taken (attempt 1); retried next poll',
      'SMS from +15550100 not taken (attempt 2); retried next poll',
      'SMS from +15550100 not taken after 3 attempts; given up',
    ]);
    expect(
      lines.some((line) => line.startsWith('gave up SMS from +15550100 after 3 attempts')),
    ).toBe(true);
  });

  it('reports a refused message after a restart: it is remembered only once taken', async () => {
    inbox();
    const first = driver();
    const sink = await started(first);
    sink.refuse = () => new Error('gateway unavailable');
    inbox(sms(1, 0));
    await first.pollNow();
    await first.stop();
    expect(sink.sms).toEqual([]);
    const after = await started(driver());
    expect(after.bodies()).toEqual(['message 1']);
  });

  it('ignores what is older than the high-water mark less an hour, and bounds what it remembers', async () => {
    const stateFile = join(dir, 'state', 'termux.json');
    const seen = Array.from({ length: 1_000 }, (_, i) => `id:old-${i}`);
    mkdirSync(join(dir, 'state'));
    writeFileSync(stateFile, JSON.stringify({ version: 1, sms: { mark: epoch(59), seen } }));
    const early = { ...sms(7, 0), received: '2024-05-01 11:58:00' };
    const late = { ...sms(8, 0), received: '2024-05-01 12:10:00' };
    inbox(early, late);
    const sink = await started(driver());
    expect(sink.bodies()).toEqual(['message 8']);
    const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as { sms: { seen: string[] } };
    expect(saved.sms.seen).toHaveLength(1_000);
    expect(saved.sms.seen.at(-1)).toBe('id:8');
    expect(saved.sms.seen).not.toContain('id:old-0');
  });

  it('knows messages without _id (older Termux:API) by their content, and after an upgrade too', async () => {
    const old = (id: number, minute: number): FakeSms => {
      const { _id, ...rest } = sms(id, minute);
      return rest;
    };
    inbox();
    const radio = driver();
    const sink = await started(radio);
    inbox(old(1, 0), old(2, 1));
    await radio.pollNow();
    await radio.pollNow();
    expect(sink.bodies()).toEqual(['message 1', 'message 2']);
    inbox(sms(1, 0), sms(2, 1), sms(3, 2));
    await radio.pollNow();
    expect(sink.bodies()).toEqual(['message 1', 'message 2', 'message 3']);
  });

  it('reports unparseable output and a hanging command as problems, and carries on', async () => {
    inbox();
    const radio = driver({ commandTimeoutMs: 300 });
    const sink = await started(radio);
    inbox(sms(1, 0));
    override('termux-sms-list', { stdout: '[{"_id": 1, "number": ', times: 1 });
    await radio.pollNow();
    override('termux-sms-list', { hang: true, times: 1 });
    await radio.pollNow();
    override('termux-sms-list', {
      stdout:
        '{"error": "Please grant the following permission to use this command: android.permission.READ_SMS"}',
      times: 1,
    });
    await radio.pollNow();
    expect(sink.sms).toEqual([]);
    expect(sink.problems).toEqual([
      {
        message: 'termux-sms-list printed something that is not JSON: [{"_id": 1, "number":',
        context: 'termux-sms-list',
      },
      {
        message: expect.stringMatching(/^termux-sms-list did not finish within 300 ms/),
        context: 'termux-sms-list',
      },
      {
        message:
          'termux-sms-list: Please grant the following permission to use this command: android.permission.READ_SMS',
        context: 'termux-sms-list',
      },
    ]);
    await radio.pollNow();
    expect(sink.bodies()).toEqual(['message 1']);
  });

  it('refuses to start on a damaged state file, saying how to recover', async () => {
    const stateFile = join(dir, 'damaged.json');
    writeFileSync(stateFile, '{"version": 1, "sms": {"seen": ');
    await expect(driver({ stateFile }).start(new RecordingSink())).rejects.toThrow(
      /state file .*damaged\.json is damaged .*move it away/,
    );
  });
});

describe('missed calls', () => {
  it('reports only MISSED calls, only the new ones', async () => {
    callLog(
      { phone_number: '+15550201', type: 'MISSED', date: at(0) },
      { phone_number: '+15550202', type: 'INCOMING', date: at(1) },
    );
    const radio = driver();
    const sink = await started(radio);
    expect(sink.calls).toEqual([]);

    callLog(
      { phone_number: '+15550201', type: 'MISSED', date: at(0) },
      { phone_number: '+15550202', type: 'INCOMING', date: at(1) },
      { phone_number: '+15550203', type: 'OUTGOING', date: at(2) },
      { phone_number: '+15550204', type: 'MISSED', date: at(3) },
      { phone_number: '+15550205', type: 'REJECTED', date: at(4) },
      { phone_number: '+15550206', type: 'MISSED', date: at(5) },
    );
    await radio.pollNow();
    await radio.pollNow();
    expect(sink.calls).toEqual([
      { from: '+15550204', timestamp: epoch(3) },
      { from: '+15550206', timestamp: epoch(5) },
    ]);
    expect(invocations('termux-call-log').at(-1)?.args).toEqual(['-l', '50', '-o', '0']);
  });

  it('is not read at all with missedCalls: false', async () => {
    await started(driver({ missedCalls: false }));
    expect(invocations('termux-call-log')).toEqual([]);
  });
});

describe('status', () => {
  it('reads battery level and charging from termux-battery-status', async () => {
    const radio = driver();
    const cases = [
      [
        { percentage: 77, plugged: 'PLUGGED_USB', status: 'CHARGING' },
        { batteryLevel: 77, charging: true },
      ],
      [
        { percentage: 100, plugged: 'PLUGGED_AC', status: 'FULL' },
        { batteryLevel: 100, charging: true },
      ],
      [
        { percentage: 41, plugged: 'UNPLUGGED', status: 'DISCHARGING' },
        { batteryLevel: 41, charging: false },
      ],
      [
        { level: 30, scale: 200, status: 'NOT_CHARGING' },
        { batteryLevel: 15, charging: false },
      ],
      [{ health: 'GOOD' }, {}],
    ] as const;
    for (const [battery, expected] of cases) {
      write('battery.json', battery);
      expect(await radio.status()).toEqual(expected);
    }
  });

  it('leaves the fields out when the command fails, and reports it once started', async () => {
    const radio = driver();
    override('termux-battery-status', { stdout: 'not json' });
    expect(await radio.status()).toEqual({});
    const sink = await started(radio);
    override('termux-battery-status', { stderr: 'boom', exit: 3 });
    expect(await radio.status()).toEqual({});
    expect(sink.problems).toEqual([
      {
        message: 'termux-battery-status exited with status 3: boom',
        context: 'termux-battery-status',
      },
    ]);
  });
});

describe('lifecycle', () => {
  it('polls on its interval until stopped, and stop waits for the poll in progress', async () => {
    inbox();
    const radio = driver({ pollIntervalMs: 5 });
    const sink = new RecordingSink();
    await radio.start(sink);
    while (invocations('termux-sms-list').length < 3) await new Promise((r) => setTimeout(r, 10));
    override('termux-sms-list', { delayMs: 100 });
    const polling = radio.pollNow();
    await radio.stop();
    const count = invocations('termux-sms-list').length;
    await polling;
    await new Promise((r) => setTimeout(r, 50));
    expect(invocations('termux-sms-list').length).toBe(count);
    expect(sink.problems).toEqual([]);
  });

  it('rejects pollNow before start', async () => {
    await expect(driver().pollNow()).rejects.toThrow('not started');
  });

  it('checks its options at construction', () => {
    expect(() => createTermuxDriver({ stateFile: '' })).toThrow(/stateFile is required/);
    expect(() => createTermuxDriver({ stateFile: 'x', pollIntervalMs: 0 })).toThrow(
      /pollIntervalMs/,
    );
    expect(() => createTermuxDriver({ stateFile: 'x', sim: 'SIM3' as 'SIM1' })).toThrow(
      /SIM1 or SIM2/,
    );
  });
});
