/**
 * One inbound feed (the SMS inbox or the call log) read by polling a list that
 * the tool pages newest first. An entry is new when its key is not remembered and
 * its date is not older than the high-water mark less `graceMs` (a multipart SMS
 * is dated by its first part, so it can land behind a newer one). New entries are
 * delivered oldest first, and remembered only once delivered; the first delivery
 * that fails stops the poll (order is kept, and a gateway that refuses one
 * usually refuses the next), and is retried next poll up to `maxAttempts` times.
 */
import type { FeedEntry } from './parse.js';
import type { FeedState } from './state.js';

export interface FeedLimits {
  /** Entries asked for per page (`-l`). */
  pageSize: number;
  /** Pages read per poll at most. */
  maxPages: number;
  /** Keys remembered. */
  capacity: number;
  /** Deliveries tried for one entry before it is given up (and remembered). */
  maxAttempts: number;
  graceMs: number;
  /** On the first read, deliver what is already there instead of taking it as seen. */
  backfill: boolean;
}

export interface FeedSource<T extends FeedEntry> {
  /** `what` names the feed in messages ("SMS", "missed call"). */
  readonly what: string;
  fetch(offset: number, limit: number): Promise<T[]>;
  deliver(entry: T): Promise<void>;
  describe(entry: T): string;
}

export interface FeedHooks {
  /** Persists the state of every feed; reports its own failure. */
  save(): void;
  problem(error: Error, context: string): void;
  log(line: string): void;
}

function chronological(a: FeedEntry, b: FeedEntry): number {
  return a.timeMs - b.timeMs || (a.order ?? 0) - (b.order ?? 0);
}

function newest(entries: readonly FeedEntry[]): number | undefined {
  let max: number | undefined;
  for (const entry of entries) if (max === undefined || entry.timeMs > max) max = entry.timeMs;
  return max;
}

export class InboundFeed<T extends FeedEntry> {
  private mark: number | undefined;
  private readonly seen = new Set<string>();
  private started: boolean;
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly source: FeedSource<T>,
    private readonly limits: FeedLimits,
    private readonly hooks: FeedHooks,
    saved: FeedState | undefined,
  ) {
    this.started = saved !== undefined;
    this.mark = saved?.mark;
    for (const key of saved?.seen ?? []) this.remember(key);
  }

  /** What to save; undefined until the feed has been read once. */
  state(): FeedState | undefined {
    if (!this.started) return undefined;
    const state: FeedState = { seen: [...this.seen] };
    if (this.mark !== undefined) state.mark = this.mark;
    return state;
  }

  async poll(): Promise<void> {
    const first = !this.started;
    const entries = await this.collect(first);
    if (first) {
      this.started = true;
      if (!this.limits.backfill) {
        let taken = 0;
        for (const entry of entries) {
          if (!entry.relevant) continue;
          this.remember(entry.key);
          taken++;
        }
        this.mark = newest(entries);
        this.hooks.save();
        this.hooks.log(
          `first read: ${taken} ${this.source.what} entries already there taken as seen`,
        );
        return;
      }
    }
    const floor = this.floor();
    const fresh = entries
      .filter((entry) => entry.relevant && !this.isSeen(entry) && entry.timeMs >= floor)
      .sort(chronological);
    let complete = true;
    for (const entry of fresh) {
      if (!(await this.deliver(entry))) {
        complete = false;
        break;
      }
    }
    const top = newest(entries);
    if (complete && top !== undefined && (this.mark === undefined || top > this.mark)) {
      this.mark = top;
      this.hooks.save();
    } else if (first) this.hooks.save();
  }

  /** Delivers one entry; false when it is to be retried next poll. */
  private async deliver(entry: T): Promise<boolean> {
    try {
      await this.source.deliver(entry);
    } catch (error) {
      const cause = error instanceof Error ? error : new Error(String(error));
      const attempt = (this.attempts.get(entry.key) ?? 0) + 1;
      const what = this.source.describe(entry);
      if (attempt < this.limits.maxAttempts) {
        this.attempts.set(entry.key, attempt);
        if (this.attempts.size > this.limits.capacity) this.attempts.clear();
        this.hooks.problem(cause, `${what} not taken (attempt ${attempt}); retried next poll`);
        return false;
      }
      this.hooks.problem(cause, `${what} not taken after ${attempt} attempts; given up`);
      this.hooks.log(`gave up ${what} after ${attempt} attempts: ${cause.message}`);
    }
    this.attempts.delete(entry.key);
    this.remember(entry.key);
    this.hooks.save();
    return true;
  }

  /** Reads pages until one reaches entries already known (or older than the mark). */
  private async collect(first: boolean): Promise<T[]> {
    const { pageSize, maxPages, graceMs, backfill } = this.limits;
    const entries: T[] = [];
    const keys = new Set<string>();
    for (let page = 0; page < maxPages; page++) {
      const batch = await this.source.fetch(page * pageSize, pageSize);
      // A page can repeat entries when new ones arrive between two reads.
      for (const entry of batch) {
        if (keys.has(entry.key)) continue;
        keys.add(entry.key);
        entries.push(entry);
      }
      if (batch.length < pageSize) return entries;
      if (first) {
        if (backfill) continue;
        // Only what is within the grace of the newest could be taken for new later.
        const floor = (newest(entries) ?? 0) - graceMs;
        if (batch.some((entry) => entry.timeMs < floor)) return entries;
        continue;
      }
      const floor = this.floor();
      if (batch.some((entry) => entry.timeMs < floor || this.isSeen(entry))) return entries;
    }
    if (!first || !backfill) {
      this.hooks.problem(
        new Error(`more than ${maxPages * pageSize} new ${this.source.what} entries in one poll`),
        `${this.source.what}: older entries were not read`,
      );
    }
    return entries;
  }

  private floor(): number {
    return this.mark === undefined ? Number.NEGATIVE_INFINITY : this.mark - this.limits.graceMs;
  }

  private isSeen(entry: FeedEntry): boolean {
    return this.seen.has(entry.key) || entry.altKeys.some((key) => this.seen.has(key));
  }

  private remember(key: string): void {
    this.seen.delete(key);
    this.seen.add(key);
    if (this.seen.size > this.limits.capacity) {
      const oldest = this.seen.values().next();
      if (!oldest.done) this.seen.delete(oldest.value);
    }
  }
}
