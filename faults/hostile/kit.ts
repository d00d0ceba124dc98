/**
 * What every family of hostile requests draws from: the two accounts (either one
 * acting on the other), the body specs, how a request is sent, any id, credentials
 * that authenticate nobody, any body for a route, and an actor's key and ids.
 */
import fc from 'fast-check';
import { invalidDocument, MULTIPART_TYPE, plausibleBody } from './bodies.js';
import { type BodySpec, bodySpecs } from './body-specs.js';
import {
  B64URL,
  type Headers,
  jsonBytes,
  latin1Header,
  type Payload,
  pct,
  type Via,
} from './request.js';
import { PHONE_JSON_ROUTES, paramCount, type RouteDef, routeKey } from './routes.js';
import { notUuid, odd } from './values.js';
import type { Side, World } from './world.js';

export interface Kit {
  /** The user keys of both accounts. */
  userKeys: string[];
  /** The acting account and the other one, either way round. */
  sides: fc.Arbitrary<[Side, Side]>;
  specs: Map<Side, Record<string, BodySpec>>;
  specOf(me: Side, key: string): BodySpec;
  /** How a request is sent: mostly over HTTP, otherwise in process. */
  via: fc.Arbitrary<Via>;
  /** The JSON content type. */
  json: { 'content-type': string };
  /** Any id, encoded for a path: real ones of both accounts, random ones, garbage. */
  anyId: fc.Arbitrary<string>;
  /** Credentials that authenticate nobody, for a route of `auth` (`bearer`: one taking Bearer keys). */
  badCredentials(
    auth: 'user' | 'phone',
    bearer?: boolean,
  ): fc.Arbitrary<{ headers: Headers; query: string[] }>;
  /** Any body: plausible, malformed, or none. */
  anyPayload(route: RouteDef, me: Side): fc.Arbitrary<{ headers: Headers; payload: Payload }>;
  idsFor(route: RouteDef): fc.Arbitrary<string[]>;
  /** The actor's key for a route, and path ids that are never the actor's own. */
  actorFor(
    route: RouteDef,
    me: Side,
    other: Side,
  ): { headers: Headers; ids: fc.Arbitrary<string[]> };
}

