import type { LookupAddress } from 'node:dns';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  isPrivateAddress,
  PrivateNetworkError,
  type Resolver,
} from '../../src/webhooks/network.js';
import { createPoster, TimeoutError } from '../../src/webhooks/post.js';
import { startReceiver } from './receiver.js';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function poster(options: { refusePrivateNetworks?: boolean; resolver?: Resolver } = {}) {
  const http = createPoster({ maxSockets: 4, ...options });
  closers.push(() => http.close());
  return http;
}

async function receiver(script: Parameters<typeof startReceiver>[0] = []) {
  const r = await startReceiver(script);
  closers.push(r.close);
  return r;
}

const HEADERS = { authorization: 'Bearer secret-token', 'webhook-signature': 'v1,abc' };

/** A resolver answering from a script of answers (the last one repeats), counting calls. */
function scriptedResolver(...answers: string[][]) {
  const calls: string[] = [];
  const resolve: Resolver = async (hostname) => {
    calls.push(hostname);
    const answer = answers[Math.min(calls.length, answers.length) - 1] ?? [];
    return answer.map(
      (address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 }),
    );
  };
  return { resolve, calls };
}

describe('address classification', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '198.18.0.1',
    '198.19.255.254',
    '224.0.0.1',
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'ff02::1',
    '64:ff9b::7f00:1',
    '64:ff9b::808:808',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:a9fe:a9fe',
    '[::ffff:127.0.0.1]',
    'not an address',
  ])('%s is refused', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '93.184.216.34',
    '198.20.0.1',
    '223.255.255.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
  ])('%s is public', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
});

describe('the guard checks the address connected to', () => {
  it('refuses an IPv4-mapped IPv6 literal of a loopback receiver', async () => {
    const r = await receiver();
    const http = poster({ refusePrivateNetworks: true });
    for (const host of ['[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '2130706433', '0x7f.1']) {
      const url = `http://${host}:${r.port}/hooks/sms`;
      await expect(http.post(url, HEADERS, '{}', 2_000)).rejects.toBeInstanceOf(
        PrivateNetworkError,
      );
    }
    expect(r.received).toHaveLength(0);
  });

  it('refuses at connect time a name that resolves to a private address, resolving once', async () => {
    const r = await receiver();
    const dns = scriptedResolver(['127.0.0.1']);
    const http = poster({ refusePrivateNetworks: true, resolver: dns.resolve });
    const sent = http.post(`http://hooks.example.test:${r.port}/hooks/sms`, HEADERS, '{}', 2_000);
    await expect(sent).rejects.toBeInstanceOf(PrivateNetworkError);
    // The connection's own lookup is the check: no earlier answer can be swapped in.
    expect(dns.calls).toEqual(['hooks.example.test']);
    expect(r.received).toHaveLength(0);
  });

  it('a name answering public then private (rebinding) is refused on the connection that gets the private answer', async () => {
    const r = await receiver();
    const dns = scriptedResolver(['93.184.216.34', '127.0.0.1'], ['127.0.0.1']);
    const http = poster({ refusePrivateNetworks: true, resolver: dns.resolve });
    const url = `http://rebind.example.test:${r.port}/hooks/sms`;
    await expect(http.post(url, HEADERS, '{}', 2_000)).rejects.toBeInstanceOf(PrivateNetworkError);
    await expect(http.post(url, HEADERS, '{}', 2_000)).rejects.toBeInstanceOf(PrivateNetworkError);
    expect(r.received).toHaveLength(0);
  });

  it('without the guard, private receivers work', async () => {
    const r = await receiver();
    const http = poster();
    const result = await http.post(`http://[::ffff:127.0.0.1]:${r.port}/x`, HEADERS, '{}', 2_000);
    expect(result.status).toBe(200);
    expect(r.received).toHaveLength(1);
  });
});

describe('redirects', () => {
  it('a 307 to another origin (here a private address) is not followed: the body and credentials stay put', async () => {
    const inner = await receiver();
    for (const target of [inner.url, `http://localhost:${inner.port}/hooks/sms`]) {
      const outer = await receiver([{ status: 307, headers: { location: target } }]);
      const result = await poster().post(outer.url, HEADERS, '{"id":1}', 2_000);
      expect(result).toMatchObject({ status: 307, location: target });
      expect(outer.received).toHaveLength(1);
    }
    expect(inner.received).toHaveLength(0);
  });

  it('a same-origin redirect is followed with the same body and headers', async () => {
    const r = await receiver([{ status: 308, headers: { location: '/moved' } }]);
    const result = await poster().post(r.url, HEADERS, '{"id":1}', 2_000);
    expect(result).toMatchObject({ status: 200, location: null });
    expect(r.received.map((x) => x.path)).toEqual(['/hooks/sms', '/moved']);
    expect(r.received[1]).toMatchObject({
      body: '{"id":1}',
      headers: { authorization: 'Bearer secret-token' },
    });
  });

  it('gives up after 5 same-origin hops', async () => {
    const loop = Array.from({ length: 10 }, () => ({
      status: 302,
      headers: { location: '/again' },
    }));
    const r = await receiver(loop);
    const result = await poster().post(r.url, HEADERS, '{}', 2_000);
    expect(result.status).toBe(302);
    expect(r.received).toHaveLength(6);
  });
});

describe('the per-attempt deadline is wall-clock', () => {
  it('ends a response whose body trickles a byte at a time', async () => {
    const server = createHttpServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('.'), 20);
      res.on('close', () => clearInterval(timer));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    closers.push(() => {
      server.closeAllConnections();
      server.close();
    });
    const { port } = server.address() as AddressInfo;
    const sent = poster().post(`http://127.0.0.1:${port}/`, HEADERS, '{}', 300);
    await expect(sent).rejects.toBeInstanceOf(TimeoutError);
  });

  it('ends a response whose status line and headers trickle', async () => {
    const sockets = new Set<Socket>();
    const server = createTcpServer((socket) => {
      sockets.add(socket);
      const bytes = Buffer.from('HTTP/1.1 200 OK\r\nx-slow: yes\r\n');
      let i = 0;
      const timer = setInterval(() => {
        if (i < bytes.length) socket.write(bytes.subarray(i, ++i));
      }, 20);
      socket.on('close', () => clearInterval(timer));
      socket.on('error', () => {});
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    closers.push(() => {
      for (const s of sockets) s.destroy();
      server.close();
    });
    const { port } = server.address() as AddressInfo;
    const sent = poster().post(`http://127.0.0.1:${port}/`, HEADERS, '{}', 300);
    await expect(sent).rejects.toBeInstanceOf(TimeoutError);
  });
});
