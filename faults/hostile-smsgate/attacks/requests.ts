/**
 * Hostile queries, paths and methods with valid credentials: a pull in an unknown
 * order, lists with bad dates, states, device ids of the wrong length, negative
 * offsets; sends with bad query flags; ids that are no id (NUL, broken
 * percent-encoding, lone surrogates); unknown paths under both prefixes; known
 * paths with a method they do not take.
 */
import fc from 'fast-check';
import type { Headers, Hostile } from '../../hostile/request.js';
import { pct, queryString } from '../../hostile/request.js';
import { odd, withNul } from '../../hostile/values.js';
import { bytesOf, JSON_TYPE, type Kit, request } from '../kit.js';
import { MOBILE, USER_API } from '../node.js';
import { byKey, methodsOf, pathOf, ROUTES } from '../routes.js';

const notIn =
  (values: readonly string[]) =>
  (s: string): boolean =>
    !values.includes(s);

/** Values of each query parameter that the route refuses. */
const BAD_QUERY: Record<string, fc.Arbitrary<string>> = {
  order: fc.oneof(
    fc.constantFrom('sideways', 'LIFO', 'FIFO', '', ' lifo', 'lifo ', 'lifo\u0000', 'random'),
    odd(1, 6).filter(notIn(['lifo', 'fifo'])),
  ),
  from: fc.constantFrom('yesterday', '2026-11-24', '2026-11-24T12:00:00', '2026-13-45T99:99:99Z'),
  to: fc.oneof(fc.constantFrom('1764072000', 'now', '2026-11-24T12:00:00.Z'), odd(1, 4)),
  state: fc.oneof(
    fc.constantFrom('pending', 'PENDING', 'Unknown', 'Sent,Failed', 'Pending '),
    odd(1, 4).filter(
      notIn(['Pending', 'Processed', 'Sent', 'Delivered', 'Failed', 'Cancelling', 'Cancelled']),
    ),
  ),
  deviceId: fc.oneof(
    fc.integer({ min: 1, max: 20 }).map((n) => 'A'.repeat(n)),
    fc.integer({ min: 22, max: 64 }).map((n) => 'A'.repeat(n)),
  ),
  sort: fc.constantFrom('created', '+created_at', 'created_at,-id', 'CREATED_AT', 'updated_at'),
  offset: fc.constantFrom('-1', 'x', '1.5', '1e3', '0x10', '9'.repeat(16)),
  limit: fc.constantFrom('x', '1.5', '1e2', '-', '9'.repeat(16), '10\u0000'),
  includeContent: fc.constantFrom('maybe', 'yes', '2', 'on', 'TRUE '),
  skipPhoneValidation: fc.constantFrom('maybe', 'yes', 'nope', '2'),
  deviceActiveWithin: fc.constantFrom('-1', 'x', '1.5', '1h'),
};

/** One bad query parameter, beside valid ones. */
export function badQuery(kit: Kit): fc.Arbitrary<Hostile> {
  const pull = ['mobile GET /message', 'mobile GET /messages'];
  const list = ['user GET /messages', 'user GET /message'];
  const listNames = [
    'from',
    'to',
    'state',
    'deviceId',
    'sort',
    'offset',
    'limit',
    'includeContent',
  ];
  return kit.sides.chain(([me]) =>
    fc.oneof(
      fc.tuple(fc.constantFrom(...pull), BAD_QUERY.order ?? fc.constant('x')).map(([key, order]) =>
        request('bad query', byKey(key), {
          headers: kit.validAuth(byKey(key), me),
          query: queryString([['order', order]]),
          expect: [400],
        }),
      ),
      fc
        .tuple(
          fc.constantFrom(...list),
          fc
            .constantFrom(...listNames)
            .chain((name) => (BAD_QUERY[name] ?? fc.constant('x')).map((v) => [name, v] as const)),
          fc.subarray<[string, string]>([
            ['limit', '10'],
            ['offset', '0'],
            ['sort', 'created_at'],
            ['from', '2026-11-01T00:00:00Z'],
          ]),
        )
        .map(([key, bad, valid]) =>
          request('bad query', byKey(key), {
            headers: kit.validAuth(byKey(key), me),
            query: queryString([...valid.filter(([n]) => n !== bad[0]), bad]),
            expect: [400],
          }),
        ),
      // A device id of the right length with a NUL: no rows (or a 400), never a 5xx.
      fc
        .tuple(fc.constantFrom(...list), withNul(fc.constant('A'.repeat(20))))
        .map(([key, deviceId]) =>
          request('bad query', byKey(key), {
            headers: kit.validAuth(byKey(key), me),
            query: queryString([['deviceId', deviceId]]),
            expect: [200, 400],
            empty: true,
          }),
        ),
      // A valid send with a bad flag in its query: nothing is sent.
      fc
        .tuple(
          fc.constantFrom('user POST /messages', 'user POST /message'),
          fc.constantFrom('skipPhoneValidation', 'deviceActiveWithin'),
        )
        .chain(([key, name]) =>
          (BAD_QUERY[name] ?? fc.constant('x')).map((v) =>
            request('bad query', byKey(key), {
              headers: { ...JSON_TYPE, ...kit.validAuth(byKey(key), me) },
              payload: bytesOf(kit.specOf(byKey(key), me)?.body),
              query: queryString([[name, v]]),
              expect: [400],
            }),
          ),
        ),
    ),
  );
}

