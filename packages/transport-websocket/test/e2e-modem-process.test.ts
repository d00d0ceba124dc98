/**
 * The built `textport-phone` binary as a separate process, on a real pseudo-terminal
 * through `serialport`'s native binding: a pty (test/pty-bridge.py, Python's
 * standard library) is bridged to the modem emulator. Runs on the compiled `dist/`
 * (`npm test` type-checks, which builds it, before the tests run).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { accountWithPhone, CONTACT, gatewayNode, onCleanup } from './helpers.js';
import { ModemEmulator } from './modem-emulator.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const BRIDGE = fileURLToPath(new URL('./pty-bridge.py', import.meta.url));

/** A pty whose other end is the emulator's port; resolves with the pty's path. */
async function ptyModem(modem: ModemEmulator): Promise<string> {
  const bridge = spawn('python3', [BRIDGE], { stdio: ['pipe', 'pipe', 'inherit'] });
  onCleanup(async () => {
    bridge.stdin.end();
    bridge.kill();
  });
  const port = await modem.openPort();
  let head = '';
  return new Promise<string>((resolve, reject) => {
    bridge.once('error', reject);
    bridge.once('exit', (code) => reject(new Error(`the pty bridge exited (${code})`)));
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\n');
      if (end < 0) return;
      bridge.stdout.off('data', onData);
      const rest = Buffer.from(head.slice(end + 1), 'latin1');
      if (rest.length) port.write(rest);
      bridge.stdout.on('data', (data: Buffer) => port.write(data));
      port.on('data', (data: Buffer) => bridge.stdin.write(data));
      resolve(head.slice(0, end));
    };
    bridge.stdout.on('data', onData);
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

describe('the textport-phone process with a modem on a serial line', () => {
  it('sends over the pty and reports delivered; stops on SIGTERM', async () => {
    expect(existsSync(CLI), `${CLI} is built by tsc --build`).toBe(true);
    const node = await gatewayNode();
    const { account, phoneKey, phone } = await accountWithPhone(node);
    const modem = new ModemEmulator({ firstReference: 7 });
    const path = await ptyModem(modem);
    const dir = mkdtempSync(join(tmpdir(), 'textport-phone-process-'));
    onCleanup(async () => rmSync(dir, { recursive: true, force: true }));

    const child = spawn(
      process.execPath,
      [CLI, '--url', node.url, '--driver', 'modem', '--port', path, '--state-dir', dir],
      {
        env: { PATH: process.env.PATH ?? '', TEXTPORT_API_KEY: phoneKey },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    onCleanup(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    await vi.waitFor(() => expect(output).toContain('connected to'), { timeout: 15_000 });

    const m = await node.gateway.messages.send(account.id, {
      from: phone.phoneNumber,
      to: CONTACT,
      content: 'over a real serial line',
    });
    const status = async () => (await node.gateway.messages.get(account.id, m.id)).status;
    await vi.waitFor(async () => expect(await status()).toBe('sent'), { timeout: 15_000 });
    expect(modem.submitted.map((s) => [s.to, s.text])).toEqual([
      [CONTACT, 'over a real serial line'],
    ]);
    modem.statusReport(7, 0, { recipient: CONTACT });
    await vi.waitFor(async () => expect(await status()).toBe('delivered'), { timeout: 15_000 });

    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(output).toContain(`SENT ${m.id}`);
    expect(output).toContain(`DELIVERED ${m.id}`);
  }, 30_000);
});
