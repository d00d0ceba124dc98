/**
 * The host's quota hook (`createGateway({ quota })`, docs/routing.md): asked before a
 * send writes anything; a refusal is a `quota_exceeded` error (HTTP 402, as httpSMS
 * answers a send over the plan's limit).
 */
import type { QuotaDecision, QuotaRequest } from '../config/routing.js';
import { GatewayError } from '../errors.js';
import type { GatewayContext } from '../uow/context.js';

export const QUOTA_MESSAGE = 'the account cannot send more messages now: its quota is used up';

function refusal(decision: QuotaDecision): string | null {
  if (decision === undefined || decision === true) return null;
  if (decision === false) return QUOTA_MESSAGE;
  if (decision.allowed) return null;
  return decision.message?.trim() || QUOTA_MESSAGE;
}

/** Throws `quota_exceeded` when the host's hook refuses the send; nothing when there is no hook. */
export async function checkQuota(ctx: GatewayContext, request: QuotaRequest): Promise<void> {
  if (!ctx.quota) return;
  const message = refusal(await ctx.quota(request));
  if (message !== null) throw new GatewayError('quota_exceeded', message);
}
