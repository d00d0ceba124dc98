/**
 * Hostile credentials and another account's ids: no, garbage, mangled or revoked
 * credentials on every route that takes them (a device token on the user API,
 * Basic on the device routes, the revoked phone key, a device whose key was
 * revoked); valid credentials naming the other account's messages, devices and
 * webhooks; registrations with valid credentials and an invalid body.
 */
import fc from 'fast-check';
import type { Hostile } from '../../hostile/request.js';
import { pct } from '../../hostile/request.js';
import { odd } from '../../hostile/values.js';
import { report, setAt } from '../bodies.js';
import { bytesOf, JSON_TYPE, type Kit, request } from '../kit.js';
import { AUTHED, byKey, ROUTES, type RouteDef } from '../routes.js';

/**
 * Every route that takes credentials, with refused ones, and any body: 401. The
 * routes of features this server does not offer (one-time codes, JWT tokens) get
 * Basic credentials, as SMSGate's server checks them: 401, or their 501.
 */
export function badAuth(kit: Kit): fc.Arbitrary<Hostile> {
  const routes = [
    ...AUTHED.filter((r) => r.auth !== 'signature'),
    ...ROUTES.filter((r) => r.unsupported).map((r): RouteDef => ({ ...r, auth: 'basic' })),
  ];
  return fc
    .tuple(kit.sides, fc.constantFrom(...routes))
    .chain(([[me, other], route]) =>
      fc.tuple(
        fc.constant(route),
        kit.badAuth(route, me, other),
        kit.anyBody(route, me),
        fc.constantFrom(...me.messageIds, other.deviceId, me.webhookId, 'x'),
        // The app appends to what the user typed: a doubled or trailing slash is the same route.
        fc.constantFrom<(path: string) => string>(
          (p) => p,
          (p) => p,
          (p) => `${p}/`,
          (p) => p.replace(/^\/smsgate\/([^/]+)\/v1\//, '/smsgate/$1/v1//'),
        ),
      ),
    )
    .map(([route, auth, body, id, variant]) => {
      const h = request('bad credentials', route, {
        id: pct(id),
        headers: { ...body.headers, ...auth },
        payload: body.payload,
        expect: route.unsupported ? [401, 501] : [401],
      });
      return { ...h, path: variant(h.path) };
    });
}

/** Valid credentials of one account, ids of the other. */
export function otherAccount(kit: Kit): fc.Arbitrary<Hostile> {
  return kit.sides.chain(([me, other]) => {
    const basic = { authorization: me.basic };
    const get = fc.constantFrom(byKey('user GET /messages/{id}'), byKey('user GET /message/{id}'));
    const del = fc.constantFrom(
      byKey('user DELETE /messages/{id}'),
      byKey('user DELETE /message/{id}'),
    );
    const list = fc.constantFrom(byKey('user GET /messages'), byKey('user GET /message'));
    const post = fc.constantFrom(byKey('user POST /messages'), byKey('user POST /message'));
    const messageId = fc.constantFrom(...other.messageIds);
    const sendSpec = kit.specOf(byKey('user POST /messages'), me);
    const hookSpec = kit.specOf(byKey('user POST /webhooks'), me);
    const refreshSpec = kit.specOf(byKey('user POST /inbox/refresh'), me);
    const deviceSpec = kit.specOf(byKey('mobile PATCH /device'), me);
    const cases: fc.Arbitrary<Hostile>[] = [
      fc
        .tuple(get, messageId)
        .map(([r, id]) =>
          request('other account', r, { id: pct(id), headers: basic, expect: [404] }),
        ),
      fc
        .tuple(del, messageId)
        .map(([r, id]) =>
          request('other account', r, { id: pct(id), headers: basic, expect: [404] }),
        ),
      // A read filtered on the other account's device: no rows.
      fc.tuple(list, fc.constantFrom('', '&includeContent=true')).map(([r, more]) =>
        request('other account', r, {
          headers: basic,
          query: `deviceId=${pct(other.deviceId)}${more}`,
          expect: [200],
          empty: true,
        }),
      ),
      // SMSGate answers 204 for an unknown device or webhook: nothing may go.
      fc
        .constantFrom(byKey('user DELETE /devices/{id}'), byKey('user DELETE /device/{id}'))
        .map((r) =>
          request('other account', r, { id: pct(other.deviceId), headers: basic, expect: [204] }),
        ),
      fc.constant(
        request('other account', byKey('user DELETE /webhooks/{id}'), {
          id: pct(other.webhookId),
          headers: basic,
          expect: [204],
        }),
      ),
      post.map((r) =>
        request('other account', r, {
          headers: { ...JSON_TYPE, ...basic },
          payload: bytesOf(setAt(sendSpec?.body, ['deviceId'], other.deviceId)),
          expect: [400],
        }),
      ),
      fc.constant(
        request('other account', byKey('user POST /webhooks'), {
          headers: { ...JSON_TYPE, ...basic },
          payload: bytesOf(setAt(hookSpec?.body, ['deviceId'], other.deviceId)),
          expect: [400],
        }),
      ),
      fc
        .constantFrom(
          'user POST /inbox/refresh',
          'user POST /inbox/export',
          'user POST /messages/inbox/export',
        )
        .map((key) =>
          request('other account', byKey(key), {
            headers: { ...JSON_TYPE, ...basic },
            payload: bytesOf(setAt(refreshSpec?.body, ['deviceId'], other.deviceId)),
            expect: [400],
          }),
        ),
      // The device's own token, another device's id: 403.
      fc.constantFrom(other.deviceId, kit.w.revoked.deviceId).map((id) =>
        request('other account', byKey('mobile PATCH /device'), {
          headers: { ...JSON_TYPE, authorization: `Bearer ${me.deviceToken}` },
          payload: bytesOf(setAt(deviceSpec?.body, ['id'], id)),
          expect: [403],
        }),
      ),
      // Reports of the other account's messages with a revoked device: 401.
      fc.constant(
        request('other account', byKey('mobile PATCH /message'), {
          headers: { ...JSON_TYPE, authorization: `Bearer ${kit.w.revoked.deviceToken}` },
          payload: bytesOf(other.messageIds.map((id) => report(id, 'Delivered'))),
          expect: [401],
        }),
      ),
    ];
    return fc.oneof(...cases);
  });
}

/** Registration credentials that work, with a body that does not (or a key serving no number). */
export function registration(kit: Kit): fc.Arbitrary<Hostile> {
  const route = byKey('mobile POST /device');
  return kit.sides.chain(([me]) => {
    const auth = kit.validAuth(route, me);
    const spec = kit.specOf(route, me);
    const sims = (value: unknown) => setAt(spec?.body, ['simCards'], value);
    const sim = { slotIndex: 0, simNumber: 1 };
    const bad = fc.oneof(
      fc.constantFrom<unknown>(
        [],
        'device',
        42,
        null,
        true,
        [spec?.body],
        sims([{ ...sim, simNumber: 0 }]),
        sims([{ ...sim, simNumber: 4 }]),
        sims([{ ...sim, slotIndex: -1 }]),
        sims([{ ...sim, slotIndex: 8 }]),
        sims([{ ...sim, slotIndex: 0.5 }]),
        sims([sim, sim, sim, sim]),
        sims([null]),
        sims({ 0: sim }),
      ),
      odd(1, 6).map((name) => setAt(spec?.body, ['name'], { name })),
    );
    return fc.oneof(
      bad.map((body) =>
        request('registration', route, {
          headers: { ...JSON_TYPE, ...auth },
          payload: bytesOf(body),
          expect: [400],
        }),
      ),
      // The key serves no number: refused before the body is read.
      fc.constant(
        request('registration', route, {
          headers: { ...JSON_TYPE, authorization: `Bearer ${kit.w.numberless}` },
          payload: bytesOf(spec?.body),
          expect: [400],
        }),
      ),
    );
  });
}
