/**
 * Hostile reads: list and search routes with odd query values (never the phone's
 * outstanding message of the reader).
 */
import fc from 'fast-check';
import type { Kit } from '../kit.js';
import { type Hostile, queryString } from '../request.js';
import { notUuid, odd, oddOver } from '../values.js';

/** Reads with odd query values (never the phone's outstanding message of the reader). */
export function badQuery(kit: Kit): fc.Arbitrary<Hostile> {
  const { sides, via } = kit;
  const oddValue = fc.oneof(
    odd(0, 8),
    fc.constantFrom(
      '-1',
      '0',
      '-0',
      '00001',
      '1e3',
      '0x10',
      '１２',
      '99999999999999999999',
      '2147483648',
      ' 1',
      'NaN',
      '',
    ),
    fc.integer({ min: 101, max: 400 }).chain((n) => oddOver(n)),
  );
  const rawQueryJunk = fc.array(
    fc.constantFrom(
      '%',
      '%zz',
      '%E0%A4%A',
      'a=%FF%FE',
      '&&',
      '=',
      'limit',
      'skip=%00',
      'x-api-key',
      '+++',
      '%2B1',
      'owner=%20%2B1',
    ),
    { maxLength: 3 },
  );
  const readRoutes: { path: string; params: string[]; phone?: boolean }[] = [
    { path: '/v1/messages', params: ['owner', 'contact', 'skip', 'limit', 'query'] },
    {
      path: '/v1/messages/search',
      params: ['owners', 'owners', 'types', 'statuses', 'skip', 'limit', 'query'],
    },
    { path: '/v1/phones', params: ['skip', 'limit', 'query'] },
    { path: '/v1/heartbeats', params: ['owner', 'skip', 'limit', 'query'] },
    { path: '/v1/message-threads', params: ['owner', 'is_archived', 'skip', 'limit', 'query'] },
    { path: '/v1/phone-api-keys', params: ['skip', 'limit', 'query'] },
    { path: '/v1/webhooks', params: ['skip', 'limit', 'query'] },
    { path: '/v1/send-schedules', params: ['skip', 'limit'] },
    { path: '/v1/bulk-messages', params: ['skip'] },
    { path: '/v1/users/me', params: ['timezone'] },
    { path: '/v1/messages/outstanding', params: ['message_id', 'message_id'], phone: true },
    { path: '/health', params: ['x'] },
  ];
  return fc
    .tuple(sides, fc.constantFrom(...readRoutes), via)
    .chain(([[me, other], route, v]) => {
      const values = route.path.endsWith('/outstanding')
        ? fc.oneof(notUuid, fc.constantFrom(...other.messageIds), fc.uuid({ version: 4 }))
        : oddValue;
      const key = route.phone
        ? fc.constantFrom(me.userKey, me.phoneKey, me.spareKey)
        : fc.constant(me.userKey);
      return fc.tuple(
        fc.constant(route),
        fc.constant(v),
        key,
        fc
          .subarray(route.params)
          .chain((names) =>
            fc.tuple(...names.map((name) => values.map((value) => [name, value] as const))),
          ),
        rawQueryJunk,
      );
    })
    .map(([route, v, key, params, junk]): Hostile => {
      // Below Node's 16 KiB header limit (a longer URL is answered 431 by Node itself).
      let kept = [...params];
      while (kept.length > 0 && queryString(kept, junk).length > 8000) kept = kept.slice(0, -1);
      const query = queryString(kept, junk);
      return {
        family: 'bad query',
        via: v,
        method: 'GET',
        path: route.path,
        query: query === '' ? undefined : query,
        headers: { 'x-api-key': key },
        payload: { kind: 'none' },
        expect: route.phone ? [404, 422] : [200, 422],
      };
    });
}
