/**
 * The hostile-request generator: every family of attacks (hostile/attacks/), each
 * invalid by construction, mixed with the weights that decide how often each one
 * comes up.
 */
import fc from 'fast-check';
import { adapterOddities } from './attacks/adapter.js';
import { noKey, otherAccount } from './attacks/auth.js';
import { invalidFields, malformed, wrongTypes } from './attacks/bodies.js';
import { badRoute } from './attacks/paths.js';
import { badQuery } from './attacks/reads.js';
import { brokenHttp, overLimit } from './attacks/transport.js';
import { kitOf } from './kit.js';
import type { Hostile } from './request.js';
import type { World } from './world.js';

export function hostileRequests(w: World): fc.Arbitrary<Hostile> {
  const kit = kitOf(w);
  return fc.oneof(
    { weight: 22, arbitrary: noKey(kit) },
    { weight: 20, arbitrary: otherAccount(kit) },
    { weight: 12, arbitrary: malformed(kit) },
    { weight: 10, arbitrary: wrongTypes(kit) },
    { weight: 14, arbitrary: invalidFields(kit) },
    { weight: 8, arbitrary: badQuery(kit) },
    { weight: 8, arbitrary: badRoute(kit) },
    { weight: 3, arbitrary: overLimit(kit) },
    { weight: 1, arbitrary: brokenHttp(kit) },
    { weight: 2, arbitrary: adapterOddities(kit) },
  );
}
