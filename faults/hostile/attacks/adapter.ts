/**
 * Hostile hand-overs in process: what an adapter may pass to the HTTP API (header
 * lists, parsed queries and bodies, odd paths).
 */
import fc from 'fast-check';
import { canBeInvalid, invalidBody, plausibleBody, wrongTypedBody } from '../bodies.js';
import type { Kit } from '../kit.js';
import type { Hostile, Payload } from '../request.js';
import {
  fill,
  JSON_ROUTES,
  PHONE_JSON_ROUTES,
  paramCount,
  REQUEST_ROUTES,
  routeKey,
} from '../routes.js';
import { odd } from '../values.js';

/** In process: what an adapter may hand over (header lists, parsed queries and bodies, odd paths). */
export function adapterOddities(kit: Kit): fc.Arbitrary<Hostile> {
  const { userKeys, sides, specOf, badCredentials, actorFor } = kit;
  return fc
    .tuple(sides)
    .chain(([[me, other]]) => {
      const spec = (key: string) => specOf(me, key);
      type Case = Omit<Hostile, 'family' | 'via'>;
      const cases: fc.Arbitrary<Case>[] = [
        fc
          .tuple(
            fc.constantFrom(...JSON_ROUTES),
            fc.oneof(fc.constant('wrong'), fc.constant('invalid'), fc.constant('shape')),
          )
          .chain(([route, asked]) => {
            const s = spec(routeKey(route));
            const how = asked === 'invalid' && !canBeInvalid(s) ? 'wrong' : asked;
            const value =
              how === 'wrong'
                ? wrongTypedBody(s)
                : how === 'invalid'
                  ? invalidBody(s)
                  : fc.oneof(
                      fc.constantFrom(null, 0, 'x', true, [], [{}]),
                      fc.array(plausibleBody(s), { minLength: 1, maxLength: 2 }),
                    );
            return fc.tuple(actorFor(route, me, other).ids, value).map(([ids, v]) => ({
              method: route.method,
              path: route.path.includes('{') ? fill(route.path, ids) : route.path,
              headers: {
                'x-api-key': PHONE_JSON_ROUTES.has(routeKey(route)) ? me.phoneKey : me.userKey,
                'content-type': 'application/json',
              },
              payload: { kind: 'parsed', value: v } as Payload,
              // Invalid fields on another account's id may meet the 404 first.
              expect:
                how !== 'invalid'
                  ? [400]
                  : route.path.includes('/{')
                    ? [...s.invalidStatuses, 404]
                    : s.invalidStatuses,
            }));
          }),
        fc.tuple(odd(1, 4), fc.constantFrom(...userKeys)).map(([junk, key]) => ({
          method: 'GET',
          path: '/v1/users/me',
          headers: { 'x-api-key': [junk, key] },
          payload: { kind: 'none' } as Payload,
          expect: [401],
        })),
        fc
          .tuple(fc.constantFrom(...REQUEST_ROUTES), odd(1, 4), badCredentials('user'))
          .map(([route, junk, creds]) => ({
            method: route.method.toLowerCase(),
            path: route.path.replace(/\{\w+\}/g, junk),
            headers: creds.headers,
            payload: { kind: 'none' } as Payload,
            // A phone key is a key on phone routes; with no body those refuse anyway.
            expect: [204, 400, 401, 404, 422],
          })),
        fc
          .tuple(
            fc.constantFrom(
              '/v1/messages',
              '/v1/messages/search',
              '/v1/phones',
              '/v1/heartbeats',
              '/v1/message-threads',
              '/v1/webhooks',
            ),
            fc.dictionary(
              fc.constantFrom(
                'owner',
                'owners',
                'contact',
                'skip',
                'limit',
                'query',
                'types',
                'statuses',
                'is_archived',
                'x-api-key',
              ),
              fc.oneof(
                fc.integer(),
                fc.boolean(),
                fc.constant(null),
                fc.constant({ nested: { deeper: ['x'] } }),
                fc.array(fc.oneof(odd(0, 3), fc.integer(), fc.constant(null)), { maxLength: 3 }),
                odd(0, 6),
              ),
            ),
          )
          .map(([path, query]) => ({
            method: 'GET',
            path,
            query,
            headers: { 'x-api-key': me.userKey },
            payload: { kind: 'none' } as Payload,
            expect: [200, 422],
          })),
        fc
          .tuple(fc.constantFrom(...REQUEST_ROUTES), odd(0, 3))
          .map(([route, junk]) => ({
            method: route.method,
            path: `${junk}${route.path.replace(/^\//, '')}`,
            headers: { 'x-api-key': me.userKey },
            payload: { kind: 'none' } as Payload,
          }))
          .filter((c) => !c.path.startsWith('/')),
        fc
          .tuple(
            fc.constantFrom(...REQUEST_ROUTES.filter((r) => paramCount(r.path) > 0)),
            odd(1, 4),
          )
          .map(([route, junk]) => ({
            method: route.method,
            path: route.path.replace(/\{\w+\}/g, junk.replaceAll('/', '')),
            headers: { 'x-api-key': route.auth === 'phone' ? me.spareKey : me.userKey },
            payload: { kind: 'none' } as Payload,
            expect: route.path.endsWith('/events')
              ? [204, 400, 401, 404, 422]
              : [400, 401, 404, 422],
          })),
      ];
      return fc.oneof(...cases);
    })
    .map((c): Hostile => ({ family: 'adapter oddities', via: 'api', ...c }));
}
