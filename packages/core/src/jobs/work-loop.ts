/**
 * The run loop shared by background workers (dispatcher, webhook delivery): run a
 * round whenever woken, keep going while rounds come back full, then sleep until
 * the next due time or the safety poll, whichever is sooner. Wake-ups that arrive
 * during a round are coalesced into one more round.
 */
export interface WorkLoopOptions {
  /** One round; returns how many items it handled. */
  runOnce(): Promise<number>;
  /** A round that handled this many items is followed at once by another. */
  batchSize: number;
  /**
   * Follow every round that handled anything at once by another, full or not: items
   * that fall due one after another (scheduled sends) are taken without a sleep and a
   * look at the next due time between rounds. The loop sleeps after an empty round.
   */
  untilEmpty?: boolean;
  /** The longest sleep between rounds. */
  pollIntervalMs: number;
  /** Milliseconds until the next known due item, or null when none is known. */
  nextDueIn?(): Promise<number | null>;
  /** The clock `nextDueIn` reads (default `Date.now`). */
  now?(): number;
  onError(error: unknown): void;
}

export class WorkLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private lastRound = 0;
  /** When the last round began, on the `now` clock. */
  private lastRoundAt = 0;
  private started = false;

  constructor(private readonly options: WorkLoopOptions) {}

  get isRunning(): boolean {
    return this.started;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.wake();
  }

  /** Stops; resolves once the round in progress has finished. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Run a round as soon as possible (coalesced). */
  wake(): void {
    if (!this.started) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        do {
          this.lastRoundAt = this.now();
          this.lastRound = await this.options.runOnce();
        } while (this.started && this.lastRound >= this.minimumToContinue());
      } catch (error) {
        this.options.onError(error);
      }
    } while (this.again && this.started);
    await this.arm();
  }

  private minimumToContinue(): number {
    return this.options.untilEmpty ? 1 : this.options.batchSize;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private async arm(): Promise<void> {
    if (!this.started) return;
    let delay = this.options.pollIntervalMs;
    try {
      const next = await this.options.nextDueIn?.();
      // Due before the last round began, yet that round found nothing: the rows are
      // leased elsewhere; wait for the poll. An item that fell due during the round
      // (a timer may fire a little early) is not held: look again at once.
      const heldElsewhere =
        next !== null &&
        next !== undefined &&
        this.lastRound === 0 &&
        this.now() + next <= this.lastRoundAt;
      if (next !== null && next !== undefined && !heldElsewhere) {
        delay = Math.min(delay, Math.max(0, next));
      }
    } catch (error) {
      this.options.onError(error);
    }
    if (!this.started) return;
    // A wake-up that arrived while the next due time was being read must not wait.
    if (this.again) delay = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), delay);
    this.timer.unref?.();
  }
}
