/**
 * The configuration of what decides whether and when a message goes out: opt-out
 * keywords and their replies, retries by failure reason, and the host's quota hook
 * (docs/routing.md). Part of `createGateway(config)`, validated with the rest.
 */
import { z } from 'zod';
import {
  DEFAULT_HELP_KEYWORDS,
  DEFAULT_OPT_IN_KEYWORDS,
  DEFAULT_OPT_OUT_KEYWORDS,
  normalizeKeyword,
} from '../domain/keywords.js';
import type { RetryPolicy } from '../jobs/backoff.js';
import { DEFAULT_FAILURE_REASONS, type FailureClass } from '../lifecycle/failure-reasons.js';

/** Backoff between attempts after a transient failure the phone reported. */
export const DEFAULT_FAILURE_RETRY_POLICY: RetryPolicy = Object.freeze({
  minDelayMs: 30_000,
  maxDelayMs: 15 * 60_000,
  multiplier: 4,
  jitter: 0.2,
});

/** What a host's quota hook is asked before a send writes anything. */
export interface QuotaRequest {
  accountId: string;
  /** Messages the send would queue (1 for a single send, the rows of a bulk send). */
  messages: number;
  /** The sending numbers, without duplicates. */
  from: readonly string[];
  /** The API path of the send, e.g. `/v1/messages/send`. */
  source: string;
}

/**
 * The hook's answer: `true` (or nothing) lets the send go on; `false` refuses it,
 * as does `{ allowed: false, message }` with the text the caller sees (HTTP 402).
 */
export type QuotaDecision = boolean | undefined | { allowed: boolean; message?: string };

export type QuotaHook = (request: QuotaRequest) => QuotaDecision | Promise<QuotaDecision>;

const keywords = (fallback: readonly string[]) =>
  z
    .array(z.string().trim().min(1).max(32))
    .max(50)
    .default([...fallback])
    .transform((list) => [...new Set(list.map(normalizeKeyword))]);

const reply = z.string().trim().min(1).max(1024).nullable().default(null);

const failureClass = z.enum(['transient', 'permanent']);

export const optOutSchema = z
  .object({
    /** Off: inbound keywords are ordinary messages (suppressions added through the API still apply). */
    enabled: z.boolean().default(true),
    /** `account`: an opt-out stops every number of the account; `phone`: only the number it was sent to. */
    scope: z.enum(['account', 'phone']).default('account'),
    optOutKeywords: keywords(DEFAULT_OPT_OUT_KEYWORDS),
    optInKeywords: keywords(DEFAULT_OPT_IN_KEYWORDS),
    helpKeywords: keywords(DEFAULT_HELP_KEYWORDS),
    /** Confirmation replies; none is sent unless set. */
    replies: z.object({ optOut: reply, optIn: reply, help: reply }).prefault({}),
  })
  .prefault({})
  .superRefine((value, ctx) => {
    const seen = new Map<string, string>();
    for (const list of ['optOutKeywords', 'optInKeywords', 'helpKeywords'] as const) {
      for (const keyword of value[list]) {
        const other = seen.get(keyword);
        if (other !== undefined && other !== list) {
          ctx.addIssue({
            code: 'custom',
            path: [list],
            message: `the keyword ${keyword} is also in ${other}: a keyword belongs to one list`,
          });
        }
        seen.set(keyword, list);
      }
    }
  });

export const failureRetrySchema = z
  .object({
    /** Reason names and their class, merged over `DEFAULT_FAILURE_REASONS`. */
    reasons: z
      .record(z.string().trim().min(1), failureClass)
      .default({})
      .transform(
        (reasons): Record<string, FailureClass> => ({ ...DEFAULT_FAILURE_REASONS, ...reasons }),
      ),
    /** The class of a reason the table does not name (`permanent`: the httpSMS behaviour). */
    unknown: failureClass.default('permanent'),
    retry: z
      .object({
        minDelayMs: z.number().int().min(0).default(DEFAULT_FAILURE_RETRY_POLICY.minDelayMs),
        maxDelayMs: z.number().int().min(0).default(DEFAULT_FAILURE_RETRY_POLICY.maxDelayMs),
        multiplier: z.number().min(1).default(DEFAULT_FAILURE_RETRY_POLICY.multiplier),
        jitter: z.number().min(0).max(1).default(DEFAULT_FAILURE_RETRY_POLICY.jitter),
      })
      .prefault({}),
  })
  .prefault({});

export const quotaSchema = z
  .custom<QuotaHook>((v) => typeof v === 'function', {
    message: 'must be a function (request) => boolean | { allowed, message } (or a promise of one)',
  })
  .optional();

export const poolsSchema = z
  .object({
    /** A member whose live link (WebSocket, SSE) no node has seen for this long is skipped, and its queue moves. */
    linkGraceMs: z.number().int().min(1_000).max(3_600_000).default(60_000),
    /** How often each node looks for queued pool messages on members that cannot send. */
    failoverCheckMs: z.number().int().min(100).max(600_000).default(5_000),
  })
  .prefault({});

export type PoolOptions = z.output<typeof poolsSchema>;
export type OptOutOptions = z.output<typeof optOutSchema>;
export type FailureRetryOptions = z.output<typeof failureRetrySchema>;
