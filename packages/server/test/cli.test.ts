/**
 * The `textport` command as a user runs it: help, a mistyped command, and the curl the
 * start-up text prints on a restart, run by a shell.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/admin.js';
import { banner } from '../src/banner.js';
import { runCommand } from '../src/command.js';
import { readConfig } from '../src/config.js';
import { startServer } from '../src/server.js';

const BIN = fileURLToPath(new URL('../bin/textport.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'textport-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const textport = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: dir, timeout: 20_000 });

describe('textport command', () => {
  it('lists its commands with --help and exits 0', () => {
    const run = textport('--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: textport');
    expect(run.stdout).toMatch(/^\s+start\s/m);
  });

  it('refuses an unknown command with the usage and exit code 2', () => {
    const run = textport('strat');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown command "strat"');
    expect(run.stderr).toContain('Usage: textport');
  });
});

describe('textport start', () => {
  it('refuses options instead of ignoring them (its configuration is the environment)', async () => {
    const env = { PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'flags.sqlite')}` };
    const refused = runCommand(['start', '--port', '8080'], env);
    await expect(refused).rejects.toThrow(UsageError);
    await expect(refused).rejects.toThrow('start takes no options (got "--port 8080")');
  });
});

describe('start-up text', () => {
  it('never prints a TEXTPORT_API_KEY taken from the environment', async () => {
    const apiKey = 'uk_fromTheEnvironment0123456789';
    const config = readConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${join(dir, 'env-key.sqlite')}`,
      TEXTPORT_API_KEY: apiKey,
    });
    const server = await startServer(config, () => {}, { logDestination: { write() {} } });
    try {
      const text = banner(config, server, 'test').join('\n');
      expect(text).toContain('x-api-key: $TEXTPORT_API_KEY');
      expect(text).not.toContain(apiKey);
    } finally {
      await server.close();
    }
  });

  it('on a restart, prints a curl whose key the shell expands from $TEXTPORT_API_KEY', async () => {
    const config = readConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${join(dir, 'restart.sqlite')}`,
    });
    const first = await startServer(config, () => {});
    const key = first.newApiKey;
    await first.close();
    expect(key).toMatch(/^uk_/);

    const again = await startServer(config, () => {});
    try {
      expect(again.newApiKey).toBeNull();
      const curl = banner(config, again, 'test').find((line) => line.includes('curl '));
      if (!curl) throw new Error('the start-up text has no curl');
      // The header argument exactly as a shell sees it, with the key in the environment.
      const header = /(-H "x-api-key: [^"]*")/.exec(curl)?.[1];
      if (!header) throw new Error(`no double-quoted key header in: ${curl}`);
      const expanded = execFileSync('sh', ['-c', `printf '%s' ${header.slice(3)}`], {
        encoding: 'utf8',
        env: { ...process.env, TEXTPORT_API_KEY: key ?? '' },
      });
      expect(expanded).toBe(`x-api-key: ${key}`);
    } finally {
      await again.close();
    }
  });
});
