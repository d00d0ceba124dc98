/**
 * What every family of hostile SMSGate requests draws from: the two accounts
 * (either acting on the other), their body specs, valid and invalid credentials
 * for each kind of route, and how a request is put together.
 */
import fc from 'fast-check';
import type { Headers, Hostile, Payload } from '../hostile/request.js';
import { B64URL, jsonBytes } from '../hostile/request.js';
import { odd } from '../hostile/values.js';
import { type BodySpec, bodySpecs, signed, specFor } from './bodies.js';
import { pathOf, type RouteDef, routeKey } from './routes.js';
import { basicOf, type Side, type World } from './world.js';

export const JSON_TYPE = { 'content-type': 'application/json' };
/** Both APIs' body limit. */
export const BODY_LIMIT = 256 * 1024;

export interface Kit {
  w: World;
  /** The acting account and the other one, either way round. */
  sides: fc.Arbitrary<[Side, Side]>;
  /** The route's valid body of `me`, or undefined for a route without one. */
  specOf(route: RouteDef, me: Side): BodySpec | undefined;
  /** Valid credentials of `me` for the route (the signature route: for `raw`). */
  validAuth(route: RouteDef, me: Side, raw?: string): Headers;
  /** Credentials that are refused for the route's kind (401). */
  badAuth(route: RouteDef, me: Side, other: Side): fc.Arbitrary<Headers>;
  /** Any body: none, random bytes, or the route's valid body. */
  anyBody(route: RouteDef, me: Side): fc.Arbitrary<{ headers: Headers; payload: Payload }>;
  /** A random 21-character id (no device has it). */
  unknownId: fc.Arbitrary<string>;
}

export const bytesOf = (value: unknown, chunked = false): Payload => ({
  kind: 'bytes',
  data: jsonBytes(value),
  ...(chunked ? { chunked } : {}),
});

/** A request of `family` to `route` (path parameter `id`, already encoded). */
export function request(
  family: string,
  route: RouteDef,
  parts: {
    id?: string;
    headers?: Headers;
    payload?: Payload;
    query?: string;
    expect?: readonly number[];
    empty?: boolean;
  },
): Hostile {
  return {
    family,
    via: 'http',
    method: route.method,
    path: pathOf(route, parts.id),
    ...(parts.query === undefined ? {} : { query: parts.query }),
    headers: parts.headers ?? {},
    payload: parts.payload ?? { kind: 'none' },
    ...(parts.expect ? { expect: parts.expect } : {}),
    ...(parts.empty ? { empty: true } : {}),
  };
}

/** `key` with one character changed, cut short, or with a character added. */
export function mangled(key: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.tuple(fc.nat(), fc.constantFrom(...B64URL)).map(([n, c]) => {
      const at = n % key.length;
      const swap = key[at] === c ? (c === 'A' ? 'B' : 'A') : c;
      return key.slice(0, at) + swap + key.slice(at + 1);
    }),
    fc.nat().map((n) => key.slice(0, n % key.length)),
    fc.constantFrom('x', '=', ' x', '\t0').map((c) => key + c),
    fc.constant(key.toUpperCase()).filter((k) => k !== key),
  );
}

