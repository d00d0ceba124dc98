/** The JSON shape of a suppression (`/v1/suppressions`): textport's own, in the httpSMS style. */
import { z } from 'zod';
import type { SuppressionRecord } from './records.js';
import { formatTimestamp } from './time.js';

export const wireSuppressionSchema = z.object({
  id: z.string().meta({ format: 'uuid' }),
  user_id: z.string(),
  owner: z
    .string()
    .nullable()
    .meta({ description: 'The sending number it concerns; null: every number of the account' }),
  contact: z.string(),
  scope: z.enum(['account', 'phone']),
  source: z
    .enum(['keyword', 'api'])
    .meta({ description: 'keyword: the contact sent an opt-out keyword; api: added by a user' }),
  keyword: z.string().nullable().meta({ description: 'The keyword the contact sent, e.g. STOP' }),
  created_at: z.string().meta({ format: 'date-time', description: 'RFC 3339 timestamp, UTC' }),
});
export type WireSuppression = z.infer<typeof wireSuppressionSchema>;

export function toWireSuppression(s: SuppressionRecord): WireSuppression {
  return {
    id: s.id,
    user_id: s.accountId,
    owner: s.owner === '' ? null : s.owner,
    contact: s.contact,
    scope: s.owner === '' ? 'account' : 'phone',
    source: s.source,
    keyword: s.keyword,
    created_at: formatTimestamp(s.createdAt),
  };
}
