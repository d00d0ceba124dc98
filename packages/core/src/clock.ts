/** Injected time and randomness: core logic never calls Date.now() or Math.random() itself. */
import { v7 as uuidv7 } from 'uuid';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /**
   * A lowercase UUID for a new row. `systemRandom` gives version 7: its first 48
   * bits are the creation time in milliseconds (then a counter within the
   * millisecond), so an id created later sorts after, and new rows land at the
   * end of an id index instead of on a random page of it. Ids stored before are
   * version 4; both pass the `uuid` rule.
   */
  uuid(): string;
  /** `size` random bytes. */
  bytes(size: number): Uint8Array;
}

export const systemClock: Clock = { now: () => Date.now() };

export function systemRandom(): Random {
  return {
    next: () => Math.random(),
    // Monotonic within the process, even within one millisecond.
    uuid: () => uuidv7(),
    bytes: (size) => globalThis.crypto.getRandomValues(new Uint8Array(size)),
  };
}

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.current;
  }
  set(ms: number): void {
    this.current = ms;
  }
  advance(ms: number): number {
    this.current += ms;
    return this.current;
  }
}
