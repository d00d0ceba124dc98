/**
 * Hostile routes: unknown paths and methods, ids that are no UUID, preflights and
 * the public routes.
 */
import fc from 'fast-check';
import { plausibleBody } from '../bodies.js';
import type { Kit } from '../kit.js';
import { type Headers, type Hostile, jsonBytes, pct, queryString, type Via } from '../request.js';
import {
  fill,
  paramCount,
  REQUEST_ROUTES,
  ROUTES,
  type RouteDef,
  routeKey,
  V1_SEGMENTS,
} from '../routes.js';
import { notUuid, odd } from '../values.js';
import type { Side } from '../world.js';

/** Unknown paths and methods, ids that are no UUID, preflights, public routes. */
export function badRoute(kit: Kit): fc.Arbitrary<Hostile> {
  const { sides, specOf, via, anyId, anyPayload, idsFor, json } = kit;
  const anyAuth = (me: Side) =>
    fc.oneof(
      fc.constant({} as Headers),
      fc
        .constantFrom(me.userKey, me.phoneKey, me.spareKey)
        .map((k) => ({ 'x-api-key': k }) as Headers),
    );
  const unknownPath = fc.oneof(
    fc
      .tuple(odd(1, 4), fc.array(odd(0, 3), { maxLength: 3 }))
      .filter(([first]) => !V1_SEGMENTS.has(first))
      .map(([first, rest]) => `/v1/${[first, ...rest].map(pct).join('/')}`),
    fc
      .tuple(
        fc.constantFrom(
          '/v2',
          '/V1',
          '/api/v1',
          '/v1x',
          '/%76%31',
          '/.well-known',
          '/v1/messages%2Fsend',
          '/v1/%2e%2e',
        ),
        fc.constantFrom(...REQUEST_ROUTES).map((r) => r.path.replace(/^\/v1/, '')),
      )
      .map(([prefix, rest]) => `${prefix}${rest}`),
    fc.constantFrom(
      '/',
      '/favicon.ico',
      '/v1',
      '/v1/',
      '//',
      '/health/x',
      '/../../etc/passwd',
      '/v1/openapi.json/x',
    ),
  );
  return fc
    .tuple(sides, via)
    .chain(([[me, other], v]) => {
      type Case = Omit<Hostile, 'family' | 'via' | 'payload'> & { body?: Buffer; via?: Via };
      const auth = anyAuth(me);
      const cases: fc.Arbitrary<Case>[] = [
        // No route has these methods.
        fc
          .tuple(
            fc.constantFrom('PATCH', 'TRACE', 'FOO', 'PROPFIND', 'LINK', 'PURGE'),
            fc.oneof(
              fc
                .constantFrom(...REQUEST_ROUTES)
                .chain((r) => idsFor(r).map((ids) => fill(r.path, ids))),
              unknownPath,
            ),
            auth,
          )
          // Node's parser refuses methods it does not know (400) before any handler: those in process.
          .map(([method, path, headers]) => ({
            method,
            path,
            headers,
            expect: [404],
            ...(method === 'FOO' ? { via: 'api' as const } : {}),
          })),
        // No route serves these paths.
        fc
          .tuple(
            fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
            unknownPath,
            auth,
            anyPayload(ROUTES[0] as RouteDef, me),
          )
          .map(([method, path, headers, body]) => ({
            method,
            path,
            headers: { ...body.headers, ...headers },
            ...(body.payload.kind === 'bytes' ? { body: body.payload.data } : {}),
            expect: [404],
          })),
        // Known paths with a method they lack: 404, or another route that refuses the id.
        fc
          .tuple(
            fc.constantFrom(...REQUEST_ROUTES),
            fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
            auth,
          )
          .filter(([r, m]) => !ROUTES.some((x) => x.path === r.path && x.method === m))
          .chain(([r, m, headers]) =>
            idsFor(r).map((ids) => ({ method: m, path: fill(r.path, ids), headers })),
          ),
        // Ids that are no UUID, with the actor's key; ids with a `.` are parts of a multipart SMS (204).
        fc.constantFrom(...REQUEST_ROUTES.filter((r) => paramCount(r.path) > 0)).chain((r) =>
          fc
            .tuple(
              fc.array(
                fc.oneof(
                  notUuid.map(pct),
                  fc.constantFrom(...other.messageIds).map((id) => id.toUpperCase()),
                  fc.constantFrom(...me.messageIds, ...other.messageIds).map((id) => `${id}.1`),
                ),
                { minLength: paramCount(r.path), maxLength: paramCount(r.path) },
              ),
              r.body === 'json'
                ? plausibleBody(specOf(me, routeKey(r))).map((b) => jsonBytes(b))
                : fc.constant(undefined),
            )
            .map(([ids, body]) => ({
              method: r.method,
              path: fill(r.path, ids),
              headers: {
                'x-api-key': r.path.endsWith('/events') ? me.phoneKey : me.userKey,
                ...(body ? json : {}),
              },
              ...(body ? { body } : {}),
              expect: r.path.endsWith('/events') ? [204, 404, 422] : [400, 401, 404, 422],
            })),
        ),
        // Preflights: 204 where a route serves the path, else 404.
        fc
          .tuple(
            fc.oneof(
              fc
                .constantFrom(...REQUEST_ROUTES)
                .chain((r) => idsFor(r).map((ids) => fill(r.path, ids))),
              unknownPath,
            ),
            odd(0, 6),
          )
          .map(([path, requested]) => ({
            method: 'OPTIONS',
            path,
            headers: {
              origin: 'https://evil.example',
              'access-control-request-headers': requested,
            },
            expect: [204, 404],
          })),
        // HEAD of reads without a key.
        fc.constantFrom(...REQUEST_ROUTES.filter((r) => r.method === 'GET')).chain((r) =>
          idsFor(r).map((ids) => ({
            method: 'HEAD',
            path: fill(r.path, ids),
            headers: {},
            expect: [401],
          })),
        ),
        // Public routes with junk.
        fc
          .tuple(
            fc.array(fc.oneof(anyId, odd(1, 3).map(pct)), { minLength: 4, maxLength: 4 }),
            fc.constantFrom('GET', 'HEAD'),
          )
          .map(([segments, method]) => ({
            method,
            path: `/v1/attachments/${segments.join('/')}`,
            headers: {},
            expect: [404],
          })),
        fc
          .tuple(fc.constantFrom('/health', '/v1/openapi.json'), odd(0, 4), auth)
          .map(([path, junk, headers]) => ({
            method: 'GET',
            path,
            query: queryString([['junk', junk]]),
            headers,
            expect: [200],
          })),
        fc
          .tuple(
            fc.constantFrom('/health', '/v1/openapi.json'),
            fc.constantFrom('POST', 'PUT', 'DELETE'),
          )
          .map(([path, method]) => ({ method, path, headers: {}, expect: [404] })),
      ];
      return fc.tuple(fc.oneof(...cases), fc.constant(v));
    })
    .map(([kase, v]): Hostile => {
      const { body, ...rest } = kase;
      return {
        family: 'bad route',
        via: v,
        ...rest,
        payload: body ? { kind: 'bytes', data: body } : { kind: 'none' },
      };
    });
}
