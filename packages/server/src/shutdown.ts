/**
 * How `textport start` stops on SIGTERM or SIGINT. The first signal starts the graceful stop,
 * bounded by a deadline: past it the process logs what the stop was still waiting for and
 * exits 1. A second signal during the stop exits 1 at once (one within half a second of the
 * first is taken for the same signal delivered twice). Cutting the stop short loses
 * nothing accepted: a message is in the database before its send is answered, and a
 * transaction left open rolls back when the process ends.
 */

/** A second signal this soon after the first is the same one delivered twice: ignored. */
export const REPEAT_WINDOW_MS = 500;

export interface ShutdownOptions {
  /** The graceful stop; it calls `step` with what it waits for next. */
  close(step: (waitingFor: string) => void): Promise<void>;
  /** How long the graceful stop may take (`TEXTPORT_SHUTDOWN_TIMEOUT_SECONDS`). */
  timeoutMs: number;
  /** Ends the process (`process.exit`). */
  exit(code: number): void;
  /** Where the lines go (the console by default). */
  console?: Pick<Console, 'log' | 'error'>;
}

/** The handler for SIGTERM and SIGINT: the first starts the stop, the next exits at once. */
export function shutdownOnSignal(options: ShutdownOptions): (signal: string) => void {
  const { exit, timeoutMs, console: out = console } = options;
  const seconds = Math.round(timeoutMs / 1000);
  let waitingFor = 'the stop to begin';
  let stopping = false;
  let stoppingAt = 0;
  let exited = false;
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const finish = (code: number) => {
    if (exited) return;
    exited = true;
    clearTimeout(deadline);
    exit(code);
  };
  return (signal: string) => {
    if (exited) return;
    if (stopping) {
      // One Ctrl-C can arrive twice (the terminal's, and the one npm forwards to its child).
      if (Date.now() - stoppingAt < REPEAT_WINDOW_MS) return;
      out.error(`${signal} again: exiting now, without waiting for ${waitingFor}`);
      finish(1);
      return;
    }
    stopping = true;
    stoppingAt = Date.now();
    out.log(
      `${signal}: stopping (in-flight work finishes first, at most ${seconds} s; ${signal} again exits now)…`,
    );
    // Not unref'd: a stop stuck on a promise alone must still reach its deadline.
    deadline = setTimeout(() => {
      out.error(
        `textport did not stop within ${seconds} s (TEXTPORT_SHUTDOWN_TIMEOUT_SECONDS), still waiting for ${waitingFor}: exiting`,
      );
      finish(1);
    }, timeoutMs);
    options
      .close((next) => {
        waitingFor = next;
      })
      .then(
        () => finish(0),
        (error: unknown) => {
          out.error('textport did not stop cleanly:', error);
          finish(1);
        },
      );
  };
}
