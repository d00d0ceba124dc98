/**
 * The listener as a client or an operator meets it: TLS files and ports that are wrong end
 * start-up with a line naming the variable, connections are bounded, and a shutdown answers
 * the requests in flight before it closes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import selfsigned from 'selfsigned';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../src/config.js';
import { startServer } from '../src/server.js';

const dir = mkdtempSync(join(tmpdir(), 'textport-listener-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quiet = { logDestination: { write() {} } };
const config = (name: string, extra: Record<string, string> = {}) =>
  readConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${join(dir, `${name}.sqlite`)}`,
    TEXTPORT_DEMO_PHONE: 'off',
    ...extra,
  });

async function problemsOf(start: Promise<unknown>): Promise<string[]> {
  const error = await start.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems;
}

async function pem(name: string) {
  const pems = await selfsigned.generate([{ name: 'commonName', value: name }]);
  return { cert: pems.cert, key: pems.private };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const portOf = (url: string) => Number(new URL(url).port);

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Whether the server answers a request on `socket` (false: it closed the socket unanswered). */
function answers(socket: Socket): Promise<boolean> {
  return new Promise((resolve) => {
    socket.once('data', () => resolve(true));
    socket.once('close', () => resolve(false));
    socket.on('error', () => {});
    socket.write('GET /health/live HTTP/1.1\r\nhost: x\r\n\r\n');
  });
}

describe('files and ports named in the environment', () => {
  it('a TLS file that cannot be read is named, and nothing is started', async () => {
    const problems = await problemsOf(
      startServer(
        config('tls-missing', {
          TLS_CERT: join(dir, 'none.crt'),
          TLS_KEY: join(dir, 'none.key'),
        }),
        () => {},
        quiet,
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^TLS_CERT: cannot read .*none\.crt \(ENOENT\)/),
      expect.stringMatching(/^TLS_KEY: cannot read .*none\.key \(ENOENT\)/),
    ]);
  });

  it('a certificate that is not PEM, or a key of another certificate, is named', async () => {
    const one = await pem('one.example.test');
    const two = await pem('two.example.test');
    const notPem = await problemsOf(
      startServer(
        config('tls-garbage', {
          TLS_CERT: file('garbage.crt', 'not a certificate'),
          TLS_KEY: file('one.key', one.key),
        }),
        () => {},
        quiet,
      ),
    );
    expect(notPem).toEqual([expect.stringMatching(/^TLS_CERT: not a PEM certificate/)]);
    const mismatch = await problemsOf(
      startServer(
        config('tls-mismatch', {
          TLS_CERT: file('two.crt', two.cert),
          TLS_KEY: file('one.key', one.key),
        }),
        () => {},
        quiet,
      ),
    );
    expect(mismatch).toEqual([
      expect.stringMatching(/^TLS_KEY: not the private key of the TLS_CERT certificate/),
    ]);
  });

  it('FCM credentials that cannot be read name TEXTPORT_FCM_CREDENTIALS', async () => {
    const problems = await problemsOf(
      startServer(
        config('fcm', { TEXTPORT_FCM_CREDENTIALS: join(dir, 'none.json') }),
        () => {},
        quiet,
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^TEXTPORT_FCM_CREDENTIALS: .*cannot read the service-account file/),
    ]);
  });

  it('a port in use is named as PORT, and the failed start leaves the port to the next one', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = String((busy.address() as { port: number }).port);
    try {
      const problems = await problemsOf(
        startServer(config('busy', { PORT: port }), () => {}, quiet),
      );
      expect(problems).toEqual([
        expect.stringMatching(/^PORT: 127\.0\.0\.1:\d+ is already in use: .*another PORT$/),
      ]);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
    const next = await startServer(config('busy', { PORT: port }), () => {}, quiet);
    await next.close();
  });
});

describe('bounds', () => {
  it('holds at most TEXTPORT_MAX_CONNECTIONS connections; one more is closed unanswered', async () => {
    const server = await startServer(
      config('max', { TEXTPORT_MAX_CONNECTIONS: '2' }),
      () => {},
      quiet,
    );
    const port = portOf(server.url);
    const held = [await open(port), await open(port)];
    try {
      expect(await answers(await open(port))).toBe(false);
      held.pop()?.destroy();
      await expect.poll(async () => answers(await open(port)), { timeout: 5_000 }).toBe(true);
    } finally {
      for (const socket of held) socket.destroy();
      await server.close();
    }
  });

  it('bounds the time to send the headers, the request and an idle socket', async () => {
    const server = await startServer(config('timeouts'), () => {}, quiet);
    try {
      const http = server.httpServer;
      for (const ms of [http.headersTimeout, http.requestTimeout, http.timeout]) {
        expect(ms).toBeGreaterThan(0);
      }
      expect(http.headersTimeout).toBeLessThanOrEqual(60_000);
      expect(http.keepAliveTimeout).toBeGreaterThan(0);
      expect(http.maxConnections).toBe(10_000);
    } finally {
      await server.close();
    }
  });
});

describe('shutdown', () => {
  it('answers a send still arriving when the shutdown starts, and the message is kept', async () => {
    const server = await startServer(config('drain'), () => {}, quiet);
    await server.gateway.phones.upsert(server.accountId, { phoneNumber: '+18005550199' });
    const port = portOf(server.url);
    const body = JSON.stringify({ from: '+18005550199', to: '+18005550100', content: 'in flight' });
    const socket = await open(port);
    let answer = '';
    socket.on('data', (chunk) => {
      answer += String(chunk);
    });
    socket.on('error', () => {});
    const arrived = new Promise((resolve) => server.httpServer.once('request', resolve));
    socket.write(
      `POST /v1/messages/send HTTP/1.1\r\nhost: x\r\nx-api-key: ${server.newApiKey}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    await arrived;
    const closing = server.close();
    // The shutdown has begun once the port takes no new connection.
    await expect
      .poll(
        () =>
          open(port).then(
            (s) => {
              s.destroy();
              return false;
            },
            () => true,
          ),
        { interval: 10 },
      )
      .toBe(true);
    socket.write(body.slice(10));
    await closing;
    socket.destroy();
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    const id = /"id":"([^"]+)"/.exec(answer)?.[1];
    const again = await startServer(config('drain'), () => {}, quiet);
    try {
      const kept = await again.gateway.store.getMessage(again.accountId, String(id));
      expect(kept?.content).toBe('in flight');
    } finally {
      await again.close();
    }
  });

  it('names each step of the stop as it waits for it (what a stop past its deadline logs)', async () => {
    const server = await startServer(config('steps'), () => {}, quiet);
    const steps: string[] = [];
    await server.close((waitingFor) => steps.push(waitingFor));
    expect(steps).toEqual([
      'requests in flight',
      'the gateway to stop (in-flight hand-offs, phones, streams)',
      'the connections left to close',
      'the database to close',
    ]);
  });
});
