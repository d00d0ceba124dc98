/**
 * Missed calls from `RING` and `+CLIP` (AT+CLIP=1): a call is one run of rings; it ends with
 * `NO CARRIER` or when no ring came for `gapMs` (modems ring every 3–6 s while the caller waits,
 * and many say nothing when the caller gives up). Each call is reported once.
 */

export interface RingWatcherOptions {
  gapMs: number;
  now: () => number;
  /** `from` is "" when the caller withheld the number or the modem never gave it. */
  ended(call: { from: string; timestamp: Date }): void;
}

interface Call {
  from: string;
  startedAt: number;
  timer: NodeJS.Timeout | undefined;
}

export class RingWatcher {
  private call: Call | undefined;

  constructor(private readonly options: RingWatcherOptions) {}

  /** `RING` / `+CRING`. */
  ring(): void {
    const call = this.current();
    clearTimeout(call.timer);
    call.timer = setTimeout(() => this.end(), this.options.gapMs);
  }

  /** `+CLIP: "<number>",…` (comes with each ring). */
  callerId(number: string): void {
    const call = this.current();
    if (number) call.from = number;
    if (!call.timer) call.timer = setTimeout(() => this.end(), this.options.gapMs);
  }

  /** `NO CARRIER`: the caller hung up. */
  end(): void {
    const call = this.call;
    if (!call) return;
    clearTimeout(call.timer);
    this.call = undefined;
    this.options.ended({ from: call.from, timestamp: new Date(call.startedAt) });
  }

  /** Forgets a call in progress without reporting it. */
  stop(): void {
    clearTimeout(this.call?.timer);
    this.call = undefined;
  }

  private current(): Call {
    this.call ??= { from: '', startedAt: this.options.now(), timer: undefined };
    return this.call;
  }
}
