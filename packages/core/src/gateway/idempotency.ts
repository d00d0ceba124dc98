/**
 * `Idempotency-Key` support: the same key for the same account within the TTL
 * replays the original result; the same key with a different request is a conflict.
 */
import { createHash } from 'node:crypto';
import type { IdempotencyRecord, MessageRecord } from '../domain/records.js';
import { GatewayError, isGatewayError } from '../errors.js';
import type { Store } from '../store.js';
import type { GatewayContext } from '../uow/context.js';

export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

export function checkIdempotencyKey(key: string): void {
  if (key.length < 1 || key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
    throw GatewayError.validation({
      'Idempotency-Key': ['The Idempotency-Key must be 1 to 255 visible ASCII characters'],
    });
  }
}

async function replay(
  store: Store,
  record: IdempotencyRecord,
  requestHash: string,
): Promise<(MessageRecord | null)[]> {
  if (record.requestHash !== requestHash) {
    throw new GatewayError(
      'idempotency_conflict',
      `the Idempotency-Key [${record.key}] was already used for a different request`,
    );
  }
  const ids = record.messageIds.filter((id): id is string => id !== null);
  const found = new Map((await store.getMessages(record.accountId, ids)).map((m) => [m.id, m]));
  return record.messageIds.map((id) => (id === null ? null : (found.get(id) ?? null)));
}

/**
 * Runs `create` once per (account, key). `create` receives the idempotency record
 * to write together with its messages (it fills `messageIds`).
 */
export async function idempotent(
  ctx: GatewayContext,
  store: Store,
  accountId: string,
  key: string | undefined,
  /** The request the key stands for (its fingerprint is compared); asked only when there is a key. */
  request: () => unknown,
  create: (record: IdempotencyRecord | undefined) => Promise<(MessageRecord | null)[]>,
): Promise<(MessageRecord | null)[]> {
  if (key === undefined) return create(undefined);
  checkIdempotencyKey(key);
  const requestHash = fingerprint(request());
  const notBefore = ctx.clock.now() - ctx.idempotencyTtlSeconds * 1000;
  const existing = await store.getIdempotency(accountId, key, notBefore);
  if (existing) return replay(store, existing, requestHash);

  const attempt = () =>
    create({ accountId, key, requestHash, messageIds: [], createdAt: ctx.clock.now() });
  try {
    return await attempt();
  } catch (error) {
    if (!isGatewayError(error) || error.code !== 'conflict') throw error;
    // Lost a race to a concurrent request with the same key, or an expired record is in the way.
    const winner = await store.getIdempotency(accountId, key, notBefore);
    if (winner) return replay(store, winner, requestHash);
    await store.purgeIdempotency(notBefore);
    return attempt();
  }
}
