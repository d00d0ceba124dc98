/**
 * The OpenAPI 3.1 document, generated from the route table: the same zod schemas
 * that decode queries and bodies describe them here (`z.toJSONSchema`), and the
 * wire schemas of `domain/wire.ts` describe the answers. `npm run lint:openapi`
 * holds it to Redocly's recommended rules.
 */

import {
  wireAccountSchema,
  wireDiscordIntegrationSchema,
  wireHeartbeatSchema,
  wireIntegration3cxSchema,
  wireMessageSchema,
  wirePhoneApiKeySchema,
  wirePhoneSchema,
  wirePoolSchema,
  wireSendScheduleSchema,
  wireSuppressionSchema,
  wireThreadSchema,
  wireWebhookDeliverySchema,
  wireWebhookSchema,
} from '@textport/core/wire';
import { z } from 'zod';
import { READINESS_SCHEMA, serverAt, TAG_DESCRIPTIONS } from './openapi-parts.js';
import type { ComponentName, DataDoc, ResponseDoc, Route } from './route.js';
import { wireBulkMessageSchema } from './routes/bulk.js';
import { REQUIRED_META } from './schemas.js';

type Json = Record<string, unknown>;

const COMPONENTS: Record<ComponentName, z.ZodType> = {
  Message: wireMessageSchema,
  Phone: wirePhoneSchema,
  Heartbeat: wireHeartbeatSchema,
  MessageThread: wireThreadSchema,
  User: wireAccountSchema,
  PhoneApiKey: wirePhoneApiKeySchema,
  Webhook: wireWebhookSchema,
  WebhookDelivery: wireWebhookDeliverySchema,
  SendSchedule: wireSendScheduleSchema,
  Suppression: wireSuppressionSchema,
  Pool: wirePoolSchema,
  DiscordIntegration: wireDiscordIntegrationSchema,
  Integration3cx: wireIntegration3cxSchema,
  BulkMessage: wireBulkMessageSchema,
};

const ERROR_TEXT: Record<number, string> = {
  400: "The request isn't properly formed (unreadable JSON, wrong JSON type, wrong content type)",
  401: 'Missing or unknown API key, or a phone key outside its numbers',
  402: "The host's quota refused the send (nothing was written)",
  404: 'Not found',
  409: 'Conflict',
  413: 'The body is larger than the limit of the route',
  422: 'Validation errors: `data` is `{field: [messages]}`',
  429: 'Too many at once (event streams open for the account)',
  500: 'Internal error',
};

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return liftRequired(rest);
}

/** Moves the `needed()` marks of properties into the object's `required` list, recursively. */
function liftRequired(node: Json): Json {
  const properties = node.properties as Record<string, Json> | undefined;
  if (properties) {
    const required = new Set((node.required as string[] | undefined) ?? []);
    for (const [key, property] of Object.entries(properties)) {
      if (property[REQUIRED_META] === true) {
        delete property[REQUIRED_META];
        required.add(key);
      }
      liftRequired(property);
    }
    if (required.size > 0) node.required = [...required];
  }
  for (const key of ['items', 'anyOf', 'oneOf', 'allOf']) {
    const child = node[key];
    if (Array.isArray(child)) for (const c of child) liftRequired(c as Json);
    else if (child && typeof child === 'object') liftRequired(child as Json);
  }
  return node;
}

function dataSchema(data: DataDoc): Json {
  if (data === null) return { type: 'null' };
  if (typeof data === 'string') return { $ref: `#/components/schemas/${data}` };
  if (Array.isArray(data))
    return { type: 'array', items: { $ref: `#/components/schemas/${data[0]}` } };
  return schemaOf(data as z.ZodType, 'output');
}

function response(doc: ResponseDoc): Json {
  const { status, data, description, body } = doc;
  if (status === 204 || body === null) return { description };
  if (body) return { description, content: { [body.mediaType]: { schema: body.schema } } };
  const properties: Json = { status: { const: 'success' }, message: { type: 'string' } };
  if (data !== undefined) properties.data = dataSchema(data);
  const required = data === undefined ? ['status', 'message'] : ['status', 'message', 'data'];
  const schema = { type: 'object', properties, required };
  return { description, content: { 'application/json': { schema } } };
}

function errorStatuses(route: Route): number[] {
  const statuses = new Set<number>(route.docs.errors ?? []);
  if (route.auth !== 'public') statuses.add(401);
  if (route.body || route.upload) statuses.add(400).add(413).add(422);
  if (route.query || (route.path.includes('{') && route.auth !== 'public')) statuses.add(422);
  if (route.auth !== 'public') statuses.add(500);
  return [...statuses].sort();
}

