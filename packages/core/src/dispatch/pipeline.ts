/**
 * Rounds taken ahead (`dispatch.roundsAhead`): while rounds come back full, up to
 * `depth` next rounds take their rows (each its own transaction; the rows one holds,
 * the others skip) while the round in hand is worked, so the database and this
 * process work at once. Rounds are still worked one after another in the order they
 * were started, so each phone gets this node's messages in claim order; a round
 * taken is worked even when the dispatcher stops meanwhile (`drain`).
 */
import type { TakenRound } from './batch.js';
import type { RoundPacer } from './pace.js';

/** A round whose rows are being taken (or were), to be worked in its turn. */
export interface Take {
  readonly taken: Promise<TakenRound | null>;
  readonly pacer: RoundPacer;
  readonly startedAt: number;
}

export interface PipelineSteps {
  /** Starts taking a round; null when there is nothing to take from (no phone reachable). */
  start(): Take | null;
  /** Works a taken round; resolves to how many rows it claimed. */
  work(take: Take): Promise<number>;
  /** Whether more rounds may be started (the loop runs). */
  running(): boolean;
  /** Rows of a full round. */
  batchSize: number;
  /** Most rounds taken ahead of the one in hand. */
  depth: number;
}

export class RoundPipeline {
  /** Rounds taken ahead of the one in hand, oldest first. */
  private ahead: Take[] = [];

  constructor(private readonly steps: PipelineSteps) {}

  /** The loop's round: the oldest round taken (or a new one), worked; how many rows it claimed. */
  async next(): Promise<number> {
    const { steps } = this;
    for (let take = this.ahead.shift() ?? steps.start(); take; take = this.ahead.shift() ?? null) {
      const taken = await take.taken;
      if (!taken) continue; // empty; a round started after it may still have rows
      if (taken.round.rows.length >= steps.batchSize) this.takeAhead();
      return steps.work(take);
    }
    return 0;
  }

  /** Works every round taken ahead (their batched rows are already handed off). */
  async drain(failed: (error: unknown) => void): Promise<void> {
    for (let take = this.ahead.shift(); take; take = this.ahead.shift()) {
      try {
        await this.steps.work(take);
      } catch (error) {
        failed(error);
      }
    }
  }

  private takeAhead(): void {
    const { steps } = this;
    while (steps.running() && this.ahead.length < steps.depth) {
      const take = steps.start();
      if (!take) return;
      this.ahead.push(take);
    }
  }
}
