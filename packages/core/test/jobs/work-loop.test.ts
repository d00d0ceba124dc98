import { afterEach, describe, expect, it, vi } from 'vitest';
import { WorkLoop } from '../../src/jobs/work-loop.js';

afterEach(() => vi.useRealTimers());

describe('WorkLoop', () => {
  it('with untilEmpty, follows every round that handled anything at once, full or not', async () => {
    vi.useFakeTimers();
    const handled = [3, 2, 0, 4, 0];
    const runOnce = vi.fn(async () => handled.shift() ?? 0);
    const nextDueIn = vi.fn(async () => 500);
    const loop = new WorkLoop({
      runOnce,
      batchSize: 10,
      pollIntervalMs: 1000,
      untilEmpty: true,
      nextDueIn,
      onError: () => {},
    });
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    // 3, 2, then the empty round; only then the loop reads the next due time and sleeps.
    expect(runOnce).toHaveBeenCalledTimes(3);
    expect(nextDueIn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(runOnce).toHaveBeenCalledTimes(5);
    await loop.stop();
  });

  it('without untilEmpty, sleeps after a round that was not full', async () => {
    vi.useFakeTimers();
    const runOnce = vi.fn(async () => 3);
    const loop = new WorkLoop({
      runOnce,
      batchSize: 10,
      pollIntervalMs: 1000,
      nextDueIn: async () => 500,
      onError: () => {},
    });
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(runOnce).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(runOnce).toHaveBeenCalledTimes(2);
    await loop.stop();
  });

  it('does not spin on rows that are due but held by another claimer', async () => {
    vi.useFakeTimers();
    const runOnce = vi.fn(async () => 0);
    const loop = new WorkLoop({
      runOnce,
      batchSize: 10,
      pollIntervalMs: 1000,
      nextDueIn: async () => -5,
      onError: () => {},
    });
    loop.start();
    await vi.advanceTimersByTimeAsync(999);
    expect(runOnce).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(runOnce).toHaveBeenCalledTimes(2);
    await loop.stop();
  });

  it('looks again at once for an item that fell due while a round found nothing', async () => {
    vi.useFakeTimers();
    let clock = 0;
    // Each round takes 10 ms of the clock; the item falls due 5 ms into the first one
    // (its timer fired early) and is then held by another claimer.
    const runOnce = vi.fn(async () => {
      clock += 10;
      return 0;
    });
    const loop = new WorkLoop({
      runOnce,
      batchSize: 10,
      pollIntervalMs: 1000,
      nextDueIn: async () => 5 - clock,
      now: () => clock,
      onError: () => {},
    });
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(runOnce).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(999);
    expect(runOnce).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(runOnce).toHaveBeenCalledTimes(3);
    await loop.stop();
  });

  it('sleeps until the next due time when it is sooner than the poll', async () => {
    vi.useFakeTimers();
    const runOnce = vi.fn(async () => 0);
    const loop = new WorkLoop({
      runOnce,
      batchSize: 10,
      pollIntervalMs: 1000,
      nextDueIn: async () => 200,
      onError: () => {},
    });
    loop.start();
    await vi.advanceTimersByTimeAsync(200);
    expect(runOnce).toHaveBeenCalledTimes(2);
    await loop.stop();
  });

  it('a wake-up that arrives while the next due time is read runs a round at once', async () => {
    vi.useFakeTimers();
    let release: (value: number | null) => void = () => {};
    let reads = 0;
    const runOnce = vi.fn(async () => 0);
    const loop = new WorkLoop({
      runOnce,
      batchSize: 10,
      pollIntervalMs: 60_000,
      // The first read hangs until released; later ones answer at once.
      nextDueIn: () =>
        reads++ === 0
          ? new Promise<number | null>((resolve) => {
              release = resolve;
            })
          : Promise.resolve(null),
      onError: () => {},
    });
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(runOnce).toHaveBeenCalledTimes(1);
    loop.wake(); // during arm(): must not wait for the 60 s poll
    release(null);
    await vi.advanceTimersByTimeAsync(0);
    expect(runOnce).toHaveBeenCalledTimes(2);
    await loop.stop();
  });

  it('keeps going while rounds come back full', async () => {
    const counts = [10, 10, 3];
    const runOnce = vi.fn(async () => counts.shift() ?? 0);
    const loop = new WorkLoop({
      runOnce,
      batchSize: 10,
      pollIntervalMs: 60_000,
      onError: () => {},
    });
    loop.start();
    await vi.waitFor(() => expect(runOnce).toHaveBeenCalledTimes(3));
    await loop.stop();
  });
});
