/**
 * The verdict on one answer of the SMSGate APIs: an answer at all, the status the
 * request expects (a 4xx unless it says otherwise; never a 5xx), every error as
 * SMSGate's `{"message": "…"}` in `application/json`, an empty body on 204, and
 * no rows when reading another account's data.
 */
import { describeRequest as describeHostile } from '../hostile/judge.js';
import { type Hostile, isPlainObject, type Outcome } from '../hostile/request.js';

export const describeRequest = (h: Hostile): string => describeHostile(h);

function errorBodyProblem(body: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return 'the error body is not JSON';
  }
  if (!isPlainObject(value)) return 'the error body is not an object';
  const v = value as Record<string, unknown>;
  const extra = Object.keys(v).filter((k) => !['message', 'code', 'data'].includes(k));
  if (extra.length > 0) return `the error body has other keys: ${extra.join(', ')}`;
  if (typeof v.message !== 'string' || v.message.trim() === '') {
    return 'the error body has no message';
  }
  return null;
}

export function judge(h: Hostile, o: Outcome): string | null {
  if (o.status === null) return `no answer: ${o.error ?? 'unknown error'}`;
  if (o.error) return `the answer was cut: ${o.error}`;
  const expected = h.expect ?? null;
  if (expected ? !expected.includes(o.status) : o.status < 400 || o.status >= 500) {
    return `answered ${o.status}, expected ${expected ? expected.join(' or ') : 'a 4xx'}`;
  }
  if (o.status >= 400 && h.method !== 'HEAD') {
    if (!o.contentType?.startsWith('application/json')) {
      return `a ${o.status} that is not application/json (${o.contentType ?? 'no content type'})`;
    }
    const problem = errorBodyProblem(o.body);
    if (problem) return problem;
  }
  if (o.status === 204 && o.body !== '') return 'a 204 with a body';
  if (o.status < 300 && h.empty) {
    let rows: unknown;
    try {
      rows = JSON.parse(o.body);
    } catch {
      return 'a read answered something else than JSON';
    }
    if (!Array.isArray(rows) || rows.length > 0) {
      return `a read of another account's data answered rows: ${o.body.slice(0, 300)}`;
    }
  }
  return null;
}
