/**
 * The verdict on one answer: never a 5xx, every error in the envelope, the status
 * the request expects, and no rows when reading another account's data.
 */
import { type Hostile, isPlainObject, type Outcome } from './request.js';
import { payloadBytes } from './send.js';

export function describeRequest(h: Hostile): string {
  const preview = (b: Buffer | undefined) => {
    if (!b) return '(none)';
    const text = b.subarray(0, 600).toString('utf8');
    return `${b.length} bytes: ${JSON.stringify(text)}${b.length > 600 ? '…' : ''}`;
  };
  const body =
    h.payload.kind === 'parsed'
      ? `parsed ${JSON.stringify(h.payload.value)?.slice(0, 600)}`
      : h.payload.kind === 'padded'
        ? `${h.payload.json.slice(0, 300)} padded to ${h.payload.size} bytes${h.payload.chunked ? ', chunked' : ''}${h.payload.asString ? ', as a string' : ''}`
        : preview(payloadBytes(h.payload));
  return [
    `family:  ${h.family} (${h.via})`,
    h.raw
      ? `raw:     ${JSON.stringify(h.raw.bytes.subarray(0, 400).toString('latin1'))}${h.raw.abort ? ' then dropped' : ''}`
      : `request: ${h.method} ${h.path}${typeof h.query === 'string' ? `?${h.query}` : h.query ? ` query ${JSON.stringify(h.query)}` : ''}`,
    `headers: ${JSON.stringify(h.headers).slice(0, 600)}`,
    `body:    ${body}`,
    `expect:  ${h.expect ? h.expect.join(' or ') : 'a 4xx'}`,
  ].join('\n');
}

function envelopeProblem(status: number, body: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return 'the error body is not JSON';
  }
  if (!isPlainObject(value)) return 'the error body is not an object';
  const v = value as Record<string, unknown>;
  const extra = Object.keys(v).filter((k) => !['status', 'message', 'data'].includes(k));
  if (extra.length > 0) return `the envelope has other keys: ${extra.join(', ')}`;
  if (v.status !== 'error') return 'the envelope status is not "error"';
  if (typeof v.message !== 'string' || v.message === '') return 'the envelope has no message';
  if (status === 422) {
    if (!isPlainObject(v.data)) return 'a 422 envelope has no field map';
    for (const messages of Object.values(v.data as Record<string, unknown>)) {
      if (!Array.isArray(messages) || !messages.every((m) => typeof m === 'string')) {
        return 'a 422 field map holds something else than lists of strings';
      }
    }
  }
  if ((status === 400 || status === 401) && typeof v.data !== 'string') {
    return `a ${status} envelope has no text in data`;
  }
  return null;
}

export function judge(h: Hostile, o: Outcome): string | null {
  if (h.via === 'raw') {
    const high = (o.statuses ?? []).filter((s) => s >= 500);
    return high.length > 0 ? `the server answered ${high.join(', ')}` : null;
  }
  if (o.status === null) return `no answer: ${o.error ?? 'unknown error'}`;
  if (o.error) return `the answer was cut: ${o.error}`;
  if (o.status >= 500) return `answered ${o.status}`;
  if (h.expect ? !h.expect.includes(o.status) : o.status < 400) {
    return `answered ${o.status}, expected ${h.expect ? h.expect.join(' or ') : 'a 4xx'}`;
  }
  const json = o.contentType?.startsWith('application/json') ?? false;
  if (o.status >= 400 && h.method !== 'HEAD' && o.status !== 431 && !o.passedOn) {
    if (!json) return `a ${o.status} without the JSON envelope (content-type ${o.contentType})`;
    const problem = envelopeProblem(o.status, o.body);
    if (problem) return problem;
  }
  if (o.status < 300 && json && h.method !== 'HEAD' && o.body !== '') {
    const value = JSON.parse(o.body) as { status?: unknown; data?: unknown };
    if (!h.path.endsWith('openapi.json') && value.status !== 'success')
      return 'a 2xx without the success envelope';
    if (h.empty && !(Array.isArray(value.data) && value.data.length === 0)) {
      return `a read of another account's numbers answered rows: ${o.body.slice(0, 300)}`;
    }
  }
  return null;
}
