/**
 * Hostile request bodies: malformed (not JSON, cut short, wrong content type, not an
 * object), JSON objects with a field of the wrong JSON type, and fields of the right
 * type with odd Unicode where at least one fails validation.
 */
import fc from 'fast-check';
import {
  closeDelimiter,
  invalidBody,
  invalidDocument,
  MULTIPART_TYPE,
  plausibleBody,
  wrongTypedBody,
} from '../bodies.js';
import type { Kit } from '../kit.js';
import { type Headers, type Hostile, isPlainObject, jsonBytes } from '../request.js';
import { fill, JSON_ROUTES, REQUEST_ROUTES, routeKey } from '../routes.js';
import { invalidPhone, unsupportedMediaType } from '../values.js';

/** Malformed bodies: not JSON, cut short, wrong content type, not an object. */
export function malformed(kit: Kit): fc.Arbitrary<Hostile> {
  const { sides, specs, via, actorFor } = kit;
  return fc
    .tuple(sides, fc.constantFrom(...REQUEST_ROUTES.filter((r) => r.body !== undefined)), via)
    .chain(([[me, other], route, v]) => {
      const actor = actorFor(route, me, other);
      const spec = specs.get(me)?.[routeKey(route)];
      const plausible = spec ? plausibleBody(spec) : fc.constant({ x: 1 });
      const firstField = Object.keys(spec?.fields ?? { content: null })[0] ?? 'content';
      const withType = (type: string | undefined, data: Buffer) => ({
        type,
        data,
      });
      const bodies =
        route.body === 'multipart'
          ? fc.oneof(
              fc
                .uint8Array({ maxLength: 2048 })
                .map((b) => withType(MULTIPART_TYPE, Buffer.from(b))),
              fc.constant(withType('multipart/form-data', Buffer.from('--x\r\n\r\n'))),
              fc.constant(withType('multipart/form-data; boundary=', Buffer.from('--\r\n'))),
              invalidDocument(me, other).chain((doc) =>
                fc
                  .nat(doc.length - closeDelimiter().length - 1)
                  .map((n) => withType(MULTIPART_TYPE, doc.subarray(0, n))),
              ),
              invalidDocument(me, other).map((doc) => withType('application/json', doc)),
              plausible.map((b) => withType('application/json', jsonBytes(b))),
            )
          : fc.oneof(
              plausible.chain((b) => {
                const text = JSON.stringify(b);
                return fc
                  .nat(text.length - 1)
                  .map((n) => withType('application/json', Buffer.from(text.slice(0, n))));
              }),
              fc
                .uint8Array({ maxLength: 512 })
                .filter((bytes) => {
                  try {
                    return !isPlainObject(JSON.parse(Buffer.from(bytes).toString('utf8')));
                  } catch {
                    return true;
                  }
                })
                .map((b) => withType('application/json', Buffer.from(b))),
              fc
                .tuple(
                  plausible,
                  fc.constantFrom(
                    undefined,
                    '',
                    'text/plain',
                    'text/json',
                    'application/x-www-form-urlencoded',
                    'multipart/form-data; boundary=x',
                    'application/json-seq',
                    'application/jsonx',
                    'json',
                    'application/xml',
                    '*/*',
                  ),
                )
                .map(([b, type]) => withType(type, jsonBytes(b))),
              plausible.map((b) =>
                withType(
                  'application/json',
                  Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), jsonBytes(b)]),
                ),
              ),
              plausible.map((b) => withType('application/json', jsonBytes([b]))),
              fc
                .constantFrom(
                  'null',
                  '[]',
                  '""',
                  '0',
                  'true',
                  '"{}"',
                  'NaN',
                  '{',
                  '}',
                  '{"a":}',
                  "{'a':1}",
                  '{"a":1,}',
                  '\u0000',
                )
                .map((t) => withType('application/json', Buffer.from(t))),
              fc
                .integer({ min: 1, max: 200_000 })
                .map((depth) =>
                  withType('application/json', Buffer.from('['.repeat(depth) + ']'.repeat(depth))),
                ),
              // Depth 1 would be a well-formed empty list (a validation error, 422); from
              // depth 2 the field holds a list of lists, the wrong JSON type.
              fc
                .integer({ min: 2, max: 50_000 })
                .map((depth) =>
                  withType(
                    'application/json',
                    Buffer.from(`{"${firstField}":${'['.repeat(depth)}${']'.repeat(depth)}}`),
                  ),
                ),
              plausible.map((b) =>
                withType('application/json', Buffer.from(`${JSON.stringify(b)} trailing`)),
              ),
            );
      return fc.tuple(
        fc.constant(route),
        fc.constant(v),
        fc.constant(actor.headers),
        actor.ids,
        bodies,
      );
    })
    .map(([route, v, headers, ids, body]): Hostile => {
      const events = route.path.endsWith('/events');
      return {
        family: 'malformed body',
        via: v,
        method: route.method,
        path: fill(route.path, ids),
        headers: { ...headers, ...(body.type === undefined ? {} : { 'content-type': body.type }) },
        payload: { kind: 'bytes', data: body.data },
        // The events route reads a body the app's template broke (then: unknown message, 404);
        // a multipart body with no document part is 422.
        expect: events ? [400, 404] : route.body === 'multipart' ? [400, 422] : [400],
      };
    });
}

