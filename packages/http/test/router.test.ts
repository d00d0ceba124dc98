import { PassThrough, Readable } from 'node:stream';
import { silentLogger } from '@textport/core';
import { describe, expect, it, vi } from 'vitest';
import { createHttpApi, MAX_PAGE_SIZE } from '../src/index.js';
import { CONTACT, httpSetup, OWNER, setup } from './helpers.js';

const send = { from: OWNER, to: CONTACT, content: 'Hello' };

describe('core HTTP router: matching', () => {
  it('matches literal paths before {id} patterns', async () => {
    const t = await httpSetup();
    const outstanding = await t.call('GET', '/v1/messages/outstanding', {
      query: 'message_id=not-a-uuid',
    });
    expect(outstanding.status).toBe(422);
    expect(outstanding.json.data).toHaveProperty('message_id');
    const search = await t.call('GET', '/v1/messages/search');
    expect(search.status).toBe(200);
    expect(search.json.message).toBe('found 0 messages');
    const byId = await t.call('GET', '/v1/messages/search-not');
    expect(byId.json.data).toEqual({ messageID: ['The messageID field must be a valid UUID'] });
  });

  it('ignores a trailing slash and leaves unknown paths to the host (null)', async () => {
    const t = await httpSetup();
    expect((await t.call('GET', '/v1/phone-api-keys/')).status).toBe(200);
    const unknown = await t.call('GET', '/v2/nothing');
    expect(unknown.matched).toBe(false);
    const wrongMethod = await t.call('PATCH', '/v1/messages/send');
    expect(wrongMethod.matched).toBe(false);
  });

  it('answers GET /health with 200 and an empty body, and HEAD like GET', async () => {
    const t = await httpSetup();
    const health = await t.call('GET', '/health', { key: null });
    expect(health.status).toBe(200);
    expect(health.text).toBe('');
    expect((await t.call('HEAD', '/health', { key: null })).status).toBe(200);
  });

  it('answers CORS preflights for served paths and adds CORS headers to answers', async () => {
    const t = await httpSetup();
    const pre = await t.call('OPTIONS', '/v1/messages/abc/events', {
      key: null,
      headers: { 'access-control-request-headers': 'x-api-key,content-type' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
    expect(pre.headers['access-control-allow-methods']).toBe('GET,POST,PUT,DELETE,OPTIONS');
    expect(pre.headers['access-control-allow-headers']).toBe('x-api-key,content-type');
    expect((await t.call('OPTIONS', '/elsewhere', { key: null })).matched).toBe(false);
    const r = await t.call('POST', '/v1/messages/send', { body: send });
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('can leave CORS to the application', async () => {
    const t = await httpSetup({ cors: false });
    expect((await t.call('OPTIONS', '/v1/messages/send')).matched).toBe(false);
    const r = await t.call('GET', '/v1/phones');
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('core HTTP router: auth', () => {
  const denied = {
    status: 'error',
    message: 'You are not authorized to carry out this request.',
    data: 'Make sure your API key is set in the [x-api-key] header in the request',
  };

  it('answers 401 with the httpSMS body for a missing, unknown or `undefined` key', async () => {
    const t = await httpSetup();
    for (const key of [null, 'uk_nope', 'undefined', 'garbage']) {
      const r = await t.call('GET', '/v1/phones', { key });
      expect(r.status).toBe(401);
      expect(r.json).toEqual(denied);
    }
  });

  it('takes a user key from the query, a phone key only from the header and only on phone routes', async () => {
    const t = await httpSetup();
    expect(
      (await t.call('GET', '/v1/phones', { key: null, query: `x-api-key=${t.apiKey}` })).status,
    ).toBe(200);
    const { apiKey: pk } = await t.gateway.accounts.createPhoneKey(t.account.id, { name: 'p' });
    expect((await t.call('GET', '/v1/phones', { key: pk })).status).toBe(401);
    const heartbeat = { phone_numbers: [OWNER], charging: true };
    const viaQuery = await t.call('POST', '/v1/heartbeats', {
      key: null,
      query: { 'x-api-key': pk },
      body: heartbeat,
    });
    expect(viaQuery.status).toBe(401);
    // A fresh phone key has no numbers bound yet: the phone-scope 401 carries the detail.
    const scoped = await t.call('POST', '/v1/heartbeats', { key: pk, body: heartbeat });
    expect(scoped.status).toBe(401);
    expect(scoped.json.message).toBe(
      'You are not authorized to carry out the request for this phone number',
    );
    expect(scoped.json.data).toContain(`[${OWNER}]`);
  });

  it('remembers resolved keys for authCacheMs; key changes forget them at once', async () => {
    const t = await httpSetup();
    const lookups = vi.spyOn(t.gateway.accounts, 'authenticate');
    for (let i = 0; i < 3; i++) expect((await t.call('GET', '/v1/phones')).status).toBe(200);
    expect(lookups).toHaveBeenCalledTimes(1);
    const { apiKey: pk, record } = await t.gateway.accounts.createPhoneKey(t.account.id, {
      name: 'p',
    });
    const login = { phone_number: OWNER, fcm_token: 'tok', sim: 'SIM1' };
    expect((await t.call('PUT', '/v1/phones/fcm-token', { key: pk, body: login })).status).toBe(
      200,
    );
    // The login bound the number: the remembered (unbound) key was forgotten.
    const beat = { phone_numbers: [OWNER] };
    expect((await t.call('POST', '/v1/heartbeats', { key: pk, body: beat })).status).toBe(201);
    // Deleted in the store, with no announcement (a lost notification): known until it expires.
    await t.store.deleteApiKey(t.account.id, record.id);
    expect((await t.call('POST', '/v1/heartbeats', { key: pk, body: beat })).status).toBe(201);
    t.clock.advance(5001);
    expect((await t.call('POST', '/v1/heartbeats', { key: pk, body: beat })).status).toBe(401);
  });

  it('can look every key up (authCacheMs: 0)', async () => {
    const t = await httpSetup({ authCacheMs: 0 });
    const lookups = vi.spyOn(t.gateway.accounts, 'authenticate');
    for (let i = 0; i < 3; i++) await t.call('GET', '/v1/phones');
    expect(lookups).toHaveBeenCalledTimes(3);
  });

  it('uses the host hook first and falls back to API keys', async () => {
    const t = await setup();
    const hook = vi.fn((req: { headers: Record<string, unknown> }) =>
      req.headers.cookie === 'session=ok' ? { accountId: t.account.id } : null,
    );
    const api = createHttpApi(t.gateway, { authenticate: hook });
    const viaHook = await api.handle({
      method: 'GET',
      path: '/v1/phones',
      headers: { cookie: 'session=ok' },
    });
    expect(viaHook?.status).toBe(200);
    const viaKey = await api.handle({
      method: 'GET',
      path: '/v1/phones',
      headers: { 'x-api-key': t.apiKey },
    });
    expect(viaKey?.status).toBe(200);
    const none = await api.handle({ method: 'GET', path: '/v1/phones', headers: {} });
    expect(none?.status).toBe(401);
    expect(hook).toHaveBeenCalledTimes(3);
  });
});

describe('core HTTP router: decoding and the envelope', () => {
  it('400 for unreadable JSON, a wrong content type or a wrong JSON type; unknown keys are ignored', async () => {
    const t = await httpSetup();
    const broken = await t.call('POST', '/v1/messages/send', { body: '{"from":' });
    expect(broken.status).toBe(400);
    expect(broken.json.message).toBe("The request isn't properly formed");
    const text = await t.call('POST', '/v1/messages/send', {
      body: send,
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(400);
    const typed = await t.call('POST', '/v1/messages/send', {
      body: { ...send, encrypted: 'true' },
    });
    expect(typed.status).toBe(400);
    expect(typed.json.data).toContain('encrypted');
    const array = await t.call('POST', '/v1/messages/send', { body: [send] });
    expect(array.status).toBe(400);
    const extra = await t.call('POST', '/v1/messages/send', {
      body: { ...send, colour: 'red' },
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(extra.status).toBe(200);
    const nulls = await t.call('POST', '/v1/messages/send', {
      body: { ...send, attachments: null, request_id: null },
    });
    expect(nulls.status).toBe(200);
  });

  it('reads bodies given as async iterables and Node streams; a consumed stream is an empty body', async () => {
    const t = await setup();
    const api = createHttpApi(t.gateway);
    const headers = { 'content-type': 'application/json', 'x-api-key': t.apiKey };
    const text = JSON.stringify(send);
    async function* pieces() {
      yield Buffer.from(text.slice(0, 10));
      yield text.slice(10);
    }
    const viaIterator = await api.handle({
      method: 'POST',
      path: '/v1/messages/send',
      headers,
      body: pieces(),
    });
    expect(viaIterator?.status).toBe(200);
    const viaStream = await api.handle({
      method: 'POST',
      path: '/v1/messages/send',
      headers,
      body: Readable.from([Buffer.from(text)]),
    });
    expect(viaStream?.status).toBe(200);
    const consumed = Readable.from([Buffer.from(text)]);
    for await (const _ of consumed) {
      // read by someone else
    }
    const empty = await api.handle({
      method: 'POST',
      path: '/v1/messages/send',
      headers,
      body: consumed,
    });
    expect(empty?.status).toBe(400);
  });

  it('400, no internal error, when the client drops the connection mid-body', async () => {
    const t = await setup();
    const error = vi.fn();
    const gateway = {
      ...t.gateway,
      config: { ...t.gateway.config, logger: { ...silentLogger, error } },
    };
    const api = createHttpApi(gateway, {});
    const body = new PassThrough();
    const answer = api.handle({
      method: 'POST',
      path: '/v1/messages/send',
      headers: { 'content-type': 'application/json', 'x-api-key': t.apiKey },
      body,
    });
    body.write('{"from":');
    body.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    const r = await answer;
    expect(r?.status).toBe(400);
    expect(JSON.parse(String(r?.body)).data).toBe('the request body was cut short: aborted');
    expect(error).not.toHaveBeenCalled();
  });

  it('400 for a multipart body that ends inside the file, without an uncaught exception', async () => {
    const t = await httpSetup();
    const uncaught = vi.fn();
    process.on('uncaughtException', uncaught);
    try {
      const body = Buffer.from(
        '--b\r\nContent-Disposition: form-data; name="document"; filename="m.csv"\r\n' +
          'Content-Type: text/csv\r\n\r\nFromPhoneNumber,ToPhoneNumber,Content\r\n+1800',
      );
      const r = await t.api.handle({
        method: 'POST',
        path: '/v1/bulk-messages',
        headers: { 'content-type': 'multipart/form-data; boundary=b', 'x-api-key': t.apiKey },
        body,
      });
      expect(r?.status).toBe(400);
      await new Promise((resolve) => setImmediate(resolve));
      expect(uncaught).not.toHaveBeenCalled();
    } finally {
      process.off('uncaughtException', uncaught);
    }
  });

  it('accepts a JSON content type on a GET without a body', async () => {
    const t = await httpSetup();
    const r = await t.call('GET', '/v1/phones', {
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(200);
    expect(r.json.message).toBe('fetched 1 phone');
  });

  it('422 with {field: [messages]}, byte lengths', async () => {
    const t = await httpSetup();
    const r = await t.call('POST', '/v1/messages/send', {
      body: { from: OWNER, to: CONTACT, content: 'é'.repeat(1025) },
    });
    expect(r.status).toBe(422);
    expect(r.json.status).toBe('error');
    expect(r.json.data.content).toEqual([
      'The content field must be between 1 and 2048 characters',
    ]);
  });

  it('413 with the envelope for a body over 1 MiB', async () => {
    const t = await httpSetup();
    const r = await t.call('POST', '/v1/messages/send', {
      body: { ...send, content: 'x'.repeat(1024 * 1024) },
    });
    expect(r.status).toBe(413);
    expect(r.json).toEqual({
      status: 'error',
      message: 'the request body is larger than 1048576 bytes',
    });
  });

  it('413 for a body over the limit in every form an adapter may hand over, and nothing stored', async () => {
    const t = await httpSetup();
    const text = JSON.stringify(send).padEnd(1024 * 1024 + 1, ' ');
    const headers = { 'content-type': 'application/json', 'x-api-key': t.apiKey };
    for (const body of [text, Buffer.from(text), Readable.from([Buffer.from(text)])]) {
      const r = await t.api.handle({ method: 'POST', path: '/v1/messages/send', headers, body });
      expect(r?.status).toBe(413);
    }
    expect(await t.raw.countMessages(t.account.id)).toBe(0);
  });

  it('500 with the generic message, logging the cause', async () => {
    const t = await setup();
    const error = vi.fn();
    const gateway = {
      ...t.gateway,
      config: { ...t.gateway.config, logger: { ...silentLogger, error } },
    };
    vi.spyOn(t.store, 'listPhones').mockRejectedValueOnce(new Error('disk on fire'));
    const api = createHttpApi(gateway, {});
    const r = await api.handle({
      method: 'GET',
      path: '/v1/phones',
      headers: { 'x-api-key': t.apiKey },
    });
    expect(r?.status).toBe(500);
    expect(JSON.parse(String(r?.body))).toEqual({
      status: 'error',
      message: 'We ran into an internal error while handling the request.',
    });
    expect(error).toHaveBeenCalledOnce();
    const logged = error.mock.calls[0]?.[0] as { err: Error } | undefined;
    expect(logged?.err.message).toBe('disk on fire');
  });

  it('pages: above-maximum limits are served capped, non-numeric and zero limits are 422', async () => {
    const t = await httpSetup();
    for (let i = 0; i < 3; i++) await t.gateway.messages.send(t.account.id, send);
    const list = (query: string) =>
      t.call('GET', '/v1/messages', {
        query: `owner=${encodeURIComponent(OWNER)}&contact=${encodeURIComponent(CONTACT)}&${query}`,
      });
    expect((await list('limit=100')).json.data).toHaveLength(3);
    expect((await list(`limit=${MAX_PAGE_SIZE * 50}`)).status).toBe(200);
    expect((await list('limit=2&skip=-5')).json.data).toHaveLength(2);
    expect((await list('skip=2')).json.message).toBe('fetched 1 message');
    expect((await list('limit=abc')).json.data).toEqual({
      limit: ['The limit field must be numeric'],
    });
    expect((await list('limit=0')).status).toBe(422);
  });

  it('reads a + that the query string turned into a space', async () => {
    const t = await httpSetup();
    await t.gateway.messages.send(t.account.id, send);
    const r = await t.call('GET', '/v1/messages', { query: `owner=${OWNER}&contact=${CONTACT}` });
    expect(r.json.data).toHaveLength(1);
  });
});