export function kitOf(w: World): Kit {
  const sides = fc.constantFrom<[Side, Side]>([w.a, w.b], [w.b, w.a]);
  const specs = new Map<Side, BodySpec[]>([
    [w.a, bodySpecs(w.a)],
    [w.b, bodySpecs(w.b)],
  ]);
  const unknownId = fc
    .array(fc.constantFrom(...B64URL), { minLength: 21, maxLength: 21 })
    .map((c) => c.join(''));

  const specOf = (route: RouteDef, me: Side) => specFor(specs.get(me) ?? [], routeKey(route));

  const validAuth = (route: RouteDef, me: Side, raw = ''): Headers => {
    switch (route.auth) {
      case 'device':
        return { authorization: `Bearer ${me.deviceToken}` };
      case 'registration':
        return { authorization: `Bearer ${me === w.a ? w.privateToken : me.phoneKey}` };
      case 'basic':
        return { authorization: me.basic };
      case 'signature':
        return signed(me.signingKey, raw);
      case 'none':
        return {};
    }
  };

  const bearer = (value: fc.Arbitrary<string>) =>
    value.map((v) => ({ authorization: `Bearer ${v}` }) as Headers);
  const header = (value: fc.Arbitrary<string>) =>
    value.map((v) => ({ authorization: v }) as Headers);
  const garbage = fc.oneof(
    odd(1, 12).filter((s) => s.trim() !== ''),
    fc.array(fc.constantFrom(...B64URL), { minLength: 1, maxLength: 64 }).map((c) => c.join('')),
    fc.constantFrom('null', 'undefined', 'pk_', 'uk_', '*', 'Bearer', 'eyJhbGciOiJub25lIn0.e30.'),
  );
  const common = [
    fc.constant({} as Headers),
    bearer(garbage),
    header(garbage),
    header(fc.constantFrom('Bearer', 'Bearer ', 'Basic', 'Basic ', 'Code', 'Code 000000')),
    header(garbage.map((g) => `Token ${g}`)),
  ];

  const badAuth = (route: RouteDef, me: Side, other: Side): fc.Arbitrary<Headers> => {
    switch (route.auth) {
      case 'device':
        return fc.oneof(
          ...common,
          bearer(mangled(me.deviceToken)),
          bearer(fc.constantFrom(w.revoked.deviceToken, me.phoneKey, w.privateToken, me.deviceId)),
          header(fc.constantFrom(me.basic, me.deviceToken, `Basic ${me.deviceToken}`)),
          // Node keeps the first of repeated Authorization headers.
          fc
            .tuple(garbage, fc.constantFrom(me.deviceToken, other.deviceToken))
            .map(([g, t]) => ({ authorization: [`Bearer ${g}`, `Bearer ${t}`] }) as Headers),
        );
      case 'registration':
        return fc.oneof(
          ...common,
          bearer(mangled(w.privateToken)),
          bearer(mangled(me.phoneKey)),
          bearer(fc.constantFrom(w.revoked.phoneKey, me.deviceToken, w.a.userKey, other.deviceId)),
          header(fc.constantFrom(me.basic, w.privateToken, me.phoneKey, `Basic ${w.privateToken}`)),
        );
      case 'basic':
        return fc.oneof(
          ...common,
          header(
            fc
              .tuple(fc.constantFrom(me.username, other.username), mangled(me.password))
              .map(([u, p]) => basicOf(u, p)),
          ),
          header(fc.constant(basicOf(me.username, other.password))),
          header(mangled(me.username).map((u) => basicOf(u, me.password))),
          header(
            fc.constantFrom(
              `Basic ${Buffer.from(me.username).toString('base64')}`,
              `Basic ${Buffer.from(`${me.username}:${me.password}`).toString('base64url')}!`,
              `Basic ${me.username}:${me.password}`,
              basicOf(`${me.username}:${me.password}`, ''),
              basicOf('', me.password),
            ),
          ),
          bearer(fc.constantFrom(me.deviceToken, me.phoneKey, w.privateToken, w.a.userKey)),
          header(odd(1, 8).map((g) => basicOf(g, g))),
        );
      case 'signature':
      case 'none':
        throw new Error(`no bad credentials for ${routeKey(route)}`);
    }
  };

  const anyBody = (route: RouteDef, me: Side) => {
    const none = fc.constant({ headers: {} as Headers, payload: { kind: 'none' } as Payload });
    const junk = fc.uint8Array({ maxLength: 512 }).map((bytes) => ({
      headers: JSON_TYPE as Headers,
      payload: { kind: 'bytes', data: Buffer.from(bytes) } as Payload,
    }));
    const spec = specOf(route, me);
    if (!spec) return fc.oneof(none, junk);
    return fc.oneof(
      none,
      junk,
      fc.constant({ headers: JSON_TYPE as Headers, payload: bytesOf(spec.body) }),
    );
  };

  return { w, sides, specOf, validAuth, badAuth, anyBody, unknownId };
}
