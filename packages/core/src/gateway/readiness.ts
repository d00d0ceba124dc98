/**
 * Readiness: whether this gateway can do its work, in the health-check format
 * the SMSGate server uses (`status` pass, warn or fail, and one entry per check).
 * `fail` means it cannot serve (the store does not answer); `warn` means it serves
 * but something needs the operator (phones that no transport can reach).
 */
import { strandedPhones } from '../dispatch/stranded.js';
import type { GatewayContext } from '../uow/context.js';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface ReadinessCheck {
  description: string;
  observedUnit: string;
  observedValue: number;
  status: CheckStatus;
}

export interface Readiness {
  status: CheckStatus;
  checks: Record<string, ReadinessCheck>;
}

/** Stranded phones named in the check's description, at most. */
const NAMED = 5;
/** Stranded phones counted, at most (the check stays cheap). */
const COUNTED = 1_000;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

async function storeCheck(ctx: GatewayContext): Promise<ReadinessCheck> {
  try {
    await ctx.store.getAccount(NIL_UUID);
    return {
      description: 'the store answers',
      observedUnit: 'boolean',
      observedValue: 1,
      status: 'pass',
    };
  } catch (error) {
    ctx.logger.error({ err: error }, 'readiness: the store does not answer');
    return {
      description: 'the store does not answer (see the log)',
      observedUnit: 'boolean',
      observedValue: 0,
      status: 'fail',
    };
  }
}

async function strandedCheck(ctx: GatewayContext): Promise<ReadinessCheck> {
  const numbers: string[] = [];
  let count = 0;
  for await (const phone of strandedPhones(ctx.store, ctx.transports)) {
    if (numbers.length < NAMED) numbers.push(phone.phoneNumber);
    if (++count >= COUNTED) break;
  }
  if (count === 0) {
    return {
      description: 'every phone with an FCM token can be reached',
      observedUnit: 'phones',
      observedValue: 0,
      status: 'pass',
    };
  }
  return {
    description:
      `${count} phone(s) registered an FCM token, but this gateway sends no FCM pushes ` +
      `(${numbers.join(', ')}${count > numbers.length ? ', …' : ''}): their messages fail after ` +
      'message_expiration_seconds. Configure FCM credentials, or connect them over WebSocket.',
    observedUnit: 'phones',
    observedValue: count,
    status: 'warn',
  };
}

export async function readiness(ctx: GatewayContext): Promise<Readiness> {
  const store = await storeCheck(ctx);
  const checks: Record<string, ReadinessCheck> = { store };
  if (store.status === 'pass') checks['phones:stranded'] = await strandedCheck(ctx);
  const statuses = Object.values(checks).map((c) => c.status);
  const status = statuses.includes('fail') ? 'fail' : statuses.includes('warn') ? 'warn' : 'pass';
  return { status, checks };
}
