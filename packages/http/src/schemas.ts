/**
 * Helpers for request body schemas. Bodies are decoded like Go's `encoding/json`
 * does for httpSMS: a value of the wrong JSON type is an error (400), `null` is
 * as good as absent, unknown keys are ignored. Which fields are required (and
 * every other rule) is checked by the gateway, with 422 and httpSMS messages;
 * `needed` only marks such fields as required in the OpenAPI document.
 */
import { z } from 'zod';

export const REQUIRED_META = 'x-textport-required';

/** A field the gateway requires: nullable for decoding, listed as required in the document. */
export function needed<T extends z.ZodType>(schema: T, description: string) {
  return schema.nullish().meta({ description, [REQUIRED_META]: true });
}

export function optional<T extends z.ZodType>(schema: T, description: string) {
  return schema.nullish().describe(description);
}

export const text = z.string();
export const flag = z.boolean();
export const whole = z.number().int();
export const unsigned = z.number().int().nonnegative();
export const textList = z.array(z.string());
