/** The router inside an existing Express app: body parsers before it, prefixes, pass-through. */
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createRouter } from '../src/index.js';
import { appSetup, CONTACT, OWNER, PREFIX } from './helpers.js';

const body = { from: OWNER, to: CONTACT, content: 'Hello' };

describe('mounting in an Express app', () => {
  it('works after express.json(): parsed bodies are checked the same way', async () => {
    const t = await appSetup({ json: true });
    const r = await t.call('post', '/v1/messages/send').send(body);
    expect(r.status).toBe(200);
    expect(
      (await t.call('post', '/v1/messages/send').send({ ...body, encrypted: 'yes' })).status,
    ).toBe(400);
    const text = await t
      .call('post', '/v1/messages/send')
      .set('content-type', 'text/plain')
      .send('hi');
    expect(text.status).toBe(400);
    const heartbeat = await t.call('post', '/v1/heartbeats').send({ phone_numbers: [OWNER] });
    expect(heartbeat.status).toBe(201);
  });

  it('works after express.raw() and express.text() (raw bodies)', async () => {
    const t = await appSetup();
    for (const parser of [express.raw({ type: '*/*' }), express.text({ type: '*/*' })]) {
      const app = express();
      app.use(parser);
      app.use('/api', createRouter(t.gateway));
      const r = await request(app)
        .post('/api/v1/messages/send')
        .set('x-api-key', t.apiKey)
        .send(body);
      expect(r.status).toBe(200);
    }
  });

  it('passes requests it does not serve to the next handler', async () => {
    const t = await appSetup();
    const app = express();
    app.use('/sms', createRouter(t.gateway));
    app.use((req, res) => {
      res.status(418).json({ mine: req.originalUrl });
    });
    const r = await request(app).get('/sms/v1/not-ours');
    expect(r.status).toBe(418);
    expect(r.body).toEqual({ mine: '/sms/v1/not-ours' });
    expect((await request(app).patch('/sms/v1/messages/send')).status).toBe(418);
    expect((await request(app).get('/elsewhere')).status).toBe(418);
  });

  it('serves health, CORS preflights, the OpenAPI document, its reference page and 413s under the prefix', async () => {
    const t = await appSetup();
    const health = await t.call('get', '/health', null);
    expect(health.status).toBe(200);
    expect(health.text).toBe('');
    const preflight = await t
      .call('options', '/v1/messages/send', null)
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'x-api-key,content-type');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(preflight.headers['access-control-allow-headers']).toBe('x-api-key,content-type');
    const doc = await t.call('get', '/v1/openapi.json', null);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(doc.body.servers).toEqual([expect.objectContaining({ url: PREFIX })]);
    const page = await t.call('get', '/docs', null);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain(`src="${PREFIX}/docs/swagger-ui-bundle.js"`);
    const script = await t.call('get', '/docs/swagger-ui-bundle.js', null);
    expect([script.status, script.headers['content-type']]).toEqual([
      200,
      'text/javascript; charset=utf-8',
    ]);
    expect((await t.call('get', '/health/live', null)).body).toEqual({
      status: 'pass',
      checks: {},
    });
    const big = await t
      .call('post', '/v1/messages/send')
      .send({ ...body, content: 'x'.repeat(1_100_000) });
    expect(big.status).toBe(413);
    expect(big.body.status).toBe('error');
  });

  it('answers 401 for user routes without a key and accepts the key in the query', async () => {
    const t = await appSetup();
    const r = await t.call('get', '/v1/phones', null);
    expect(r.status).toBe(401);
    expect(r.body.data).toBe(
      'Make sure your API key is set in the [x-api-key] header in the request',
    );
    expect((await t.call('get', `/v1/phones?x-api-key=${t.apiKey}`, null)).status).toBe(200);
  });
});
