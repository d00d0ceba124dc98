/**
 * `textport-phone` (runPhoneCli, in-process): argument checks, and the Termux radio
 * end to end: a send over HTTP reaches `termux-sms-send` (a stand-in on PATH), an
 * SMS in the phone's inbox reaches the gateway, the battery rides on heartbeats.
 */

import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WAIT } from '@textport/core/testing';
import { describe, expect, it, vi } from 'vitest';
import type { TermuxDriver } from '../src/client/index.js';
import type { PhoneCliIo } from '../src/phone-cli.js';
import { PHONE_CLI_HELP, runPhoneCli, UsageError } from '../src/phone-cli.js';
import { accountWithPhone, CONTACT, gatewayNode, onCleanup } from './helpers.js';

const FAKES = fileURLToPath(new URL('./fake-termux/', import.meta.url));

function io(env: NodeJS.ProcessEnv = {}): PhoneCliIo & { lines: string[] } {
  const lines: string[] = [];
  return { env, lines, out: (l) => lines.push(l), err: (l) => lines.push(l) };
}

describe('textport-phone arguments', () => {
  it('prints its help', async () => {
    const run = io();
    expect(await runPhoneCli(['--help'], run)).toBeNull();
    expect(run.lines).toEqual([PHONE_CLI_HELP]);
  });

  it.each([
    [[], {}, 'an API key is required (--api-key or TEXTPORT_API_KEY)'],
    [
      ['--driver', 'pager'],
      { TEXTPORT_API_KEY: 'pk_x' },
      '--driver must be one of virtual, termux, modem, got "pager"',
    ],
    [
      ['--driver', 'modem', '--state-dir', '.'],
      { TEXTPORT_API_KEY: 'pk_x' },
      'the modem driver needs --port (or TEXTPORT_MODEM_PORT)',
    ],
    [
      ['--driver', 'termux', '--state-dir', '.', '--sim', 'SIM3'],
      { TEXTPORT_API_KEY: 'pk_x' },
      '--sim must be SIM1 or SIM2, got "SIM3"',
    ],
    [['--delay', 'soon'], { TEXTPORT_API_KEY: 'pk_x' }, '--delay must be a number, got "soon"'],
    [['--colour'], { TEXTPORT_API_KEY: 'pk_x' }, "Unknown option '--colour'"],
  ])('refuses %j with a usage error', async (argv, env, message) => {
    const error = await runPhoneCli(argv, io(env)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(message);
  });

  it('fails when the gateway refuses the key', async () => {
    const node = await gatewayNode({ api: true });
    await expect(
      runPhoneCli(['--url', node.url], io({ TEXTPORT_API_KEY: 'pk_unknown' })),
    ).rejects.toThrow(/4401/);
  });
});

describe('textport-phone --driver termux', () => {
  it('sends through termux-sms-send, reports the inbox and the battery', async () => {
    for (const c of [
      'termux-sms-send',
      'termux-sms-list',
      'termux-call-log',
      'termux-battery-status',
    ])
      chmodSync(join(FAKES, c), 0o755);
    const dir = mkdtempSync(join(tmpdir(), 'textport-cli-'));
    onCleanup(async () => rmSync(dir, { recursive: true, force: true }));
    const fake = (file: string, value: unknown) =>
      writeFileSync(join(dir, file), JSON.stringify(value));
    fake('inbox.json', [{ _id: 1, number: CONTACT, body: 'old', received: '2024-05-01 12:00:00' }]);
    fake('battery.json', { percentage: 64, plugged: 'PLUGGED_USB', status: 'CHARGING' });

    const node = await gatewayNode({ api: true });
    const { account, userKey, phoneKey, phone } = await accountWithPhone(node);
    const cli = io({
      PATH: `${FAKES}${delimiter}${process.env.PATH}`,
      FAKE_TERMUX_DIR: dir,
      TEXTPORT_API_KEY: phoneKey,
    });
    const run = await runPhoneCli(
      [
        '--url',
        node.url,
        '--driver',
        'termux',
        '--state-dir',
        join(dir, 'state'),
        '--sim',
        'SIM2',
        '--poll',
        '3600000',
      ],
      cli,
    );
    if (!run) throw new Error('no run');
    onCleanup(() => run.stop());
    const driver = run.phone.driver as TermuxDriver;
    expect(driver.name).toBe('termux');

    const response = await fetch(`${node.api}/v1/messages/send`, {
      method: 'POST',
      headers: { 'x-api-key': userKey, 'content-type': 'application/json' },
      body: JSON.stringify({ from: phone.phoneNumber, to: CONTACT, content: 'über Termux -1 \\n' }),
    });
    const sent = ((await response.json()) as { data: { id: string } }).data;
    await vi.waitFor(async () => {
      expect((await node.gateway.messages.get(account.id, sent.id)).status).toBe('sent');
    }, WAIT);
    const calls = readFileSync(join(dir, 'invocations.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string; args?: string[]; input?: string })
      .filter((c) => c.name === 'termux-sms-send' && c.args);
    expect(calls).toEqual([
      { name: 'termux-sms-send', args: ['-n', CONTACT, '-s', '1'], input: 'über Termux -1 \\n' },
    ]);

    // The first poll took the old SMS as seen; a new one is reported.
    await driver.pollNow();
    fake('inbox.json', [
      { _id: 2, number: CONTACT, body: 'new one', received: '2024-05-01 12:05:00' },
      { _id: 1, number: CONTACT, body: 'old', received: '2024-05-01 12:00:00' },
    ]);
    await driver.pollNow();
    const thread = await node.gateway.messages.list(account.id, {
      owner: phone.phoneNumber,
      contact: CONTACT,
    });
    expect(thread.filter((m) => m.type === 'mobile-originated').map((m) => m.content)).toEqual([
      'new one',
    ]);

    await run.phone.heartbeat();
    const [beat] = await node.gateway.phones.heartbeats(account.id, { owner: phone.phoneNumber });
    expect(beat).toMatchObject({ batteryLevel: 64, charging: true, signalDbm: null });
    expect(cli.lines.some((l) => l.includes(`SENT ${sent.id} to ${CONTACT}`))).toBe(true);
  });
});
