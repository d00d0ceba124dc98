/**
 * Start-up as it fails in the field: TLS with the virtual phone on, a database that is not
 * there, an empty or mistyped HOST; each ends in a started server or one clear line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import selfsigned from 'selfsigned';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../src/config.js';
import { knexLog } from '../src/database.js';
import { certificateName, startDemoPhone } from '../src/demo-phone.js';
import { startServer } from '../src/server.js';

const BIN = fileURLToPath(new URL('../bin/textport.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'textport-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function certificateFor(name: string) {
  const pems = await selfsigned.generate([{ name: 'commonName', value: name }], {
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: name }] }],
  });
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  writeFileSync(cert, pems.cert);
  writeFileSync(key, pems.private);
  return { cert, key, pem: Buffer.from(pems.cert) };
}

describe('TLS with the virtual phone', () => {
  it('starts, and the virtual phone connects by the name on the certificate and delivers', async () => {
    const { cert, key } = await certificateFor('sms.example.test');
    const lines: string[] = [];
    const server = await startServer(
      readConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: `sqlite:${join(dir, 'tls.sqlite')}`,
        TLS_CERT: cert,
        TLS_KEY: key,
      }),
      (line) => lines.push(line),
    );
    try {
      expect(server.url).toMatch(/^https:\/\//);
      expect(server.newApiKey).toMatch(/^uk_/);
      expect(server.virtualPhone?.connected).toBe(true);
      const sent = await server.gateway.messages.send(server.accountId, {
        from: '+18005550199',
        to: '+18005550100',
        content: 'over TLS',
      });
      await expect
        .poll(async () => (await server.gateway.messages.get(server.accountId, sent.id)).status, {
          timeout: 10_000,
        })
        .toBe('delivered');
      expect(lines.join('\n')).not.toContain('not connected yet');
    } finally {
      await server.close();
    }
  });

  it('reads the name to check from the certificate', async () => {
    expect(certificateName((await certificateFor('gw.example.test')).pem)).toBe('gw.example.test');
  });

  it('does not hold start-up when the virtual phone cannot connect, and says why', async () => {
    const silent = createServer(() => {}); // accepts, never answers the WebSocket upgrade
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const lines: string[] = [];
    const phone = await startDemoPhone({
      port,
      apiKey: 'pk_unusedUnusedUnused01',
      phoneNumber: '+18005550199',
      certificate: null,
      log: (line) => lines.push(line),
      connectTimeoutMs: 300,
    });
    try {
      expect(phone.connected).toBe(false);
      expect(lines.join('\n')).toContain('virtual phone: not connected yet');
    } finally {
      await phone.close();
      silent.close();
    }
  });
});

describe('configuration mistakes', () => {
  it('an empty HOST means the default; a malformed one is named with an example', () => {
    expect(readConfig({ HOST: '' }).HOST).toBe('0.0.0.0');
    expect(readConfig({ HOST: '::' }).HOST).toBe('::');
    expect(() => readConfig({ HOST: 'bad host' })).toThrow(ConfigError);
    try {
      readConfig({ HOST: 'bad host' });
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'HOST: must be an address or host name to listen on, e.g. 0.0.0.0, 127.0.0.1 or ::',
      ]);
    }
  });

  it('an empty PORT means the default; a port written otherwise is named, not read as another', () => {
    expect(readConfig({ PORT: '' }).PORT).toBe(3000);
    expect(readConfig({ PORT: ' 8080 ' }).PORT).toBe(8080);
    for (const port of ['0x10', '1e3', '-1', '65536', '80.5']) {
      expect(() => readConfig({ PORT: port }), port).toThrow(
        'PORT: must be a port number from 0 to 65535',
      );
    }
  });

  it('TEXTPORT_PUBLIC_URL and TEXTPORT_FCM_ENDPOINT must be http(s) URLs, not host:port', () => {
    const problems = (env: Record<string, string>) => {
      try {
        readConfig(env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems.map((p) => p.split(':')[0]);
      }
    };
    expect(
      problems({
        TEXTPORT_PUBLIC_URL: 'sms.example.com:443',
        TEXTPORT_FCM_ENDPOINT: 'fcm.example.com:443',
      }),
    ).toEqual(['TEXTPORT_FCM_ENDPOINT', 'TEXTPORT_PUBLIC_URL']);
    expect(
      readConfig({
        TEXTPORT_PUBLIC_URL: 'https://sms.example.com',
        TEXTPORT_FCM_ENDPOINT: 'http://127.0.0.1:9099',
      }),
    ).toMatchObject({ TEXTPORT_PUBLIC_URL: 'https://sms.example.com' });
  });

  it('TEXTPORT_MAX_CONNECTIONS is a whole number, 10000 by default', () => {
    expect(readConfig({}).TEXTPORT_MAX_CONNECTIONS).toBe(10_000);
    expect(readConfig({ TEXTPORT_MAX_CONNECTIONS: '500' }).TEXTPORT_MAX_CONNECTIONS).toBe(500);
    for (const value of ['0', 'many', '1.5']) {
      expect(() => readConfig({ TEXTPORT_MAX_CONNECTIONS: value }), value).toThrow(
        'TEXTPORT_MAX_CONNECTIONS: must be a whole number',
      );
    }
  });

  it('a database that cannot be reached ends start-up with one line naming DATABASE_URL', () => {
    const run = spawnSync(process.execPath, [BIN, 'start'], {
      encoding: 'utf8',
      cwd: dir,
      timeout: 30_000,
      env: { ...process.env, PORT: '0', DATABASE_URL: 'postgres://textport@127.0.0.1:1/textport' },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('cannot open the database (PostgreSQL 127.0.0.1:1/textport)');
    expect(run.stderr).toContain('Check DATABASE_URL.');
    expect(run.stderr).not.toMatch(/^\s+at /m); // no stack trace
  });

  it("writes knex's warnings as one line each, the same one at most once per quiet period", () => {
    const lines: string[] = [];
    const log = knexLog((line) => lines.push(line), 60_000);
    const refused = new Error(
      'connect ECONNREFUSED 127.0.0.1:1\n    at TCPConnectWrap.afterConnect',
    );
    log.warn(`Acquire connection error: ${refused.stack ?? ''}`);
    log.warn(`Acquire connection error: ${refused.stack ?? ''}`);
    log.warn('another warning');
    expect(lines).toEqual([
      'database warning: Acquire connection error: Error: connect ECONNREFUSED 127.0.0.1:1',
      'database warning: another warning',
    ]);
  });
});
