/** Hooks that load from the API and load again when a live event says something changed. */
import { useEffect, useState } from 'preact/hooks';
import { type LiveEvent, subscribe } from './events.js';

export interface Loaded<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  /** Loads again now. */
  reload(): void;
}

/**
 * `load()` now, again when `deps` change, and again (at most every `delayMs`, default 300 ms)
 * when an event for which `relevant(event)` holds arrives.
 */
export function useLive<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: unknown[],
  relevant: (event: LiveEvent) => boolean = () => true,
  delayMs = 300,
): Loaded<T> {
  const [state, setState] = useState<Omit<Loaded<T>, 'reload'>>({
    data: null,
    error: null,
    loading: true,
  });
  const [round, setRound] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Only the latest load may show: an older answer arriving late is dropped.
    let latest = 0;
    const run = () => {
      const round = ++latest;
      load(controller.signal).then(
        (data) => {
          if (round === latest) setState({ data, error: null, loading: false });
        },
        (error: unknown) => {
          if (round === latest && !controller.signal.aborted) {
            setState((s) => ({ ...s, error, loading: false }));
          }
        },
      );
    };
    run();
    const stop = subscribe((event) => {
      if (!relevant(event) || timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        run();
      }, delayMs);
    });
    return () => {
      controller.abort();
      clearTimeout(timer);
      stop();
    };
  }, [...deps, round]);
  return { ...state, reload: () => setRound((r) => r + 1) };
}
