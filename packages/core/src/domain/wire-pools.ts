/** The JSON shape of a pool (`/v1/pools`): textport's own, in the httpSMS style. */
import { z } from 'zod';
import type { PoolView } from './pools.js';
import { formatTimestamp } from './time.js';
import { time, uuid } from './wire-formats.js';

export const wirePoolSchema = z.object({
  id: uuid,
  user_id: z.string(),
  name: z.string(),
  is_default: z
    .boolean()
    .describe('Sends that give no `from` (and no `pool_id`) go through the default pool.'),
  phone_ids: z.array(uuid).describe('The phones that send for the pool, by id.'),
  created_at: time,
  updated_at: time,
});
export type WirePool = z.infer<typeof wirePoolSchema>;

export function toWirePool(p: PoolView): WirePool {
  return {
    id: p.id,
    user_id: p.accountId,
    name: p.name,
    is_default: p.isDefault,
    phone_ids: p.phoneIds,
    created_at: formatTimestamp(p.createdAt),
    updated_at: formatTimestamp(p.updatedAt),
  };
}
