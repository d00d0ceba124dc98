import { describe, expect, it } from 'vitest';
import { httpSetup } from './helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: walking a JSON document
type Json = Record<string, any>;

/** The JSON types a schema admits, whether as `type: [..]` or as `anyOf` branches. */
function typesOf(schema: Json | undefined): string[] {
  if (!schema) return [];
  const own = schema.type === undefined ? [] : [schema.type].flat();
  const branches = (schema.anyOf ?? schema.oneOf ?? []).flatMap((s: Json) => typesOf(s));
  return [...new Set<string>([...own, ...branches])].sort();
}

describe('OpenAPI document', () => {
  it('is served publicly as OpenAPI 3.1 with every route of the table', async () => {
    const t = await httpSetup();
    const r = await t.call('GET', '/v1/openapi.json', { key: null });
    expect(r.status).toBe(200);
    const doc = r.json as Json;
    expect(doc.openapi).toBe('3.1.0');
    for (const route of t.api.routes) {
      expect(
        doc.paths[route.path]?.[route.method.toLowerCase()],
        `${route.method} ${route.path}`,
      ).toBeDefined();
    }
    expect(doc.components.securitySchemes.apiKey).toEqual({
      type: 'apiKey',
      in: 'header',
      name: 'x-api-key',
    });
  });

  it('describes bodies with the decoding schemas, required fields lifted from needed()', async () => {
    const t = await httpSetup();
    const doc = t.api.document() as Json;
    const send = doc.paths['/v1/messages/send'].post;
    const schema = send.requestBody.content['application/json'].schema;
    expect(schema.required.sort()).toEqual(['content', 'to']);
    expect(schema.properties.encrypted.type).toEqual(['boolean', 'null']);
    expect(JSON.stringify(doc)).not.toContain('x-textport-required');
    expect(send.responses['200'].content['application/json'].schema.properties.data).toEqual({
      $ref: '#/components/schemas/Message',
    });
    const windows =
      doc.paths['/v1/send-schedules'].post.requestBody.content['application/json'].schema.properties
        .windows;
    expect(windows.anyOf[0].items.required).toEqual(['day_of_week', 'start_minute', 'end_minute']);
  });

  it('lists query parameters with their required flag and repeated lists', async () => {
    const t = await httpSetup();
    const doc = t.api.document() as Json;
    const params = doc.paths['/v1/messages'].get.parameters as Json[];
    expect(params.find((p) => p.name === 'owner')).toMatchObject({ in: 'query', required: true });
    expect(params.find((p) => p.name === 'limit')).toMatchObject({ required: false });
    const search = doc.paths['/v1/messages/search'].get.parameters as Json[];
    expect(search.find((p) => p.name === 'owners')).toMatchObject({
      explode: true,
      schema: { type: 'array' },
    });
    const byId = doc.paths['/v1/messages/{messageID}'].get.parameters as Json[];
    expect(byId[0]).toMatchObject({ name: 'messageID', in: 'path', required: true });
  });

  it('publishes the wire schemas as components, the Message with its nullable fields', async () => {
    const t = await httpSetup();
    const doc = t.api.document() as Json;
    const message = doc.components.schemas.Message;
    // The httpSMS Message (reference §3.1): every field is sent, absent ones as null.
    const nullable: Record<string, string> = {
      request_id: 'string',
      attachments: 'array',
      send_time: 'integer',
      last_attempted_at: 'string',
      scheduled_at: 'string',
      scheduled_send_time: 'string',
      sent_at: 'string',
      delivered_at: 'string',
      failed_at: 'string',
      expired_at: 'string',
      received_at: 'string',
      canceled_at: 'string',
      failure_reason: 'string',
    };
    // The Android app refuses a message where any of these is null.
    const neverNull = [
      'id',
      'owner',
      'contact',
      'content',
      'sim',
      'status',
      'type',
      'encrypted',
      'created_at',
      'updated_at',
      'order_timestamp',
      'request_received_at',
    ];
    expect(message.required).toEqual(
      expect.arrayContaining([...Object.keys(nullable), ...neverNull]),
    );
    for (const [field, type] of Object.entries(nullable)) {
      expect(typesOf(message.properties[field]), field).toEqual(['null', type].sort());
    }
    for (const field of neverNull) {
      expect(typesOf(message.properties[field]), field).not.toContain('null');
    }
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Error', 'Phone', 'Webhook', 'SendSchedule', 'BulkMessage', 'User']),
    );
  });
});