/** Path ids that are no id of the account: not found, or refused before the store is asked. */
export function badIds(kit: Kit): fc.Arbitrary<Hostile> {
  const id = fc.oneof(
    fc.constantFrom('%00', 'a%00b', '%ED%A0%80', '%E0%A4%A', '%FF', '%', '..', '%2F', 'a%2Fb'),
    withNul(odd(0, 4)).map(pct),
    odd(1, 6).map(pct),
    fc.integer({ min: 37, max: 3000 }).map((n) => 'x'.repeat(n)),
    kit.unknownId,
  );
  const reads = [
    'user GET /messages/{id}',
    'user GET /message/{id}',
    'user DELETE /messages/{id}',
    'user DELETE /message/{id}',
  ];
  const deletes = [
    'user DELETE /devices/{id}',
    'user DELETE /device/{id}',
    'user DELETE /webhooks/{id}',
  ];
  return fc.tuple(kit.sides, fc.constantFrom(...reads, ...deletes), id).map(([[me], key, value]) =>
    request('bad ids', byKey(key), {
      id: value,
      headers: { authorization: me.basic },
      // SMSGate deletes an unknown device or webhook with 204; a path that is not
      // valid percent-encoding is a 400.
      expect: deletes.includes(key) ? [204, 400] : [400, 404],
    }),
  );
}

/** Unknown paths under both prefixes, and known paths with a method they do not take. */
export function badRoute(kit: Kit): fc.Arbitrary<Hostile> {
  const prefixes = [MOBILE, USER_API];
  const known = new Set(ROUTES.map((r) => r.path.split('/')[1]));
  const unknownPath = fc.oneof(
    fc
      .tuple(fc.constantFrom(...prefixes), odd(1, 4), fc.array(odd(0, 3), { maxLength: 2 }))
      .filter(([, first]) => !known.has(first))
      .map(([prefix, first, rest]) => `${prefix}/${[first, ...rest].map(pct).join('/')}`),
    fc.constantFrom(
      `${MOBILE}/device/x`,
      `${MOBILE}/devices`,
      `${MOBILE}/message/x`,
      `${MOBILE}/events/x`,
      `${MOBILE}/user`,
      `${MOBILE}/user/code/x`,
      `${MOBILE}/../3rdparty/v1/messages`,
      `${MOBILE}%2Fdevice`,
      `${USER_API}/messages/x/y`,
      `${USER_API}/inbox/x`,
      `${USER_API}/health/x`,
      `${USER_API}/settings/messages`,
      `${USER_API}/auth`,
      '/smsgate/mobile/v2/device',
      '/smsgate/3rdparty/v2/messages',
      '/smsgate',
      '/api/mobile/v1/device',
    ),
  );
  const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND'];
  return kit.sides.chain(([me]) => {
    const auth = fc.constantFrom<Headers>(
      {},
      { authorization: me.basic },
      { authorization: `Bearer ${me.deviceToken}` },
    );
    const unknown = fc.tuple(unknownPath, fc.constantFrom(...methods), auth).map(
      ([path, method, headers]): Hostile => ({
        family: 'bad route',
        via: 'http',
        method,
        path,
        headers,
        payload: { kind: 'none' },
        expect: [404, 405],
      }),
    );
    const wrongMethod = fc
      .tuple(fc.constantFrom(...ROUTES), fc.constantFrom(...methods), auth)
      .filter(([route, method]) => !methodsOf(route).includes(method))
      .map(
        ([route, method, headers]): Hostile => ({
          family: 'bad route',
          via: 'http',
          method,
          path: pathOf(route, 'x'),
          headers,
          payload: { kind: 'none' },
          expect: [405],
        }),
      );
    return fc.oneof(unknown, wrongMethod);
  });
}
