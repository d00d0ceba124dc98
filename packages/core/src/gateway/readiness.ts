/**
 * Readiness: whether this gateway can do its work, in the health-check format
 * the SMSGate server uses (`status` pass, warn or fail, and one entry per check).
 * `fail` means it cannot serve: the store does not answer (`store`), lacks
 * migrations (`store:migrations`, when the store can tell), or the gateway or one
 * of its transports is not started (`transports`). `warn` means it serves but
 * something needs the operator: phones that no transport can reach
 * (`phones:stranded`). That one only warns: phones register themselves, and one
 * phone must not take the whole node out of a load balancer.
 */
import { strandedPhones } from '../dispatch/stranded.js';
import type { StoreHealth } from '../store.js';
import type { Transport } from '../transport.js';
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

/** What the gateway knows of its own lifecycle. */
export interface GatewayRunState {
  /** `start()` ran and `stop()` has not. */
  readonly running: boolean;
  /** The transports whose `start` resolved and that have not been stopped. */
  readonly started: ReadonlySet<Transport>;
}

/** Stranded phones named in the check's description, at most. */
const NAMED = 5;
/** Stranded phones counted, at most (the check stays cheap). */
const COUNTED = 1_000;

/**
 * How long the store may take to answer before readiness fails: a database behind a
 * dropped network answers nothing, and a probe must not hang until its pool gives up.
 */
export const READINESS_STORE_TIMEOUT_MS = 2_000;

async function ping(ctx: GatewayContext): Promise<StoreHealth | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${READINESS_STORE_TIMEOUT_MS} ms`)),
      READINESS_STORE_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([ctx.store.ping(), timeout]);
  } catch (error) {
    ctx.logger.error({ err: error }, 'readiness: the store does not answer');
    return null;
  } finally {
    clearTimeout(timer);
  }
}

function storeCheck(health: StoreHealth | null): ReadinessCheck {
  return health
    ? {
        description: 'the store answers',
        observedUnit: 'boolean',
        observedValue: 1,
        status: 'pass',
      }
    : {
        description: 'the store does not answer (see the log)',
        observedUnit: 'boolean',
        observedValue: 0,
        status: 'fail',
      };
}

function migrationsCheck(pending: readonly string[]): ReadinessCheck {
  if (pending.length === 0) {
    return {
      description: 'every migration is applied',
      observedUnit: 'migrations',
      observedValue: 0,
      status: 'pass',
    };
  }
  return {
    description: `the database lacks ${pending.length} migration(s) (${pending.join(', ')}): run the store's migrate()`,
    observedUnit: 'migrations',
    observedValue: pending.length,
    status: 'fail',
  };
}

function transportsCheck(ctx: GatewayContext, run: GatewayRunState): ReadinessCheck {
  const total = ctx.transports.length;
  const started = ctx.transports.filter((t) => run.started.has(t));
  const check = { observedUnit: 'transports', observedValue: started.length };
  if (!run.running) {
    return {
      ...check,
      description: 'the gateway is not started (gateway.start())',
      status: 'fail',
    };
  }
  if (started.length < total) {
    const idle = ctx.transports.filter((t) => !run.started.has(t)).map((t) => t.name);
    return {
      ...check,
      description: `${started.length} of ${total} transports started; not started: ${idle.join(', ')}`,
      status: 'fail',
    };
  }
  const description =
    total === 0
      ? 'the gateway is started; it has no transports (the host drives the phone API)'
      : `the gateway and its ${total} transport(s) are started`;
  return { ...check, description, status: 'pass' };
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

export async function readiness(ctx: GatewayContext, run: GatewayRunState): Promise<Readiness> {
  const health = await ping(ctx);
  const checks: Record<string, ReadinessCheck> = { store: storeCheck(health) };
  if (health?.pendingMigrations) {
    checks['store:migrations'] = migrationsCheck(health.pendingMigrations);
  }
  checks.transports = transportsCheck(ctx, run);
  if (health) checks['phones:stranded'] = await strandedCheck(ctx);
  const statuses = Object.values(checks).map((c) => c.status);
  const status = statuses.includes('fail') ? 'fail' : statuses.includes('warn') ? 'warn' : 'pass';
  return { status, checks };
}
