/** The posts a relay has under way: tracked so `settled()` can wait for them, failures logged. */
import type { Logger } from '../logger.js';

export class InFlight {
  private readonly runs = new Set<Promise<void>>();

  constructor(
    private readonly logger: Logger,
    private readonly failure: string,
  ) {}

  /** Tracks `run`; a rejection is logged with the failure message, never thrown. */
  track(run: Promise<void>): void {
    const tracked = run
      .catch((error: unknown) => this.logger.warn({ err: error }, this.failure))
      .finally(() => this.runs.delete(tracked));
    this.runs.add(tracked);
  }

  /** Waits for every tracked run, those started meanwhile included. */
  async settled(): Promise<void> {
    while (this.runs.size > 0) await Promise.all(this.runs);
  }
}
