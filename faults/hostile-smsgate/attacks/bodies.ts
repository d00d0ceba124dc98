/**
 * Hostile bodies with valid credentials (the requests that catch a route writing
 * before it validates): malformed JSON, a wrong JSON type in one field, NUL or a
 * lone surrogate in one string or key, one string over its length, too many
 * items, bodies over the limit (413, declared or streamed chunked).
 */
import fc from 'fast-check';
import type { Hostile } from '../../hostile/request.js';
import { odd, withNul } from '../../hostile/values.js';
import { type FieldSpec, getAt, type Kind, report, setAt } from '../bodies.js';
import { BODY_LIMIT, type Kit, request } from '../kit.js';
import { byKey, ROUTES, type RouteDef } from '../routes.js';
import type { Side } from '../world.js';
import { CONTACTS } from '../world.js';

/** An unpaired surrogate (its neighbours may pair one that was meant to be lone). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Routes whose body is read once the credentials are valid. */
export const BODY_ROUTES = ROUTES.filter(
  (r) => r.body && !r.unsupported && !r.unsupportedWhenAuthed,
);

/** A request to `route` as `me` with valid credentials and `body` (JSON text or raw bytes). */
export function withBody(
  kit: Kit,
  family: string,
  route: RouteDef,
  me: Side,
  body: string | Buffer,
  expect: readonly number[] = [400],
  chunked = false,
): Hostile {
  const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return request(family, route, {
    headers: {
      'content-type': 'application/json',
      ...kit.validAuth(route, me, data.toString('utf8')),
    },
    payload: { kind: 'bytes', data, ...(chunked ? { chunked } : {}) },
    expect,
  });
}

/** Valid credentials, a body route, the acting account's valid body. */
function routed(kit: Kit) {
  return fc
    .tuple(kit.sides, fc.constantFrom(...BODY_ROUTES))
    .map(([[me, other], route]) => ({ me, other, route, spec: kit.specOf(route, me) }));
}

/** Malformed JSON: cut short, trailing garbage, not JSON at all, too deep, empty. */
export function malformed(kit: Kit): fc.Arbitrary<Hostile> {
  return routed(kit).chain(({ me, route, spec }) => {
    const valid = JSON.stringify(spec?.body ?? {});
    const text = fc.oneof(
      fc.nat().map((n) => valid.slice(0, n % valid.length)),
      fc.constantFrom(
        `${valid}}`,
        `${valid},`,
        `${valid} x`,
        `[${valid}`,
        valid.replace(':', '='),
        valid.replaceAll('"', "'"),
        `{"a":1,}`,
        'undefined',
        'NaN',
        '{',
        '\u0000',
        '{"x":"\u0000"}',
        `${'['.repeat(40)}${']'.repeat(40)}`,
        `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`,
      ),
      odd(1, 8).filter((s) => {
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      }),
    );
    return fc
      .tuple(text, fc.boolean())
      .map(([t, chunked]) => withBody(kit, 'malformed JSON', route, me, t, [400], chunked));
  });
}

const WRONG: Record<Kind, fc.Arbitrary<unknown>> = {
  string: fc.oneof(
    fc.string({ minLength: 1, maxLength: 8 }),
    fc.constantFrom('1', 'true', '{}', '[]'),
  ),
  int: fc.oneof(fc.integer(), fc.constantFrom(0, 1, 100, -1)),
  bool: fc.boolean(),
  object: fc.oneof(fc.constant({}), fc.dictionary(fc.constantFrom('a', 'text', 'id'), fc.nat())),
  array: fc.array(fc.nat(9), { maxLength: 3 }),
};

/** A value of another JSON type than `kind` (never null: null means "absent" to most fields). */
export function wrongType(kind: Kind): fc.Arbitrary<unknown> {
  const others = (Object.keys(WRONG) as Kind[]).filter((k) => k !== kind).map((k) => WRONG[k]);
  if (kind === 'int') others.push(fc.constantFrom(1.5, -0.25, 1e300, 2 ** 53 + 0.5));
  return fc.oneof(...others);
}

/** One field of a valid body with a value of the wrong JSON type. */
export function wrongTypes(kit: Kit): fc.Arbitrary<Hostile> {
  return routed(kit)
    .filter(({ spec }) => spec !== undefined)
    .chain(({ me, route, spec }) => {
      const fields = (spec?.fields ?? []).filter((f) => !f.lenient);
      return fc
        .constantFrom(...fields)
        .chain((field) => wrongType(field.kind).map((value) => ({ field, value })))
        .map(({ value, field }) =>
          withBody(
            kit,
            'wrong types',
            route,
            me,
            JSON.stringify(setAt(spec?.body, field.at, value)),
            // The device id of PATCH /device is checked against the token: 403.
            route === byKey('mobile PATCH /device') && field.at[0] === 'id' ? [403] : [400],
          ),
        );
    });
}

