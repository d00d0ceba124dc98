/**
 * How `textport start` stops on SIGTERM or SIGINT: a graceful stop bounded by
 * `TEXTPORT_SHUTDOWN_TIMEOUT_SECONDS` that says what it was still waiting for, and a second
 * signal that exits at once.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readConfig } from '../src/config.js';
import { shutdownOnSignal } from '../src/shutdown.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A stop with an injected exit, its output collected, and a close the test settles. */
function harness(close: (step: (waitingFor: string) => void) => Promise<void>) {
  const exits: number[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const onSignal = shutdownOnSignal({
    close,
    timeoutMs: 30_000,
    exit: (code) => exits.push(code),
    console: {
      log: (...args: unknown[]) => out.push(args.join(' ')),
      error: (...args: unknown[]) => err.push(args.join(' ')),
    },
  });
  return { onSignal, exits, out, err };
}

/** A close that reaches the gateway's stop and never gets further. */
const stuckInGatewayStop = (step: (waitingFor: string) => void) => {
  step('requests in flight');
  step('the gateway to stop');
  return new Promise<void>(() => {});
};

describe('textport start on SIGTERM or SIGINT', () => {
  it('exits 0 once the graceful stop is done', async () => {
    const { onSignal, exits, out } = harness(async () => {});
    onSignal('SIGTERM');
    await vi.advanceTimersByTimeAsync(0);
    expect(exits).toEqual([0]);
    expect(out.join('\n')).toContain('SIGTERM: stopping');
    // The deadline is disarmed: nothing exits a second time.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(exits).toEqual([0]);
  });

  it('exits 1 at the deadline when the stop hangs, naming what it was waiting for', async () => {
    const { onSignal, exits, err } = harness(stuckInGatewayStop);
    onSignal('SIGTERM');
    await vi.advanceTimersByTimeAsync(29_999);
    expect(exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(exits).toEqual([1]);
    expect(err.join('\n')).toContain('did not stop within 30 s');
    expect(err.join('\n')).toContain('still waiting for the gateway to stop');
  });

  it('exits 1 at once on a second signal during the stop', async () => {
    const { onSignal, exits, err } = harness(stuckInGatewayStop);
    onSignal('SIGINT');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(exits).toEqual([]);
    onSignal('SIGINT');
    expect(exits).toEqual([1]);
    expect(err.join('\n')).toContain('SIGINT again');
    expect(err.join('\n')).toContain('the gateway to stop');
    // Neither the deadline nor a third signal exits again.
    onSignal('SIGTERM');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(exits).toEqual([1]);
  });

  it('takes a second signal within half a second for the same one delivered twice', async () => {
    const { onSignal, exits } = harness(stuckInGatewayStop);
    onSignal('SIGINT');
    await vi.advanceTimersByTimeAsync(100);
    // The terminal's Ctrl-C and the one npm forwards to its child.
    onSignal('SIGINT');
    expect(exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(29_900);
    expect(exits).toEqual([1]);
  });

  it('exits 1 when the stop fails', async () => {
    const { onSignal, exits, err } = harness(async () => {
      throw new Error('database gone');
    });
    onSignal('SIGTERM');
    await vi.advanceTimersByTimeAsync(0);
    expect(exits).toEqual([1]);
    expect(err.join('\n')).toContain('database gone');
  });
});

describe('TEXTPORT_SHUTDOWN_TIMEOUT_SECONDS', () => {
  it('is a whole number of seconds, 30 by default', () => {
    expect(readConfig({}).TEXTPORT_SHUTDOWN_TIMEOUT_SECONDS).toBe(30);
    expect(
      readConfig({ TEXTPORT_SHUTDOWN_TIMEOUT_SECONDS: '90' }).TEXTPORT_SHUTDOWN_TIMEOUT_SECONDS,
    ).toBe(90);
    for (const value of ['0', 'soon', '1.5', '-3', '3601']) {
      expect(() => readConfig({ TEXTPORT_SHUTDOWN_TIMEOUT_SECONDS: value }), value).toThrow(
        'TEXTPORT_SHUTDOWN_TIMEOUT_SECONDS: must be a whole number of seconds',
      );
    }
  });
});
