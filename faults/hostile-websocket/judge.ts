/**
 * The verdict on one session: no `internal` or `store` error frame, no hostile
 * request accepted, no lone surrogate echoed, and only documented close codes.
 */
import type { Outcome } from './play.js';
import type { Session } from './sessions.js';

/** Close codes docs/phone-protocol.md documents for a refused frame. */
const DOCUMENTED_CLOSES = new Set([1009, 4400, 4401, 4403, 4409]);

/** A lone surrogate as JSON.stringify writes it. */
const LONE_SURROGATE = /\\u(d[89ab][0-9a-f]{2}(?!\\ud[c-f])|d[c-f][0-9a-f]{2})/i;

export function judge(s: Session, o: Outcome): string | null {
  for (const f of o.frames) {
    if (f.type === 'error' && (f.code === 'internal' || f.code === 'store')) {
      return `an ${String(f.code)} error frame: ${JSON.stringify(f).slice(0, 400)}`;
    }
    if (f.type === 'result' && !s.mayAccept) {
      return `a hostile request was accepted: ${JSON.stringify(f).slice(0, 400)}`;
    }
    if (LONE_SURROGATE.test(JSON.stringify(f))) {
      return `a lone surrogate came back: ${JSON.stringify(f).slice(0, 400)}`;
    }
  }
  if (o.close !== null && !DOCUMENTED_CLOSES.has(o.close)) {
    return `closed with ${o.close}, not a documented code`;
  }
  return null;
}
