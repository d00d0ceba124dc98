/**
 * Phone pools (`/v1/pools` in docs/http-api.md; docs/routing.md, Pools): list, create,
 * change and remove an account's pools, and choose the sender of a send that names a
 * pool (or no `from`, through the account's default pool).
 */
import { choosePoolPhone, type PoolView } from '../domain/pools.js';
import type { PhoneRecord, PoolRecord } from '../domain/records.js';
import { GatewayError } from '../errors.js';
import type { Store } from '../store.js';
import type { GatewayContext } from '../uow/context.js';
import { runUnitOfWork } from '../uow/context.js';
import { Checker } from './validate.js';

export interface PoolInput {
  name: string;
  /** The account's phones that send for the pool (each leaves any other pool). */
  phoneIds: readonly string[];
  /** Sends that name no `from` go through the default pool; one per account. */
  isDefault?: boolean;
}

/** The prefix of a pool reference in a send's `from` (`pool:<id>`). */
export const POOL_PREFIX = 'pool:';

const MAX_MEMBERS = 100;

function notFound(id: string): GatewayError {
  return GatewayError.notFound(`cannot find pool with ID [${id}]`);
}

async function view(store: Store, pool: PoolRecord): Promise<PoolView> {
  const members = await store.listPoolMembers(pool.id);
  return { ...pool, phoneIds: members.map((p) => p.id) };
}

export async function listPools(ctx: GatewayContext, accountId: string): Promise<PoolView[]> {
  const pools = await ctx.store.listPools(accountId);
  return Promise.all(pools.map((pool) => view(ctx.store, pool)));
}

export async function getPool(ctx: GatewayContext, accountId: string, id: string) {
  const pool = await ctx.store.getPool(accountId, id);
  if (!pool) throw notFound(id);
  return view(ctx.store, pool);
}

/** Checks the input; every member must be one of the account's phones. */
async function checked(ctx: GatewayContext, accountId: string, input: PoolInput) {
  const check = new Checker();
  const name = check.text('name', input?.name?.trim?.() ?? input?.name, 1, 100);
  const list = input?.phoneIds;
  let phoneIds: string[] = [];
  if (!Array.isArray(list) || list.length > MAX_MEMBERS) {
    check.add(
      'phone_ids',
      `The phone_ids field must be a list of at most ${MAX_MEMBERS} phone IDs`,
    );
  } else {
    phoneIds = [...new Set(list.map((id, i) => check.uuid(`phone_ids[${i}]`, id)))];
  }
  if (input?.isDefault !== undefined && typeof input.isDefault !== 'boolean') {
    check.add('is_default', 'The is_default field must be a boolean');
  }
  check.throwIfInvalid();
  for (const id of phoneIds) {
    const phone = await ctx.store.getPhone(id);
    if (phone?.accountId !== accountId) check.add('phone_ids', `cannot find phone with ID [${id}]`);
  }
  check.throwIfInvalid();
  return { name, phoneIds, isDefault: input.isDefault ?? false };
}

export async function createPool(
  ctx: GatewayContext,
  accountId: string,
  input: PoolInput,
): Promise<PoolView> {
  const { name, phoneIds, isDefault } = await checked(ctx, accountId, input);
  const now = ctx.clock.now();
  const pool = {
    id: ctx.random.uuid(),
    accountId,
    name,
    isDefault,
    createdAt: now,
    updatedAt: now,
  };
  return view(ctx.store, await ctx.store.savePool(pool, phoneIds));
}

export async function updatePool(
  ctx: GatewayContext,
  accountId: string,
  id: string,
  input: PoolInput,
): Promise<PoolView> {
  const existing = await ctx.store.getPool(accountId, id);
  if (!existing) throw notFound(id);
  const { name, phoneIds, isDefault } = await checked(ctx, accountId, input);
  const pool = { ...existing, name, isDefault, updatedAt: ctx.clock.now() };
  return view(ctx.store, await ctx.store.savePool(pool, phoneIds));
}

/** Removes the pool; messages queued through it stay on the phone chosen for them. */
export async function deletePool(
  ctx: GatewayContext,
  accountId: string,
  id: string,
): Promise<PoolRecord> {
  const deleted = await runUnitOfWork(ctx, (uow) => uow.tx.deletePool(accountId, id));
  if (!deleted) throw notFound(id);
  return deleted;
}

/** What a send names as its sender: one number, or a pool (null id: the default pool). */
export type SenderRef = { number: string } | { poolId: string | null };

/** Reads a send's `from` and `pool_id` (validation errors go to `check`). */
export function senderRef(check: Checker, from: unknown, poolId: unknown): SenderRef {
  if (poolId !== undefined && poolId !== null) {
    if (from !== undefined && from !== null && from !== '') {
      check.add('pool_id', 'Give either the from field or the pool_id field, not both');
    }
    return { poolId: check.uuid('pool_id', poolId) };
  }
  if (typeof from === 'string' && from.startsWith(POOL_PREFIX)) {
    return { poolId: check.uuid('from', from.slice(POOL_PREFIX.length)) };
  }
  if (from === undefined || from === null || from === '') return { poolId: null };
  return { number: check.phoneNumber('from', from) };
}

/** The reference as the quota hook and idempotency see it: the number, or `pool:<id>`. */
export function senderLabel(ref: SenderRef): string {
  return 'number' in ref ? ref.number : `${POOL_PREFIX}${ref.poolId ?? 'default'}`;
}

/** The pool a send goes through, with its members; 422 when it cannot send anything. */
export async function sendingPool(
  tx: Store,
  accountId: string,
  poolId: string | null,
): Promise<{ pool: PoolRecord; members: PhoneRecord[] }> {
  const pool =
    poolId === null ? await tx.getDefaultPool(accountId) : await tx.getPool(accountId, poolId);
  if (!pool) {
    throw GatewayError.validation(
      poolId === null
        ? { from: ['The from field is required'] }
        : { pool_id: [`no pool found with ID [${poolId}]`] },
    );
  }
  const members = await tx.listPoolMembers(pool.id);
  if (members.length === 0) {
    throw GatewayError.validation({ pool_id: [`the pool [${pool.name}] has no phones`] });
  }
  return { pool, members };
}

/**
 * The member that sends to `contact`, by the pool policy; when no member can send
 * now, the one the policy picks among all (the message waits for it, or moves on).
 * Records the choice as the contact's sticky sender.
 */
export async function choosePoolSender(
  ctx: GatewayContext,
  tx: Store,
  pool: PoolRecord,
  members: readonly PhoneRecord[],
  contact: string,
  segments: number,
  now: number,
): Promise<PhoneRecord> {
  const sticky = await tx.getPoolContact(pool.id, contact);
  const choice = {
    contact,
    segments,
    now,
    linkGraceMs: ctx.pools.linkGraceMs,
    stickyPhoneId: sticky?.phoneId ?? null,
  };
  const anyone = members.map((p) => ({ ...p, online: true, linkSeenAt: null }));
  const picked = choosePoolPhone(members, choice) ?? choosePoolPhone(anyone, choice);
  const phone = members.find((p) => p.id === picked?.id) ?? (members[0] as PhoneRecord);
  if (sticky?.phoneId !== phone.id) {
    await tx.setPoolContact({
      accountId: pool.accountId,
      poolId: pool.id,
      contact,
      phoneId: phone.id,
      updatedAt: now,
    });
  }
  return phone;
}
