/**
 * Seeded randomness for the crash faults: the seed of a run (FAULT_SEED replays
 * one) and a small PRNG, so the same seed gives the same kill plan.
 */

/** The seed of a run: FAULT_SEED when set (to replay a failure), else a fresh one. */
export function faultSeed(): number {
  const raw = process.env.FAULT_SEED;
  if (raw !== undefined && raw.trim() !== '') {
    const seed = Number(raw);
    if (!Number.isInteger(seed)) throw new Error(`FAULT_SEED must be an integer, got "${raw}"`);
    return seed >>> 0;
  }
  return Math.floor(Math.random() * 2 ** 32) >>> 0;
}

/** mulberry32: a small, fast PRNG; the same seed gives the same kill plan. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
