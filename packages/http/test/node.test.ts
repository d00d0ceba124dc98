import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeHandler } from '../src/index.js';
import { CONTACT, OWNER, setup } from './helpers.js';

let server: Server | undefined;
afterEach(() => server?.close());

async function listen(basePath?: string) {
  const t = await setup();
  server = createServer(createNodeHandler(t.gateway, { basePath }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { ...t, base: `http://127.0.0.1:${port}${basePath ?? ''}` };
}

/** A raw request, to send a body larger than the limit without a Content-Length (chunked). */
function chunked(
  url: string,
  key: string,
  size: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(64 * 1024, 'a');
    for (let sent = 0; sent < size; sent += chunk.length) req.write(chunk);
    req.end();
  });
}

describe('createNodeHandler', () => {
  it('serves the API on node:http under a base path', async () => {
    const t = await listen('/sms');
    const r = await fetch(`${t.base}/v1/messages/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': t.apiKey },
      body: JSON.stringify({ from: OWNER, to: CONTACT, content: 'Hello' }),
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await r.json()) as { message: string; data: { status: string } };
    expect(body.message).toBe('message added to queue');
    expect(body.data.status).toBe('pending');
    expect((await fetch(`${t.base}/health`)).status).toBe(200);
  });

  it('answers 404 with the envelope outside the base path and for unknown routes', async () => {
    const t = await listen('/sms');
    const outside = await fetch(t.base.replace('/sms', '/v1/phones'));
    expect(outside.status).toBe(404);
    const unknown = await fetch(`${t.base}/v1/unknown`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { status: string }).status).toBe('error');
  });

  it('answers 204 without a body', async () => {
    const t = await listen();
    const m = await t.gateway.messages.send(t.account.id, {
      from: OWNER,
      to: CONTACT,
      content: 'x',
    });
    const r = await fetch(`${t.base}/v1/messages/${m.id}`, {
      method: 'DELETE',
      headers: { 'x-api-key': t.apiKey },
    });
    expect(r.status).toBe(204);
    expect(await r.text()).toBe('');
  });

  it('stops at the route limit: 413 for a streamed 1.5 MiB send, while receive takes it', async () => {
    const t = await listen();
    const big = await chunked(`${t.base}/v1/messages/send`, t.apiKey, 1.5 * 1024 * 1024);
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body).status).toBe('error');
    const png = Buffer.alloc(1_400_000, 7).toString('base64');
    const r = await fetch(`${t.base}/v1/messages/receive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-api-key': t.apiKey },
      body: JSON.stringify({
        from: CONTACT,
        to: OWNER,
        content: '',
        sim: 'SIM1',
        attachments: [
          { name: 'a.png', content_type: 'image/png', content: png },
          { name: 'b.png', content_type: 'image/png', content: png },
        ],
      }),
    });
    expect(r.status).toBe(200);
    const data = ((await r.json()) as { data: { attachments: string[] } }).data;
    expect(data.attachments).toHaveLength(2);
    const file = await fetch(`${t.base}${data.attachments[0]}`);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await file.arrayBuffer()).length).toBe(1_400_000);
  });
});
