/**
 * The admin commands against a SQLite file, as an operator runs them next to (or instead of)
 * a running server: what they print, and what they change, checked through the gateway.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway } from '@textport/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdmin, UsageError } from '../src/admin.js';
import { BOOTSTRAP_ACCOUNT_ID } from '../src/bootstrap.js';
import { readConfig } from '../src/config.js';
import { openDatabase } from '../src/database.js';
import { startServer } from '../src/server.js';

const dir = mkdtempSync(join(tmpdir(), 'textport-admin-'));
const env = { DATABASE_URL: `sqlite:${join(dir, 'admin.sqlite')}`, PORT: '0', HOST: '127.0.0.1' };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let userKey = '';
beforeAll(async () => {
  // The account a first start makes, then the server stops: the commands work without it.
  const server = await startServer(
    readConfig({ ...env, TEXTPORT_DEMO_PHONE: '+18005550199' }),
    () => {},
  );
  userKey = server.newApiKey ?? '';
  await server.close();
});

async function admin(...args: string[]): Promise<string[]> {
  const lines: string[] = [];
  const [first = '', second = ''] = args;
  const two = ['accounts', 'keys', 'phones'].includes(first);
  await runAdmin(two ? `${first} ${second}` : first, args.slice(two ? 2 : 1), {
    env,
    out: (line) => lines.push(line),
    terminal: false,
  });
  return lines;
}

/** Whom a key authenticates as, read from the database the commands wrote. */
async function whoIs(key: string) {
  const db = await openDatabase(env.DATABASE_URL);
  try {
    return await createGateway({ store: db.store }).accounts.authenticate(key);
  } finally {
    await db.close();
  }
}

const keyIn = (lines: string[]) =>
  /\(shown once, keep it\): (\S+)/.exec(lines.join('\n'))?.[1] ?? '';

describe('textport admin commands', () => {
  it('accounts create prints an id and a working key; accounts list shows it', async () => {
    const lines = await admin('accounts', 'create', '--email', 'ops@example.com');
    const id = /^account: (\S+)$/m.exec(lines.join('\n'))?.[1];
    const key = keyIn(lines);
    expect(key).toMatch(/^uk_/);
    expect(await whoIs(key)).toMatchObject({ accountId: id, kind: 'user' });
    const listed = (await admin('accounts', 'list')).join('\n');
    expect(listed).toContain(`${id}  ops@example.com`);
    expect(listed).toContain(BOOTSTRAP_ACCOUNT_ID);
  });

  it('keys create makes a phone key for its numbers only, with a QR code on request', async () => {
    const lines = await admin('keys', 'create', '--phone-numbers', '+18005550123', '--qr');
    const key = keyIn(lines);
    expect(await whoIs(key)).toMatchObject({
      accountId: BOOTSTRAP_ACCOUNT_ID,
      kind: 'phone',
    });
    expect(lines.join('\n')).toContain('▄'); // the terminal QR code
    const listed = (await admin('keys', 'list')).join('\n');
    expect(listed).toMatch(/phone {2}pk_.{4}… {2}"phone \+18005550123" {2}numbers: \+18005550123/);
    const id = /^phone key (\S+) for/.exec(lines[0] ?? '')?.[1] ?? '';
    expect(await admin('keys', 'delete', '--id', id)).toEqual([`phone key ${id} deleted`]);
    expect(await whoIs(key)).toBeNull();
  });

  it('keys rotate issues a new user key and the old one stops working', async () => {
    expect(await whoIs(userKey)).not.toBeNull();
    const fresh = keyIn(await admin('keys', 'rotate'));
    expect(fresh).toMatch(/^uk_/);
    expect(await whoIs(userKey)).toBeNull();
    expect(await whoIs(fresh)).toMatchObject({ accountId: BOOTSTRAP_ACCOUNT_ID });
    userKey = fresh;
  });

  it('phones list and send: the virtual phone, and a message queued for it', async () => {
    expect((await admin('phones', 'list')).join('\n')).toMatch(
      /^\+18005550199 {2}(online|offline)/m,
    );
    const [line] = await admin(
      'send',
      '--from',
      '+18005550199',
      '--to',
      '+18005550100',
      '--content',
      'hi',
    );
    const id = /^message (\S+): pending$/.exec(line ?? '')?.[1] ?? '';
    const db = await openDatabase(env.DATABASE_URL);
    try {
      expect(await db.store.getMessage(BOOTSTRAP_ACCOUNT_ID, id)).toMatchObject({
        content: 'hi',
        contact: '+18005550100',
      });
    } finally {
      await db.close();
    }
  });

  it('refuses a missing or unknown option with the usage line', async () => {
    await expect(admin('keys', 'create')).rejects.toThrow(UsageError);
    await expect(admin('keys', 'create')).rejects.toThrow('--phone-numbers is required');
    await expect(admin('phones', 'list', '--acount', 'x')).rejects.toThrow(
      /Unknown option '--acount'[\s\S]*usage: textport phones list/,
    );
  });

  it('migrate reports the database it brought up to date', async () => {
    expect(await admin('migrate')).toEqual([
      expect.stringMatching(/^the database is up to date: SQLite file .*admin\.sqlite$/),
    ]);
  });
});
