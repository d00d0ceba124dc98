/**
 * A paced phone among the unpaced ones of a crash run: a few messages at 20 per minute,
 * posted at once, so their hand-offs are planned a spacing apart and the kills land
 * between them. Carriers block SIMs that burst, so the spacing must hold whatever the
 * crashes do: after a restart, slots that passed while the server was down must not be
 * handed off together.
 */
import { expect } from 'vitest';
import { size } from '../support.js';
import type { Handoff } from './phone.js';

export const PACED_PHONE = '+18005550177';
export const PACED_PER_MINUTE = 20;
export const PACED_SPACING_MS = 60_000 / PACED_PER_MINUTE;
/** Messages of the paced phone in a run (its queue lasts about this many spacings). */
export const PACED_MESSAGES = size('FAULT_PACED_MESSAGES', 12);
/**
 * The least gap asserted between two hand-offs as the phone sees them: half the spacing. A
 * gap seen by the phone carries the push latency of both hand-offs: a first push that left
 * a loaded MariaDB cluster 1.1 s late showed a 1,858 ms gap at a 3,000 ms spacing. A burst,
 * what unpaced hand-offs look like, shows gaps of a few ms (the pacing bug this catches
 * showed 1,278 ms at worst).
 */
export const PACED_MIN_GAP_MS = Math.round(PACED_SPACING_MS / 2);

/** Gaps between consecutive hand-offs, in the order the phone got them. */
export function gapsOf(handoffs: readonly Handoff[]): number[] {
  const times = handoffs.map((h) => h.at).sort((a, b) => a - b);
  return times.slice(1).map((t, i) => t - (times[i] ?? t));
}

/**
 * Every hand-off of the paced phone at least PACED_MIN_GAP_MS after the one before. A
 * message pushed before a crash and taken after the phone reconnected (the resume pushes
 * it again) is not gated a second time: the server paced its first push, and the phone
 * takes it when it comes back. Such hand-offs are left out of the gaps (a known gap of
 * crash recovery: pacing the resume is still to do).
 */
export function expectPaced(handoffs: readonly Handoff[], accepted: number): void {
  const gaps = gapsOf(handoffs.filter((h) => !h.resumed));
  expect(handoffs.length, 'paced messages handed off').toBeGreaterThanOrEqual(accepted);
  expect(
    gaps.filter((g) => g < PACED_MIN_GAP_MS),
    `gaps between the paced phone's hand-offs (ms): ${gaps.join(', ')}`,
  ).toEqual([]);
}