/** JSON objects with a field of the wrong JSON type. */
export function wrongTypes(kit: Kit): fc.Arbitrary<Hostile> {
  const { sides, specOf, via, json, actorFor } = kit;
  return fc
    .tuple(sides, fc.constantFrom(...JSON_ROUTES), via)
    .chain(([[me, other], route, v]) => {
      const actor = actorFor(route, me, other);
      return fc.tuple(
        fc.constant(route),
        fc.constant(v),
        fc.constant(actor.headers),
        actor.ids,
        wrongTypedBody(specOf(me, routeKey(route))),
      );
    })
    .map(
      ([route, v, headers, ids, body]): Hostile => ({
        family: 'wrong JSON types',
        via: v,
        method: route.method,
        path: fill(route.path, ids),
        headers: { ...json, ...headers },
        payload: { kind: 'bytes', data: jsonBytes(body) },
        expect: [400],
      }),
    );
}

/** Right JSON types, odd Unicode, and at least one field that fails validation. */
export function invalidFields(kit: Kit): fc.Arbitrary<Hostile> {
  const { sides, specOf, via } = kit;
  return fc
    .tuple(sides, via)
    .chain(([[me, other], v]) => {
      const spec = (key: string) => specOf(me, key);
      const userKey = { 'x-api-key': me.userKey };
      const phoneKey = { 'x-api-key': me.phoneKey };
      type Case = {
        method: string;
        path: string;
        headers: Headers;
        body: Buffer;
        type?: string;
        expect: readonly number[];
      };
      const jsonCase = (method: string, path: string, key: string, headers: Headers) =>
        invalidBody(spec(key)).map(
          (body): Case => ({
            method,
            path,
            headers,
            body: jsonBytes(body),
            expect: spec(key).invalidStatuses,
          }),
        );
      const invalidIdempotencyKey = fc.oneof(
        fc.constantFrom('', 'a b', 'tab\tinside', 'clé', 'ключ', '💥'),
        fc.integer({ min: 256, max: 400 }).map((n) => 'k'.repeat(n)),
      );
      const cases: fc.Arbitrary<Case>[] = [
        jsonCase('POST', '/v1/messages/send', 'POST /v1/messages/send', userKey),
        fc.tuple(plausibleBody(spec('POST /v1/messages/send')), invalidIdempotencyKey).map(
          ([body, key]): Case => ({
            method: 'POST',
            path: '/v1/messages/send',
            headers: { ...userKey, 'idempotency-key': key },
            body: jsonBytes(body),
            expect: [422],
          }),
        ),
        jsonCase('POST', '/v1/messages/bulk-send', 'POST /v1/messages/bulk-send', userKey),
        fc.tuple(plausibleBody(spec('POST /v1/messages/bulk-send')), invalidIdempotencyKey).map(
          ([body, key]): Case => ({
            method: 'POST',
            path: '/v1/messages/bulk-send',
            headers: { ...userKey, 'idempotency-key': key },
            body: jsonBytes(body),
            expect: [422],
          }),
        ),
        jsonCase('PUT', '/v1/phones', 'PUT /v1/phones', userKey),
        jsonCase('PUT', '/v1/users/me', 'PUT /v1/users/me', userKey),
        jsonCase('POST', '/v1/phone-api-keys', 'POST /v1/phone-api-keys', userKey),
        jsonCase('POST', '/v1/webhooks', 'POST /v1/webhooks', userKey),
        jsonCase('PUT', `/v1/webhooks/${me.webhookId}`, 'PUT /v1/webhooks/{webhookID}', userKey),
        jsonCase('POST', '/v1/send-schedules', 'POST /v1/send-schedules', userKey),
        jsonCase(
          'PUT',
          `/v1/send-schedules/${me.scheduleId}`,
          'PUT /v1/send-schedules/{scheduleID}',
          userKey,
        ),
        fc
          .constantFrom(userKey, phoneKey)
          .chain((h) => jsonCase('PUT', '/v1/phones/fcm-token', 'PUT /v1/phones/fcm-token', h)),
        jsonCase('POST', '/v1/heartbeats', 'POST /v1/heartbeats', phoneKey),
        jsonCase('POST', '/v1/messages/receive', 'POST /v1/messages/receive', phoneKey),
        fc
          .tuple(
            plausibleBody(spec('POST /v1/messages/receive')),
            unsupportedMediaType,
            fc.constantFrom(userKey, phoneKey),
          )
          .map(
            ([body, type, headers]): Case => ({
              method: 'POST',
              path: '/v1/messages/receive',
              headers,
              body: jsonBytes({
                ...body,
                attachments: [{ name: 'a.png', content_type: type, content: 'iVBORw0KGgo=' }],
              }),
              expect: [422],
            }),
          ),
        jsonCase('POST', '/v1/messages/calls/missed', 'POST /v1/messages/calls/missed', phoneKey),
        fc
          .constantFrom(...me.messageIds)
          .chain((id) =>
            jsonCase(
              'POST',
              `/v1/messages/${id}/events`,
              'POST /v1/messages/{messageID}/events',
              phoneKey,
            ),
          ),
        fc
          .constantFrom(...me.threadIds)
          .chain((id) =>
            jsonCase(
              'PUT',
              `/v1/message-threads/${id}`,
              'PUT /v1/message-threads/{messageThreadID}',
              userKey,
            ),
          ),
        invalidDocument(me, other).map(
          (body): Case => ({
            method: 'POST',
            path: '/v1/bulk-messages',
            headers: { ...userKey, 'content-type': MULTIPART_TYPE },
            body,
            expect: [422],
          }),
        ),
        // Bytes that are not UTF-8 in the content of a send from a number that is none.
        fc
          .tuple(plausibleBody(spec('POST /v1/messages/send')), invalidPhone)
          .map(([body, from]): Case => {
            const text = JSON.stringify({ ...body, from, content: '@@RAW@@' });
            const [head, tail] = text.split('@@RAW@@');
            return {
              method: 'POST',
              path: '/v1/messages/send',
              headers: userKey,
              body: Buffer.concat([
                Buffer.from(head ?? ''),
                Buffer.from([0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80]),
                Buffer.from(tail ?? ''),
              ]),
              expect: [422],
            };
          }),
      ];
      return fc.tuple(fc.oneof(...cases), fc.constant(v));
    })
    .map(
      ([kase, v]): Hostile => ({
        family: 'invalid fields',
        via: v,
        method: kase.method,
        path: kase.path,
        headers: { 'content-type': 'application/json; charset=utf-8', ...kase.headers },
        payload: { kind: 'bytes', data: kase.body },
        expect: kase.expect,
      }),
    );
}