/** NUL or a lone surrogate in one string value or key of a valid body: 400 (even in ignored fields). */
export function oddStrings(kit: Kit): fc.Arbitrary<Hostile> {
  const poison = fc
    .oneof(
      withNul(odd(0, 4)),
      fc
        .tuple(odd(0, 3), fc.constantFrom('\ud800', '\udfff', '\udc00\ud800', 'x\ud83d'), odd(0, 3))
        .map(([a, s, b]) => `${a}${s}${b}`),
    )
    .filter((s) => s.includes('\u0000') || LONE_SURROGATE.test(s));
  return routed(kit)
    .filter(({ spec }) => spec !== undefined)
    .chain(({ me, route, spec }) => {
      const strings = (spec?.fields ?? []).filter(
        (f) => f.kind === 'string' && typeof getAt(spec?.body, f.at) === 'string',
      );
      const inValue = fc
        .tuple(fc.constantFrom(...strings), poison, fc.boolean())
        .map(([f, bad, append]) => {
          const was = String(getAt(spec?.body, f.at));
          return setAt(spec?.body, f.at, append ? `${was}${bad}` : bad);
        });
      const inKey = poison.map((bad) =>
        Array.isArray(spec?.body)
          ? [{ ...(spec?.body[0] as object), [bad]: 1 }]
          : { ...(spec?.body as object), [bad]: 'x' },
      );
      return fc
        .oneof(inValue, inKey)
        .map((body) => withBody(kit, 'odd strings', route, me, JSON.stringify(body)));
    });
}

/** Longer than `max` characters (UTF-16 units, as the checks count). */
export function longer(max: number): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom('x', 'é', '中', '💥', ' '), fc.nat(300))
    .map(([c, extra]) => `x${c.repeat(Math.ceil((max + extra) / c.length))}`);
}

/** One string of a valid body over its length. */
export function overlong(kit: Kit): fc.Arbitrary<Hostile> {
  return routed(kit)
    .filter(({ spec }) => (spec?.fields ?? []).some((f) => f.max !== undefined))
    .chain(({ me, route, spec }) => {
      const capped = (spec?.fields ?? []).filter(
        (f): f is FieldSpec & { max: number } => f.max !== undefined,
      );
      return fc
        .constantFrom(...capped)
        .chain((f) => longer(f.max).map((text) => setAt(spec?.body, f.at, text)))
        .map((body) => withBody(kit, 'overlong strings', route, me, JSON.stringify(body)));
    });
}

const numbers = (n: number) =>
  Array.from({ length: n }, (_, i) => `+1800555${String(1000 + i).padStart(4, '0')}`);

/** Lists over their bounds: 101 recipients, 101 state reports, 4 SIMs, 5 message types. */
export function tooMany(kit: Kit): fc.Arbitrary<Hostile> {
  return kit.sides.chain(([me]) => {
    const body = (key: string) => kit.specOf(byKey(key), me)?.body;
    const cases: [string, unknown][] = [
      ['user POST /messages', setAt(body('user POST /messages'), ['phoneNumbers'], numbers(101))],
      ['user POST /message', setAt(body('user POST /message'), ['phoneNumbers'], numbers(101))],
      ['user POST /messages', setAt(body('user POST /messages'), ['phoneNumbers'], [])],
      [
        'user POST /messages',
        setAt(body('user POST /messages'), ['phoneNumbers'], [CONTACTS[0], CONTACTS[0]]),
      ],
      [
        'user POST /message',
        setAt(body('user POST /message'), ['phoneNumbers'], ['+18005550142', '+1 800 555 0142']),
      ],
      ['mobile PATCH /message', numbers(101).map((n, i) => report(`hostile-${i}`, 'Sent', n))],
      ['mobile PATCH /messages', numbers(101).map((n, i) => report(`hostile-${i}`, 'Sent', n))],
      [
        'mobile PATCH /device',
        setAt(
          body('mobile PATCH /device'),
          ['simCards'],
          [0, 1, 2, 3].map((i) => ({ slotIndex: i, simNumber: 1 + (i % 3) })),
        ),
      ],
      [
        'mobile POST /device',
        setAt(
          body('mobile POST /device'),
          ['simCards'],
          [0, 1, 2, 3].map((i) => ({ slotIndex: i, simNumber: 1 + (i % 3) })),
        ),
      ],
      [
        'user POST /inbox/refresh',
        setAt(
          body('user POST /inbox/refresh'),
          ['messageTypes'],
          ['SMS', 'MMS', 'DATA_SMS', 'MMS_DOWNLOADED', 'SMS'],
        ),
      ],
    ];
    return fc
      .constantFrom(...cases)
      .map(([key, b]) => withBody(kit, 'too many items', byKey(key), me, JSON.stringify(b)));
  });
}

/** Bodies over the 256 KiB limit, declared or streamed chunked: 413 (401 without credentials). */
export function overLimit(kit: Kit): fc.Arbitrary<Hostile> {
  return fc
    .tuple(routed(kit), fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 256 * 1024 }))
    .chain(([{ me, other, route, spec }, chunked, keyed, extra]) => {
      const json = JSON.stringify(spec?.body ?? {});
      const headers = keyed
        ? fc.constant(kit.validAuth(route, me, 'unsigned'))
        : route.auth === 'signature'
          ? fc.constant({})
          : kit.badAuth(route, me, other);
      return headers.map(
        (auth): Hostile =>
          request('over the limit', route, {
            headers: { 'content-type': 'application/json', ...auth },
            payload: {
              kind: 'padded',
              json,
              size: BODY_LIMIT + extra,
              chunked,
              asString: false,
            },
            // The inbound receiver reads the body before it can check the signature.
            expect: keyed || route.auth === 'signature' ? [413] : [401],
          }),
      );
    });
}
