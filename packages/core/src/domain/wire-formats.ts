/** The string formats the wire schemas share (uuids, RFC 3339 times). */
import { z } from 'zod';

// `format`s are metadata for the OpenAPI document (`z.toJSONSchema` copies them).
export const uuid = z
  .string()
  // Version 7 for rows created since ids are time-ordered, 4 for those stored before.
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[47][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  .meta({ format: 'uuid' });
export const time = z
  .string()
  .meta({ format: 'date-time', description: 'RFC 3339 timestamp, UTC' });
export const nullableTime = time.nullable();
