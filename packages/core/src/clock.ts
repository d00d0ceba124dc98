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

/** Bytes of one draw from the system's generator: 256 ids' worth. */
const BLOCK = 4096;
const block = new Uint8Array(BLOCK);
const view = new DataView(block.buffer);
let used = BLOCK;

/**
 * 16 random bytes, taken from a block filled by the system's generator (one call
 * per 256 ids instead of one per id: the call costs far more than the bytes).
 */
function random16(): Uint8Array {
  if (used + 16 > BLOCK) {
    globalThis.crypto.getRandomValues(block);
    used = 0;
  }
  const bytes = block.subarray(used, used + 16);
  used += 16;
  return bytes;
}

/** The last id's millisecond and counter: ids are monotonic within the process. */
let lastMs = Number.NEGATIVE_INFINITY;
let seq = 0;

/**
 * A UUIDv7: the millisecond, then a 31-bit counter started at a random value in
 * each new millisecond and incremented within it (a wrap moves to the next
 * millisecond), then random bits; the layout and algorithm of the `uuid` package's `v7()`.
 */
function uuidV7(): string {
  const now = Date.now();
  const random = random16();
  if (now > lastMs) {
    // Bytes 6–9 as a big-endian number, top bit clear.
    seq = view.getUint32(random.byteOffset + 6) & 0x7fffffff;
    lastMs = now;
  } else {
    seq = (seq + 1) | 0;
    if (seq === 0) lastMs += 1;
  }
  return uuidv7({ msecs: lastMs, seq, random });
}

export function systemRandom(): Random {
  return {
    next: () => Math.random(),
    // Monotonic within the process, even within one millisecond.
    uuid: uuidV7,
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