function parameters(route: Route): Json[] {
  const list: Json[] = [];
  const uuids = new Set(route.docs.uuids ?? []);
  for (const [, name = ''] of route.path.matchAll(/\{(\w+)\}/g)) {
    const schema = uuids.has(name) ? { type: 'string', format: 'uuid' } : { type: 'string' };
    list.push({ name, in: 'path', required: true, schema });
  }
  if (route.query) {
    const schema = schemaOf(route.query, 'input');
    const required = new Set((schema.required as string[] | undefined) ?? []);
    for (const [name, property] of Object.entries(
      (schema.properties ?? {}) as Record<string, Json>,
    )) {
      const { description, ...rest } = property;
      const explode = route.listKeys.has(name) ? { style: 'form', explode: true } : {};
      list.push({
        name,
        in: 'query',
        required: required.has(name),
        description,
        schema: rest,
        ...explode,
      });
    }
  }
  return list;
}

function operation(route: Route): Json {
  const op: Json = {
    operationId: route.docs.operationId,
    tags: [route.docs.tag],
    summary: route.docs.summary,
    security:
      route.auth === 'public' ? [] : route.auth === 'admin' ? [{ adminKey: [] }] : [{ apiKey: [] }],
  };
  if (route.docs.description) op.description = route.docs.description;
  const params = parameters(route);
  if (params.length > 0) op.parameters = params;
  if (route.body) {
    const schema = schemaOf(route.body, 'input');
    op.requestBody = { required: true, content: { 'application/json': { schema } } };
  } else if (route.upload) {
    const schema = {
      type: 'object',
      properties: {
        [route.upload]: { type: 'string', contentMediaType: 'application/octet-stream' },
      },
      required: [route.upload],
    };
    op.requestBody = { required: true, content: { 'multipart/form-data': { schema } } };
  }
  const responses: Json = { [String(route.docs.success.status)]: response(route.docs.success) };
  for (const other of route.docs.otherResponses ?? []) {
    responses[String(other.status)] = response(other);
  }
  for (const status of errorStatuses(route)) {
    responses[String(status)] = {
      description: ERROR_TEXT[status] ?? 'Error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  op.responses = responses;
  return op;
}

/** The tags of the routes, in first-use order, each with its description. */
function tagsOf(routes: readonly Route[]): Json[] {
  const names = [...new Set(routes.map((r) => r.docs.tag))];
  return names.map((name) => {
    const description = TAG_DESCRIPTIONS[name];
    if (!description) throw new Error(`the OpenAPI tag "${name}" has no description`);
    return { name, description };
  });
}

/** The document of the routes, served at the root (`servedUnder` moves it under a prefix). */
export function buildOpenApiDocument(
  routes: readonly Route[],
  info: { title: string; version: string },
) {
  const paths: Record<string, Json> = {};
  const operationIds = new Set<string>();
  for (const route of routes) {
    if (operationIds.has(route.docs.operationId)) {
      throw new Error(`the operationId "${route.docs.operationId}" is used twice`);
    }
    operationIds.add(route.docs.operationId);
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route) };
  }
  const schemas: Json = {
    Error: {
      type: 'object',
      properties: { status: { const: 'error' }, message: { type: 'string' }, data: {} },
      required: ['status', 'message'],
    },
  };
  for (const [name, schema] of Object.entries(COMPONENTS))
    schemas[name] = schemaOf(schema, 'output');
  schemas.Readiness = READINESS_SCHEMA;
  return {
    openapi: '3.1.0',
    info: {
      ...info,
      description:
        'The httpSMS v1 API as served by textport. Authenticate with the `x-api-key` header: user keys (`uk_…`) on every route, phone keys (`pk_…`) on the phone routes.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [serverAt('')],
    tags: tagsOf(routes),
    paths,
    components: {
      schemas,
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        ...(routes.some((r) => r.auth === 'admin')
          ? {
              adminKey: {
                type: 'http',
                scheme: 'bearer',
                description: "The operator's admin key (the server's TEXTPORT_ADMIN_KEY).",
              },
            }
          : {}),
      },
    },
  };
}

/**
 * The document as served under `basePath` (`/sms`; '' at the root): its only
 * server is that path, relative to the host the document was fetched from.
 */
export function servedUnder<D extends object>(document: D, basePath: string): D {
  return { ...document, servers: [serverAt(basePath)] };
}
