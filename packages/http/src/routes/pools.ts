/**
 * Phone pools (`/v1/pools` in docs/http-api.md; docs/routing.md, Pools): groups of
 * your phones that send as one. A send names a pool with `from: "pool:<id>"` or
 * `pool_id`, or gives no `from` to use the default pool. textport's own.
 */
import type { PoolInput } from '@textport/core';
import { toWirePool } from '@textport/core/wire';
import { z } from 'zod';
import { success } from '../envelope.js';
import { uuidParam } from '../params.js';
import { defineRoute } from '../route.js';
import { needed, optional, text } from '../schemas.js';
import { crudRoutes } from './common.js';

const TAG = 'Pools';

const poolBody = z.object({
  name: needed(text, '1–100 bytes.'),
  phone_ids: needed(
    z.array(text),
    'The ids of your phones that send for the pool (at most 100); each leaves any other pool.',
  ),
  is_default: optional(
    z.boolean(),
    'Sends with no from go through the default pool; making one default unsets the others.',
  ),
});

function poolInput(body: z.output<typeof poolBody>): PoolInput {
  return {
    name: body.name ?? '',
    phoneIds: body.phone_ids ?? [],
    ...(body.is_default == null ? {} : { isDefault: body.is_default }),
  };
}

export const poolRoutes = [
  ...crudRoutes({
    base: '/v1/pools',
    param: 'poolID',
    id: 'uuid',
    tag: TAG,
    noun: 'pool',
    data: 'Pool',
    body: poolBody,
    operationIds: {
      list: 'listPools',
      create: 'createPool',
      update: 'updatePool',
      remove: 'deletePool',
    },
    summaries: {
      list: 'All your pools, oldest first, with their phones',
      create: 'Create a pool of phones that send as one',
      update: 'Replace a pool: its name, default flag and phones',
      remove: 'Delete a pool (its phones stay; its queued messages stay on their phones)',
    },
    list: async (gateway, accountId) => (await gateway.pools.list(accountId)).map(toWirePool),
    create: async (gateway, accountId, body) =>
      toWirePool(await gateway.pools.create(accountId, poolInput(body))),
    update: async (gateway, accountId, id, body) =>
      toWirePool(await gateway.pools.update(accountId, id, poolInput(body))),
    remove: (gateway, accountId, id) => gateway.pools.remove(accountId, id),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/pools/{poolID}',
    auth: 'user',
    docs: {
      tag: TAG,
      operationId: 'getPool',
      summary: 'Get a pool with its phones',
      uuids: ['poolID'],
      success: { status: 200, data: 'Pool', description: 'fetched pool' },
      errors: [404],
    },
    async handle({ gateway, principal, params }) {
      const pool = await gateway.pools.get(principal.accountId, uuidParam(params, 'poolID'));
      return success(200, 'fetched pool', toWirePool(pool));
    },
  }),
];
