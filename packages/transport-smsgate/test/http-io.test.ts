/**
 * The SMSGate HTTP layer under hostile input: a body over the limit sent chunked
 * answers 413 and leaves the keep-alive connection usable; Basic credentials are
 * read as strict base64; a NUL in a path parameter is refused before any store
 * sees it (Postgres cannot keep one).
 */
import { once } from 'node:events';
import { Agent, createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RouteTable,
  readBody,
  type SmsGateHttpError,
  sendError,
  sendJson,
} from '../src/http/io.js';
import { basicAccount } from '../src/index.js';

describe('readBody', () => {
  const LIMIT = 1024;
  const server = createServer((req, res) => {
    readBody(req, LIMIT).then(
      (body) => sendJson(res, 200, { bytes: body.length }),
      (error: unknown) => sendError(res, error as SmsGateHttpError),
    );
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let port = 0;
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    agent.destroy();
    server.closeAllConnections();
    server.close();
  });

  /** POSTs `size` bytes (chunked unless `length`), on the one keep-alive socket. */
  function post(size: number, length = false) {
    return new Promise<{ status: number; body: string; socket: unknown }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          agent,
          method: 'POST',
          path: '/',
          headers: length ? { 'content-length': String(size) } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString(),
              socket: res.socket,
            }),
          );
        },
      );
      req.on('error', reject);
      for (let sent = 0; sent < size; sent += 256)
        req.write(Buffer.alloc(Math.min(256, size - sent)));
      req.end();
    });
  }

  it('answers 413 to a chunked body over the limit, and the connection serves the next request', async () => {
    const first = await post(4 * 1024 * 1024);
    expect(first.status).toBe(413);
    expect(JSON.parse(first.body)).toEqual({
      message: `request body is larger than ${LIMIT} bytes`,
    });
    const second = await post(10);
    expect(second.status).toBe(200);
    expect(JSON.parse(second.body)).toEqual({ bytes: 10 });
    expect(second.socket).toBe(first.socket);
  });

  it('reads a body at the limit, declared or chunked', async () => {
    expect((await post(LIMIT)).body).toBe('{"bytes":1024}');
    expect((await post(LIMIT, true)).body).toBe('{"bytes":1024}');
    expect((await post(LIMIT + 1, true)).status).toBe(413);
  });
});

describe('basicAccount', () => {
  const users = [{ username: 'ops', password: 'a-long-password-12', accountId: 'acc' }];
  const as = (authorization: string) =>
    basicAccount(users, { headers: { authorization } } as IncomingMessage);
  const encoded = Buffer.from('ops:a-long-password-12').toString('base64');

  it('reads standard base64', () => {
    expect(as(`Basic ${encoded}`)).toBe('acc');
    expect(as(`basic  ${encoded} `)).toBe('acc');
  });

  it('refuses what only a lenient decoder reads', () => {
    expect(as(`Basic ${encoded}!`)).toBeNull();
    expect(as(`Basic ${encoded.replace(/=+$/, '')}`)).toBeNull();
    expect(as(`Basic ${encoded.slice(0, 8)} ${encoded.slice(8)}`)).toBeNull();
  });
});

describe('RouteTable', () => {
  const table = new RouteTable('/api').on('GET', '/messages/:id', () => {});
  const match = (url: string) => table.match({ url, method: 'GET' } as IncomingMessage);

  it('decodes path parameters', () => {
    expect(match('/api/messages/a%20b')?.params).toEqual({ id: 'a b' });
  });

  it('refuses a NUL in a path parameter, as it refuses broken percent-encoding', () => {
    expect(() => match('/api/messages/a%00b')).toThrow(URIError);
    expect(() => match('/api/messages/%E0%A4%A')).toThrow(URIError);
  });
});
