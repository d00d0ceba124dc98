/** Retry delays as a pure function of (attempt, policy, random): deterministic under test. */
export interface RetryPolicy {
  /** Delay before the first retry, in milliseconds. */
  minDelayMs: number;
  /** Upper bound of any delay. */
  maxDelayMs: number;
  /** Growth per attempt. */
  multiplier: number;
  /** Fraction of the delay that is randomised (0 = none, 1 = full jitter). */
  jitter: number;
}

/** Delay before retry number `attempt` (1-based); `random` is a float in [0, 1). */
export function retryDelay(attempt: number, policy: RetryPolicy, random: number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const base = Math.min(policy.maxDelayMs, policy.minDelayMs * policy.multiplier ** exponent);
  const spread = base * policy.jitter;
  return Math.round(Math.min(policy.maxDelayMs, base - spread + 2 * spread * random));
}
