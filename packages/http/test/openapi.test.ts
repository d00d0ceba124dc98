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
    expect(schema.required.sort()).toEqual(['content', 'from', 'to']);
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