export function kitOf(w: World): Kit {
  const sides = fc.constantFrom<[Side, Side]>([w.a, w.b], [w.b, w.a]);
  const specs = new Map<Side, Record<string, BodySpec>>([
    [w.a, bodySpecs(w.a, w.b)],
    [w.b, bodySpecs(w.b, w.a)],
  ]);
  const specOf = (me: Side, key: string): BodySpec => {
    const spec = specs.get(me)?.[key];
    if (!spec) throw new Error(`no body spec for ${key}`);
    return spec;
  };
  const via = fc.constantFrom<Via>('http', 'http', 'http', 'api', 'api');
  const json = { 'content-type': 'application/json; charset=utf-8' };
  const userKeys = [w.a.userKey, w.b.userKey];
  const phoneKeys = [w.a.phoneKey, w.b.phoneKey, w.a.spareKey, w.b.spareKey];
  const realKeys = [...userKeys, ...phoneKeys];

  const allIds = [w.a, w.b].flatMap((s) => [
    s.id,
    ...s.messageIds,
    ...s.threadIds,
    ...s.phoneIds,
    s.webhookId,
    s.scheduleId,
    s.phoneKeyId,
    s.spareKeyId,
  ]);
  /** Any id, encoded for a path: real ones of both accounts, random ones, garbage. */
  const anyId = fc.oneof(
    fc.constantFrom(...allIds),
    fc.uuid({ version: 4 }),
    notUuid.map(pct),
    fc.constantFrom('..', '.', '%2F', '%', '%E0%A4%A', '%00', 'a%2Fb'),
  );

  /** Credentials that authenticate nobody, for a route of `auth`. */
  const badCredentials = (auth: 'user' | 'phone', bearer = false) => {
    const header = (value: fc.Arbitrary<string>) =>
      value.map((v) => ({ headers: { 'x-api-key': v } as Headers, query: [] as string[] }));
    const real = fc.constantFrom(...realKeys);
    const options = [
      fc.constant({ headers: {} as Headers, query: [] as string[] }),
      header(fc.constantFrom('', 'undefined', 'null', 'uk_', 'pk_', 'Bearer', '*')),
      header(odd(1, 12)),
      header(
        fc
          .tuple(
            fc.constantFrom('uk_', 'pk_'),
            fc.array(fc.constantFrom(...B64URL), { minLength: 16, maxLength: 80 }),
          )
          .map(([p, c]) => p + c.join('')),
      ),
      header(
        fc.tuple(real, fc.nat(), fc.constantFrom(...B64URL)).map(([key, n, c]) => {
          const at = 3 + (n % (key.length - 3));
          const swap = key[at] === c ? (c === 'A' ? 'B' : 'A') : c;
          return key.slice(0, at) + swap + key.slice(at + 1);
        }),
      ),
      header(fc.tuple(real, fc.nat()).map(([key, n]) => key.slice(0, n % key.length))),
      header(
        fc
          .tuple(real, fc.constantFrom('x', '0', '=', '-', '_', '.', '~', '!'))
          .map(([k, c]) => k + c),
      ),
      header(real.map((k) => k.toUpperCase())),
      header(real.map((k) => (k.startsWith('uk_') ? 'pk_' : 'uk_') + k.slice(3))),
      header(real.map((k) => `Bearer ${k}`)),
      header(fc.constantFrom(...w.revoked)),
      // A route taking Bearer keys knows these: a revoked key stands in.
      fc.constantFrom(...(bearer ? w.revoked : userKeys)).map((k) => ({
        headers: { authorization: `Bearer ${k}` } as Headers,
        query: [] as string[],
      })),
      fc
        .tuple(
          odd(1, 4).filter((s) => latin1Header(s).trim() !== ''),
          real,
        )
        .map(([junk, k]) => ({
          headers: { 'x-api-key': [junk, k] } as Headers,
          query: [] as string[],
        })),
      fc
        .constantFrom(...phoneKeys)
        .map((k) => ({ headers: {} as Headers, query: [`x-api-key=${k}`] })),
      odd(1, 6).map((junk) => ({ headers: {} as Headers, query: [`x-api-key=${pct(junk)}`] })),
      fc
        .tuple(fc.constantFrom(...phoneKeys), fc.constantFrom(...w.revoked))
        .map(([pk, revoked]) => ({
          headers: { 'x-api-key': '' } as Headers,
          query: [`x-api-key=${pk}`, `x-api-key=${revoked}`],
        })),
    ];
    if (auth === 'user') options.push(header(fc.constantFrom(...phoneKeys)));
    return fc.oneof(...options);
  };

  /** Any body: plausible, malformed, or none. */
  const anyPayload = (
    route: RouteDef,
    me: Side,
  ): fc.Arbitrary<{ headers: Headers; payload: Payload }> => {
    const none = fc.constant({ headers: {} as Headers, payload: { kind: 'none' } as Payload });
    const junk = fc.uint8Array({ maxLength: 512 }).map((bytes) => ({
      headers: json as Headers,
      payload: { kind: 'bytes', data: Buffer.from(bytes) } as Payload,
    }));
    if (route.body === 'multipart') {
      return fc.oneof(
        none,
        junk,
        invalidDocument(me, me).map((data) => ({
          headers: { 'content-type': MULTIPART_TYPE } as Headers,
          payload: { kind: 'bytes', data } as Payload,
        })),
      );
    }
    const spec = specs.get(me)?.[routeKey(route)];
    if (!spec) return fc.oneof(none, junk);
    return fc.oneof(
      none,
      junk,
      plausibleBody(spec).map((b) => ({
        headers: json as Headers,
        payload: { kind: 'bytes', data: jsonBytes(b) } as Payload,
      })),
    );
  };

  const idsFor = (route: RouteDef) =>
    fc.array(anyId, { minLength: paramCount(route.path), maxLength: paramCount(route.path) });

  /** The actor's key for a route, and path ids that are never the actor's own. */
  const actorFor = (route: RouteDef, me: Side, other: Side) => {
    const key =
      route.auth === 'phone' && PHONE_JSON_ROUTES.has(routeKey(route)) ? me.phoneKey : me.userKey;
    const ids = fc.array(
      fc.oneof(
        fc.constantFrom(...other.messageIds, ...other.threadIds, other.webhookId, other.scheduleId),
        fc.uuid({ version: 4 }),
      ),
      { minLength: paramCount(route.path), maxLength: paramCount(route.path) },
    );
    return { headers: { 'x-api-key': key } as Headers, ids };
  };

  return {
    userKeys,
    sides,
    specs,
    specOf,
    via,
    json,
    anyId,
    badCredentials,
    anyPayload,
    idsFor,
    actorFor,
  };
}
