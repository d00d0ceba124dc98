/**
 * The hostile SMSGate request generator: every family of attacks
 * (hostile-smsgate/attacks/), each invalid by construction, mixed with the
 * weights that decide how often each one comes up.
 */
import fc from 'fast-check';
import type { Hostile } from '../hostile/request.js';
import { badAuth, otherAccount, registration } from './attacks/auth.js';
import {
  malformed,
  oddStrings,
  overLimit,
  overlong,
  tooMany,
  wrongTypes,
} from './attacks/bodies.js';
import { badDelivery, badSignature } from './attacks/inbound.js';
import { badIds, badQuery, badRoute } from './attacks/requests.js';
import { badValues } from './attacks/values.js';
import { describeRequest } from './judge.js';
import { kitOf } from './kit.js';
import type { World } from './world.js';

export function hostileSmsGateRequests(w: World): fc.Arbitrary<Hostile> {
  const kit = kitOf(w);
  return (
    fc
      .oneof(
        { weight: 20, arbitrary: badAuth(kit) },
        { weight: 8, arbitrary: otherAccount(kit) },
        { weight: 4, arbitrary: registration(kit) },
        { weight: 8, arbitrary: malformed(kit) },
        { weight: 10, arbitrary: wrongTypes(kit) },
        { weight: 6, arbitrary: oddStrings(kit) },
        { weight: 5, arbitrary: overlong(kit) },
        { weight: 3, arbitrary: tooMany(kit) },
        { weight: 2, arbitrary: overLimit(kit) },
        { weight: 10, arbitrary: badValues(kit) },
        { weight: 7, arbitrary: badQuery(kit) },
        { weight: 4, arbitrary: badIds(kit) },
        { weight: 5, arbitrary: badRoute(kit) },
        { weight: 5, arbitrary: badSignature(kit) },
        { weight: 3, arbitrary: badDelivery(kit) },
      )
      // fast-check prints a counterexample with this (bodies as text, not bytes).
      .map((h) => Object.assign(h, { [fc.toStringMethod]: () => `\n${describeRequest(h)}` }))
  );
}
