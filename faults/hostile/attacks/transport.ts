/**
 * Hostile transport: bodies over the route's limit (declared, streamed chunked, and
 * given in process), and broken HTTP framing on a raw socket.
 */
import fc from 'fast-check';
import { MULTIPART_TYPE, plausibleBody } from '../bodies.js';
import type { Kit } from '../kit.js';
import { type Hostile, MIB, RECEIVE_LIMIT } from '../request.js';
import { fill, limitOf, ROUTES, routeKey } from '../routes.js';
import { CONTACTS } from '../world.js';

/** Bodies over the route's limit: declared, streamed (chunked), and given in process. */
export function overLimit(kit: Kit): fc.Arbitrary<Hostile> {
  const { sides, specs, badCredentials, actorFor } = kit;
  return fc
    .tuple(
      sides,
      fc.constantFrom(...ROUTES.filter((r) => r.body !== undefined)),
      fc.constantFrom('length', 'chunked', 'buffer', 'string'),
      fc.boolean(),
    )
    .filter(([, route, form]) => route.body === 'json' || form === 'length' || form === 'buffer')
    .chain(([[me, other], route, form, keyed]) => {
      const spec = specs.get(me)?.[routeKey(route)];
      const base = spec ? plausibleBody(spec) : fc.constant({});
      const limit = limitOf(route);
      return fc.tuple(
        fc.constant(route),
        fc.constant(form),
        keyed
          ? fc.constant({ 'x-api-key': route.auth === 'phone' ? me.phoneKey : me.userKey })
          : badCredentials(route.auth, route.bearer).map((c) => c.headers),
        fc.constant(keyed),
        actorFor(route, me, other).ids,
        base,
        fc.integer({ min: 1, max: limit >= RECEIVE_LIMIT ? 256 * 1024 : MIB / 2 }),
      );
    })
    .map(([route, form, headers, keyed, ids, body, extra]): Hostile => {
      const size = limitOf(route) + extra;
      const json = JSON.stringify(body);
      const type = route.body === 'multipart' ? MULTIPART_TYPE : 'application/json';
      return {
        family: 'over the limit',
        via: form === 'length' || form === 'chunked' ? 'http' : 'api',
        method: route.method,
        path: fill(route.path, ids),
        headers: { 'content-type': type, ...headers },
        payload: {
          kind: 'padded',
          json,
          size,
          chunked: form === 'chunked',
          asString: form === 'string',
        },
        expect: keyed ? [413] : [401],
      };
    });
}

/** Broken HTTP framing on a raw socket. */
export function brokenHttp(kit: Kit): fc.Arbitrary<Hostile> {
  const { sides } = kit;
  const rawRequest = (lines: string[], body = '') =>
    Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1');
  return fc.tuple(sides, fc.nat(9), fc.nat(10_000)).map(([[me], kind, n]): Hostile => {
    const key = `x-api-key: ${me.userKey}`;
    const host = 'Host: 127.0.0.1';
    const sendBody = JSON.stringify({ from: me.numbers[0], to: CONTACTS[0], content: 'cut short' });
    const cut = sendBody.slice(0, 1 + (n % (sendBody.length - 1)));
    const variants: { bytes: Buffer; abort: boolean }[] = [
      {
        bytes: rawRequest(
          [
            'POST /v1/messages/send HTTP/1.1',
            host,
            key,
            'content-type: application/json',
            `content-length: ${sendBody.length + 10}`,
          ],
          cut,
        ),
        abort: true,
      },
      {
        bytes: rawRequest(
          [
            'POST /v1/messages/send HTTP/1.1',
            host,
            key,
            'content-type: application/json',
            'transfer-encoding: chunked',
          ],
          `${cut.length.toString(16)}\r\n${cut}\r\n`,
        ),
        abort: true,
      },
      {
        bytes: rawRequest(
          [
            'POST /v1/messages/send HTTP/1.1',
            host,
            key,
            'content-type: application/json',
            'transfer-encoding: chunked',
          ],
          'zz\r\nxx\r\n0\r\n\r\n',
        ),
        abort: false,
      },
      {
        bytes: rawRequest(
          [
            'POST /v1/messages/send HTTP/1.1',
            host,
            key,
            'content-type: application/json',
            'transfer-encoding: chunked',
            `content-length: ${sendBody.length}`,
          ],
          sendBody,
        ),
        abort: false,
      },
      {
        bytes: rawRequest(
          [
            'POST /v1/messages/send HTTP/1.1',
            host,
            key,
            'content-type: application/json',
            `content-length: ${sendBody.length}`,
            `content-length: ${sendBody.length + 1}`,
          ],
          sendBody,
        ),
        abort: false,
      },
      {
        bytes: rawRequest([`GET /v1/phones HTTP/${['9.9', '2.0', '1.x', ''][n % 4]}`, host, key]),
        abort: false,
      },
      { bytes: Buffer.from([0, 1, 2, 3, 13, 10, 13, 10]), abort: false },
      {
        bytes: rawRequest([
          'GET /v1/phones HTTP/1.1',
          host,
          `x-api-key: ${me.userKey.slice(0, 10)}\u0000${me.userKey.slice(10)}`,
        ]),
        abort: false,
      },
      {
        bytes: rawRequest([
          'GET /v1/phones HTTP/1.1',
          host,
          key,
          `x-junk: ${'a'.repeat(20_000 + n)}`,
        ]),
        abort: false,
      },
      {
        bytes: rawRequest(
          [
            'POST /v1/messages/send HTTP/1.1',
            host,
            key,
            'content-type: application/json',
            `content-length: ${['abc', '-1', '1.5', '0x10'][n % 4]}`,
          ],
          sendBody,
        ),
        abort: false,
      },
    ];
    const raw = variants[kind % variants.length] ?? variants[0];
    return {
      family: 'broken HTTP',
      via: 'raw',
      method: 'RAW',
      path: `variant ${kind}`,
      headers: {},
      payload: { kind: 'none' },
      ...(raw ? { raw } : {}),
    };
  });
}
