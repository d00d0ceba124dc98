// Machine-readable results of a benchmark script, for `npm run bench` (bench/run-all.mjs).
// Each script still prints its own lines; when BENCH_RESULT names a file, it also writes
//   { bench, command, settings, results: [{ name, value, unit, runs, target, met, note }] }
// where `value` is the median of `runs`, `target` a text such as ">= 2000" (or null when the
// figure has none), and `met` true, false or null.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * One figure: its runs, their median, and whether the median meets `target`
 * (`{ op: '>=' | '<=', value }`, or undefined for figures without a target).
 */
export function figure(name, unit, runs, target, note) {
  const value = median(runs);
  const met =
    target === undefined
      ? null
      : target.op === '>='
        ? value >= target.value
        : value <= target.value;
  return {
    name,
    unit,
    value,
    runs,
    target: target === undefined ? null : `${target.op} ${target.value}`,
    met,
    note: note ?? null,
  };
}

/** Writes the script's results where `npm run bench` asked for them (BENCH_RESULT), if it did. */
export function report(bench, command, settings, results) {
  const file = process.env.BENCH_RESULT;
  if (!file) return;
  writeFileSync(file, `${JSON.stringify({ bench, command, settings, results }, null, 2)}\n`);
}

/**
 * CPU time (µs) the processes `pids` have used so far, read from /proc: for Postgres backends
 * serving a benchmark. A process that cannot be read (not Linux, gone) counts 0.
 */
export function processCpuUs(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Not Linux, or the process is gone: its CPU is not counted.
    }
  }
  return ticks * 10_000;
}

/** The process ids of the MariaDB/MySQL server on this machine (its CPU serves the bench alone). */
export function mysqlServerPids() {
  const pids = [];
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
        if (comm === 'mariadbd' || comm === 'mysqld') pids.push(Number(entry));
      } catch {
        // Gone meanwhile.
      }
    }
  } catch {
    // Not Linux: no CPU figure for the server.
  }
  return pids;
}
