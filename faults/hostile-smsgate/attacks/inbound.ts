/**
 * Hostile webhook deliveries to textport's inbound receiver (`POST /inbound`):
 * missing, garbage or mangled signatures, stale and future timestamps, another
 * device's key, a body changed after signing, unknown and revoked devices (401);
 * and correctly signed deliveries whose payload is refused (400), which must
 * write nothing either: not the delivery id, not the device's presence. (Payloads
 * the app may really send, such as a text over textport's 2048 characters or a
 * malformed `receivedAt`, are left out: accepting them would be a fix.)
 */
import fc from 'fast-check';
import type { Headers, Hostile } from '../../hostile/request.js';
import { odd } from '../../hostile/values.js';
import { inboundEnvelope, setAt, signed } from '../bodies.js';
import { type Kit, request } from '../kit.js';
import { NOW } from '../node.js';
import { byKey } from '../routes.js';

const route = byKey('mobile POST /inbound');
const SECONDS = Math.floor(NOW / 1000);
const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));

function delivery(family: string, raw: string, headers: Headers, expect: number[]): Hostile {
  return request(family, route, {
    headers: { 'content-type': 'application/json', ...headers },
    payload: { kind: 'bytes', data: Buffer.from(raw, 'utf8') },
    expect,
  });
}

/** Deliveries whose signature does not hold: 401. */
export function badSignature(kit: Kit): fc.Arbitrary<Hostile> {
  return kit.sides.chain(([me, other]) => {
    const raw = JSON.stringify(inboundEnvelope(me.deviceId));
    const good = signed(me.signingKey, raw);
    const timestamp = good['x-timestamp'];
    const headers: fc.Arbitrary<Headers> = fc.oneof(
      fc.constant({}),
      fc.constant({ 'x-timestamp': timestamp }),
      fc.constant({ 'x-signature': good['x-signature'] }),
      hex(64).map((s) => ({ 'x-timestamp': timestamp, 'x-signature': s })),
      fc
        .oneof(
          hex(63),
          hex(65),
          fc.constant(''),
          odd(1, 8),
          hex(64).map((s) => `${s.slice(1)}g`),
        )
        .map((s) => ({ 'x-timestamp': timestamp, 'x-signature': s })),
      // Stale or from the future: more than five minutes away from the server's clock.
      fc
        .oneof(
          fc.integer({ min: 301, max: 10_000_000 }).map((d) => SECONDS - d),
          fc.integer({ min: 301, max: 10_000_000 }).map((d) => SECONDS + d),
        )
        .map((s) => signed(me.signingKey, raw, s)),
      fc
        .constantFrom(
          `${SECONDS}.0`,
          `-${SECONDS}`,
          `${SECONDS * 1000}`,
          ` ${SECONDS}x`,
          '1e9',
          '',
          'abc',
        )
        .map((t) => ({
          'x-timestamp': t,
          'x-signature': signed(me.signingKey, raw, SECONDS)['x-signature'],
        })),
      // Signed over another timestamp than the one sent, or with the other device's key.
      fc.constant({ ...good, 'x-timestamp': String(SECONDS + 1) }),
      fc.constant(signed(other.signingKey, raw)),
      fc.constant(signed(kit.w.revoked.signingKey, raw)),
      fc.constant({ ...good, 'x-signature': good['x-signature'].toUpperCase().replace(/.$/, 'G') }),
    );
    const changed = fc.constantFrom(
      JSON.stringify(setAt(inboundEnvelope(me.deviceId), ['payload', 'message'], 'changed')),
      `${raw} `,
      JSON.stringify(inboundEnvelope(me.deviceId, 'another-id')),
    );
    return fc.oneof(
      headers.map((h) => delivery('inbound signature', raw, h, [401])),
      // The body changed after it was signed.
      changed.map((body) => delivery('inbound signature', body, good, [401])),
      // Unknown devices, and the device whose key was revoked (signed with its own key).
      kit.unknownId.map((id) => {
        const body = JSON.stringify(inboundEnvelope(id));
        return delivery('inbound signature', body, signed(me.signingKey, body), [401]);
      }),
      fc.constant(null).map(() => {
        const body = JSON.stringify(inboundEnvelope(kit.w.revoked.deviceId));
        return delivery('inbound signature', body, signed(kit.w.revoked.signingKey, body), [401]);
      }),
    );
  });
}

/** Correctly signed deliveries of a received SMS whose payload is refused: 400, nothing written. */
export function badDelivery(kit: Kit): fc.Arbitrary<Hostile> {
  return kit.sides.chain(([me]) => {
    const base = inboundEnvelope(me.deviceId);
    const payload = fc.oneof(
      fc.constantFrom<[string, unknown][]>(
        [
          ['sender', undefined],
          ['phoneNumber', undefined],
        ],
        [
          ['sender', ''],
          ['phoneNumber', ''],
        ],
        [['sender', 42]],
        // No sender is that long (E.164 has 15 digits, an alphanumeric sender 11 characters).
        [['sender', 'x'.repeat(256)]],
        [['sender', `+${'1'.repeat(300)}`]],
      ),
      fc.constant<[string, unknown][]>([['payload', []]]),
    );
    return fc.tuple(payload, kit.unknownId).map(([changes, id]) => {
      let body: unknown = setAt(base, ['id'], id);
      for (const [at, value] of changes) {
        body =
          at === 'payload' ? setAt(body, ['payload'], value) : setAt(body, ['payload', at], value);
      }
      const raw = JSON.stringify(body);
      return delivery('inbound payload', raw, signed(me.signingKey, raw), [400]);
    });
  });
}
