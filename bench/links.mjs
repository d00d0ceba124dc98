// Shared by the benchmarks of phone links (WebSocket, SMSGate event streams): latency
// figures measured across two processes, and the server's memory per idle link.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export const now = () => performance.timeOrigin + performance.now();

/** Sends `message` to a child process and resolves with its first answer. */
export function ask(child, message) {
  const answer = once(child, 'message').then(([m]) => m);
  child.send(message);
  return answer;
}

/** The child's clock minus ours (the median of 20 round trips; the child answers `{ clock: true }` with `{ at }`). */
export async function clockOffset(child) {
  const offsets = [];
  for (let i = 0; i < 20; i++) {
    const t0 = now();
    const { at } = await ask(child, { clock: true });
    offsets.push(at - (t0 + now()) / 2);
  }
  return offsets.sort((a, b) => a - b)[10];
}

export function percentile(samples, p) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function summary(samples) {
  const f = (v) => v.toFixed(2);
  const max = Math.max(...samples);
  return `p50 ${f(percentile(samples, 50))} ms, p99 ${f(percentile(samples, 99))} ms, max ${f(max)} ms (n=${samples.length})`;
}

export const mb = (bytes) => `${(bytes / 1_048_576).toFixed(1)} MB`;

function rss() {
  globalThis.gc?.();
  return process.memoryUsage();
}

/**
 * Opens `count` idle links from `processes` child processes (this script run with
 * `--clients <json of argsFor(from, to)>`) and measures this process's memory per link
 * once `opened()` reaches `count`. Returns the connect time and KB of RSS and heap per link.
 */
export async function idleLinks({ script, count, processes, argsFor, opened, what }) {
  // Let the garbage of the set-up go before the baseline.
  for (let i = 0; i < 5; i++) {
    rss();
    await sleep(200);
  }
  const before = rss();
  const started = performance.now();
  const children = [];
  const per = Math.ceil(count / processes);
  for (let from = 0; from < count; from += per) {
    const args = JSON.stringify(argsFor(from, Math.min(count, from + per)));
    const child = fork(script, ['--clients', args], { stdio: 'inherit', execArgv: [] });
    child.on('message', (m) => m.error && console.error(`client: ${m.error}`));
    children.push(child);
  }
  while (opened() < count) {
    await sleep(100);
    if (performance.now() - started > 300_000) throw new Error(`only ${opened()} ${what} opened`);
  }
  const connectSeconds = (performance.now() - started) / 1000;
  await sleep(2000);
  const after = rss();
  for (const child of children) child.disconnect();
  return {
    connectSeconds,
    before,
    after,
    perLink: (after.rss - before.rss) / count / 1024,
    heapPerLink: (after.heapUsed - before.heapUsed) / count / 1024,
  };
}
