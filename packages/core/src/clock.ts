/** Injected time and randomness: core logic never calls Date.now() or Math.random() itself. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** A lowercase UUIDv4. */
  uuid(): string;
  /** `size` random bytes. */
  bytes(size: number): Uint8Array;
}

export const systemClock: Clock = { now: () => Date.now() };

export function systemRandom(): Random {
  return {
    next: () => Math.random(),
    uuid: () => globalThis.crypto.randomUUID(),
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
