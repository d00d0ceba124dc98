/**
 * Sending a hostile request three ways: over node:http to the node handler, in
 * process to `createHttpApi` (as an adapter hands it over), and as raw bytes on a
 * TCP socket (broken framing).
 */
import { type Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { HttpApi, HttpRequest } from '@textport/http';
import { type Hostile, latin1Header, type Outcome, type Payload } from './request.js';

export function payloadBytes(payload: Payload): Buffer | undefined {
  switch (payload.kind) {
    case 'none':
    case 'parsed':
      return undefined;
    case 'bytes':
      return payload.data;
    case 'string':
      return Buffer.from(payload.text, 'utf8');
    case 'padded': {
      const head = Buffer.from(payload.json, 'utf8');
      return Buffer.concat([head, Buffer.alloc(Math.max(0, payload.size - head.length), 0x20)]);
    }
  }
}

export async function inProcess(api: HttpApi, h: Hostile): Promise<Outcome> {
  const headers: Record<string, string | string[]> = { ...h.headers };
  let body: unknown;
  if (h.payload.kind === 'parsed') body = h.payload.value;
  else if (h.payload.kind === 'string') body = h.payload.text;
  else if (h.payload.kind === 'padded' && h.payload.asString)
    body = payloadBytes(h.payload)?.toString('utf8');
  else body = payloadBytes(h.payload);
  if (Buffer.isBuffer(body) && headers['content-length'] === undefined) {
    headers['content-length'] = String(body.length);
  }
  const request: HttpRequest = {
    method: h.method,
    path: h.path,
    ...(h.query === undefined ? {} : { query: h.query }),
    headers,
    ...(body === undefined ? {} : { body }),
  };
  const response = await api.handle(request);
  // No route: an adapter passes the request on (the node handler answers 404).
  if (response === null) return { status: 404, body: '', passedOn: true };
  const text =
    response.body === undefined
      ? ''
      : typeof response.body === 'string'
        ? response.body
        : Buffer.from(response.body).toString('utf8');
  return { status: response.status, contentType: response.headers['content-type'], body: text };
}

export function overHttp(port: number, agent: Agent, h: Hostile): Promise<Outcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(h.headers)) {
      headers[name] = Array.isArray(value) ? value.map(latin1Header) : latin1Header(value);
    }
    const data = payloadBytes(h.payload);
    const chunked =
      (h.payload.kind === 'bytes' || h.payload.kind === 'padded') && h.payload.chunked === true;
    // Node frames a body of GET or DELETE only with an explicit length.
    if (chunked) headers['transfer-encoding'] = 'chunked';
    else if (data) headers['content-length'] = String(data.length);
    const query = typeof h.query === 'string' ? h.query : undefined;
    let req: ReturnType<typeof httpRequest>;
    try {
      req = httpRequest({
        host: '127.0.0.1',
        port,
        agent,
        method: h.method,
        path: query === undefined ? h.path : `${h.path}?${query}`,
        headers,
      });
    } catch (error) {
      resolve({
        status: null,
        body: '',
        error: `the client refused to send it: ${(error as Error).message}`,
      });
      return;
    }
    req.setTimeout(120_000, () => req.destroy(new Error('no answer within 120 s')));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? null,
          contentType: res.headers['content-type'],
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', (error) =>
        resolve({
          status: res.statusCode ?? null,
          body: '',
          error: `answer cut: ${error.message}`,
        }),
      );
    });
    req.on('error', (error) => resolve({ status: null, body: '', error: error.message }));
    if (chunked && data) {
      for (let at = 0; at < data.length; at += 64 * 1024)
        req.write(data.subarray(at, at + 64 * 1024));
      req.end();
    } else {
      req.end(data);
    }
  });
}

export function overRawSocket(port: number, h: Hostile): Promise<Outcome> {
  const raw = h.raw;
  if (!raw) return Promise.resolve({ status: null, body: '', error: 'no raw bytes' });
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const statuses = [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3})/g)].map((m) =>
        Number(m[1]),
      );
      resolve({ status: statuses[0] ?? null, statuses, body: text.slice(0, 500) });
    };
    socket.setTimeout(30_000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', finish);
    socket.write(raw.bytes, () => {
      if (raw.abort) setTimeout(() => socket.destroy(), 20);
      else socket.end();
    });
  });
}
