/** Shared helpers for the Store conformance groups. */
import { expect } from 'vitest';
import type { Store } from '../../store.js';
import type { RawReader } from '../harness.js';

/** The harness of the running group; read it inside tests only. */
export interface GroupContext {
  readonly store: Store;
  readonly raw: RawReader;
  /**
   * A second store on the same data (groups that require `crossProcess` only).
   * It is closed when the group ends.
   */
  openSecondStore(): Promise<Store>;
}

/** Registers a group's tests. */
export type Group = (ctx: GroupContext) => void;

export const uuid = (): string => globalThis.crypto.randomUUID();

/** Awaits `promise` and checks that it rejected with a GatewayError of code `conflict`. */
export async function expectConflict(promise: Promise<unknown>): Promise<void> {
  const outcome = await promise.then(
    () => 'resolved',
    (error: unknown) => error,
  );
  // Compared by shape: a backend may load its own copy of the error class.
  expect(outcome, 'expected a conflict error').toMatchObject({
    name: 'GatewayError',
    code: 'conflict',
  });
}

/** Awaits `promise` and returns what it rejected with (fails when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  const marker = Symbol('resolved');
  const outcome = await promise.then(
    () => marker,
    (error: unknown) => error,
  );
  expect(outcome, 'expected the promise to reject').not.toBe(marker);
  return outcome;
}

/** Ids of `rows`, sorted, for order-insensitive comparisons. */
export function idSet(rows: readonly { id: string }[]): string[] {
  return rows.map((row) => row.id).sort();
}

/** Ids of `rows`, in order. */
export function ids(rows: readonly { id: string }[]): string[] {
  return rows.map((row) => row.id);
}

/**
 * Calls `claim` until it returns nothing and collects the ids. Gives up after
 * `expected + 1` calls, so a store that hands rows out again fails the test
 * instead of looping for ever.
 */
export async function drain(
  claim: () => Promise<readonly { id: string }[]>,
  expected: number,
): Promise<string[]> {
  const got: string[] = [];
  for (let calls = 0; calls <= expected; calls += 1) {
    const batch = await claim();
    if (batch.length === 0) return got;
    got.push(...ids(batch));
  }
  throw new Error(`claims still returned rows after ${expected + 1} calls (${got.length} rows)`);
}