/** Operations that take no input and answer no client error (see redocly.yaml). */
const NO_CLIENT_ERROR = new Set([
  'GET /health',
  'GET /health/live',
  'GET /health/ready',
  'GET /v1/openapi.json',
  'GET /docs',
]);

function operations(doc: Json): [string, Json][] {
  return Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op]),
  ) as [string, Json][];
}

describe('OpenAPI document for clients and linters', () => {
  it('gives every operation a unique camelCase operationId', async () => {
    const t = await httpSetup();
    const ops = operations(t.api.document() as Json);
    const ids = ops.map(([, op]) => op.operationId);
    expect(new Set(ids).size).toBe(ops.length);
    for (const id of ids) expect(id).toMatch(/^[a-z]+(?:[A-Z][a-z]*)*$/);
    const byKey = Object.fromEntries(ops.map(([key, op]) => [key, op.operationId]));
    expect(byKey).toMatchObject({
      'POST /v1/messages/send': 'sendMessage',
      'GET /v1/messages': 'listMessages',
      'DELETE /v1/webhooks/{webhookID}': 'deleteWebhook',
      'PUT /v1/send-schedules/{scheduleID}': 'updateSendSchedule',
      'GET /health/ready': 'getReadiness',
    });
  });

  it('documents a 4XX answer on every operation that takes input', async () => {
    const t = await httpSetup();
    for (const [key, op] of operations(t.api.document() as Json)) {
      const clientErrors = Object.keys(op.responses).filter((s) => s.startsWith('4'));
      if (NO_CLIENT_ERROR.has(key)) expect(clientErrors, key).toEqual([]);
      else expect(clientErrors.length, key).toBeGreaterThan(0);
    }
  });

  it('has a license, described tags, and formats on ids, times and nanoseconds', async () => {
    const t = await httpSetup();
    const doc = t.api.document() as Json;
    expect(doc.info.license).toEqual({ name: 'MIT', identifier: 'MIT' });
    const used = new Set(operations(doc).flatMap(([, op]) => op.tags));
    expect(doc.tags.map((tag: Json) => tag.name).sort()).toEqual([...used].sort());
    for (const tag of doc.tags) expect(tag.description, tag.name).toBeTruthy();
    const message = doc.components.schemas.Message.properties;
    expect(message.id.format).toBe('uuid');
    expect(message.created_at.format).toBe('date-time');
    expect(message.sent_at.anyOf[0].format).toBe('date-time');
    expect(message.send_time.anyOf[0]).toMatchObject({ type: 'integer', format: 'int64' });
    expect(doc.components.schemas.Webhook.properties.url.format).toBe('uri');
    const byId = doc.paths['/v1/messages/{messageID}'].get.parameters[0];
    expect(byId.schema).toEqual({ type: 'string', format: 'uuid' });
    // The phone's event route also takes the ids of multipart parts (`id.1`): no format.
    const events = doc.paths['/v1/messages/{messageID}/events'].post.parameters[0];
    expect(events.schema).toEqual({ type: 'string' });
  });

  it('names the prefix it is served under as its server', async () => {
    const t = await httpSetup();
    const atRoot = await t.call('GET', '/v1/openapi.json', { key: null });
    expect(atRoot.json.servers).toEqual([expect.objectContaining({ url: '/' })]);
    const response = await t.api.handle({
      method: 'GET',
      path: '/v1/openapi.json',
      basePath: '/sms/',
      headers: {},
    });
    const doc = JSON.parse(String(response?.body)) as Json;
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/sms' })]);
    // The document of the root is not changed by a prefixed answer.
    expect((t.api.document() as Json).servers[0].url).toBe('/');
  });

  it('documents the health probes: 200 and 503 with the readiness body', async () => {
    const t = await httpSetup();
    const doc = t.api.document() as Json;
    const ready = doc.paths['/health/ready'].get.responses;
    const readiness = { $ref: '#/components/schemas/Readiness' };
    expect(ready['200'].content['application/json'].schema).toEqual(readiness);
    expect(ready['503'].content['application/json'].schema).toEqual(readiness);
    const live = doc.paths['/health/live'].get.responses;
    expect(live['200'].content['application/json'].schema).toEqual(readiness);
    expect(doc.paths['/health'].get.responses['200'].content).toBeUndefined();
    expect(doc.components.schemas.Readiness.required).toEqual(['status', 'checks']);
  });
});
