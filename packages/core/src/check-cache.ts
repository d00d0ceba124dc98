/**
 * Key checks remembered for a while (`CheckCache`): the HTTP API's resolved API keys and the
 * SMSGate device API's key numbers. Entries are forgotten when keys change (a rotation, a
 * deletion, a revocation announced by another node); a check that was under way when entries
 * were forgotten is answered but not remembered, since it may have read a key that was revoked
 * while it ran. So a revoked key stops working at once, whatever the timing.
 */
import type { Clock } from './clock.js';

export interface CheckCacheOptions<V> {
  /** How long an answer is remembered, in ms; 0 or less remembers nothing. */
  ttlMs: number;
  clock: Clock;
  /** At most this many entries: all are dropped when it is reached (default 10,000). */
  limit?: number;
  /** Whether an answer may be remembered (default: every answer). */
  keep?: (value: V) => boolean;
}

export class CheckCache<V> {
  readonly #entries = new Map<string, { value: V; at: number }>();
  /** Counts `forget` calls: a check that started before one is not remembered after it. */
  #epoch = 0;

  constructor(private readonly options: CheckCacheOptions<V>) {}

  /** The remembered answer for `key` while fresh, else `check()`'s (remembered when it may be). */
  async get(key: string, check: () => Promise<V>, fresh = false): Promise<V> {
    const { ttlMs, clock, limit = 10_000, keep } = this.options;
    if (ttlMs <= 0) return check();
    const now = clock.now();
    const hit = this.#entries.get(key);
    if (!fresh && hit && now - hit.at < ttlMs) return hit.value;
    const epoch = this.#epoch;
    const value = await check();
    if (keep && !keep(value)) this.#entries.delete(key);
    else if (epoch === this.#epoch) {
      if (this.#entries.size >= limit) this.#entries.clear();
      this.#entries.set(key, { value, at: now });
    }
    return value;
  }

  /** Forgets the entries whose answer matches (every entry without `match`). */
  forget(match?: (value: V) => boolean): void {
    this.#epoch += 1;
    if (!match) {
      this.#entries.clear();
      return;
    }
    for (const [key, entry] of this.#entries) if (match(entry.value)) this.#entries.delete(key);
  }
}
