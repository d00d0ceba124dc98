/**
 * Query and path parameters in the httpSMS style: strings checked with
 * govalidator-like messages (`The limit field must be numeric`), page sizes above
 * httpSMS's documented maxima accepted (the web app sends 50 and 100).
 */

import { GatewayError } from '@textport/core';
import { Checker } from '@textport/core/wire';
import { z } from 'zod';

/** Page sizes above this are served as this many rows. */
export const MAX_PAGE_SIZE = 1000;
const MAX_SKIP = 2_147_483_647;
const NUMERIC = /^-?[0-9]+$/;

export function requiredParam(field: string, description: string) {
  const error = `The ${field} field is required`;
  return z.string({ error }).min(1, { error }).describe(description);
}

/** `skip`, `limit` (default `defaultLimit`, at most MAX_PAGE_SIZE) and the free-text `query`. */
export function pageParams(defaultLimit: number, queryDescription: string) {
  return {
    skip: z
      .string()
      .regex(NUMERIC, { error: 'The skip field must be numeric' })
      .optional()
      .transform((v) => (v === undefined ? 0 : Math.min(MAX_SKIP, Math.max(0, Number(v)))))
      .describe('How many rows to skip (default 0).'),
    limit: z
      .string()
      .regex(NUMERIC, { error: 'The limit field must be numeric' })
      .optional()
      .transform((v, ctx) => {
        const n = v === undefined ? defaultLimit : Number(v);
        if (n < 1)
          ctx.issues.push({
            code: 'custom',
            message: 'The limit field must be at least 1',
            input: v,
          });
        return Math.min(MAX_PAGE_SIZE, n);
      })
      .describe(
        `Page size (default ${defaultLimit}; values above ${MAX_PAGE_SIZE} return ${MAX_PAGE_SIZE} rows).`,
      ),
    query: z.string().optional().describe(queryDescription),
  };
}

/** A `+` in a query string arrives as a space: `' 18005550199'` means `+18005550199`. */
export function plusFix(value: string): string {
  const trimmed = value.trimEnd();
  return trimmed.startsWith(' ') ? `+${trimmed.slice(1)}` : trimmed;
}

/** A path id that must be a lowercase UUID, version 4 or 7 (httpSMS `uuid` rule, 422). */
export function uuidParam(params: Readonly<Record<string, string>>, name: string): string {
  const check = new Checker();
  const id = check.uuid(name, params[name]);
  check.throwIfInvalid();
  return id;
}

/** A phone number parameter (`owner`): `+` restored, E.164, or 422. */
export function phoneNumberParam(field: string, value: string): string {
  const check = new Checker();
  const number = check.phoneNumber(field, plusFix(value));
  check.throwIfInvalid();
  return number;
}

/** The gateway's page input from the decoded `pageParams`, the free text checked to `maxQuery` bytes. */
export function pageOf(
  params: { skip: number; limit: number; query?: string | undefined },
  maxQuery: number,
) {
  return { query: checkQueryText(params.query, maxQuery), skip: params.skip, limit: params.limit };
}

/** Checks the free-text `query` length in bytes. */
export function checkQueryText(query: string | undefined, max: number): string | null {
  if (query === undefined || query === '') return null;
  const check = new Checker();
  check.text('query', query, 0, max, false);
  check.throwIfInvalid();
  return query;
}

/** Turns zod's problems with a query into the httpSMS 422 `{field: [messages]}`. */
export function queryError(error: z.ZodError): GatewayError {
  const fields: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'query');
    const list = fields[field] ?? [];
    list.push(issue.message);
    fields[field] = list;
  }
  return GatewayError.validation(fields);
}

/** A boolean query flag: `true`/`1` or `false`/`0`. */
export function flagParam(field: string, description: string) {
  return z
    .enum(['true', 'false', '1', '0'], { error: `The ${field} field must be true or false` })
    .optional()
    .transform((v) => v === 'true' || v === '1')
    .describe(description);
}
