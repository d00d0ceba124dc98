/** The string formats the wire schemas share (uuids, RFC 3339 times). */
import { z } from 'zod';

// `format`s are metadata for the OpenAPI document (`z.toJSONSchema` copies them).
export const uuid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  .meta({ format: 'uuid' });
export const time = z
  .string()
  .meta({ format: 'date-time', description: 'RFC 3339 timestamp, UTC' });
export const nullableTime = time.nullable();
