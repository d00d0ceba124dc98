/**
 * What a hostile WebSocket session is (a key, maybe a good hello, then frames) and
 * the fast-check generator of sessions that misbehave by construction: before
 * `hello` (oversized, nested, garbage, bad keys, numbers the key may not serve) and
 * after it (over the limit, the wrong shape, NUL and lone surrogates, times out of
 * range, huge heartbeats, others' messages, repeated hellos).
 */
import fc from 'fast-check';
import { CONTACT, FRESH, MINE, THEIRS, type World } from './world.js';

export const MIB = 1024 * 1024;
/** The transport's frame limits: `maxPayload`, and a frame before `hello`. */
export const MAX_PAYLOAD = MIB;
const PRE_AUTH = 4096;

interface Step {
  data: string | Buffer;
  binary?: boolean;
  /** The request id the step expects an answer for. */
  id?: string;
}

export interface Session {
  family: string;
  key: string | null;
  /** A good hello first (its welcome is expected). */
  hello: boolean;
  /** The numbers that hello names (default: every number of the key). */
  helloNumbers?: string[];
  steps: Step[];
  /** A `result` is an acceptable answer (and may write). */
  mayAccept?: boolean;
}

export const frame = (body: Record<string, unknown>) => JSON.stringify({ v: 1, ...body });
export const request = (id: string, body: Record<string, unknown>): Step => ({
  data: frame({ id, ...body }),
  id,
});
export const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** A string with `bad` somewhere in it. */
function around(bad: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(fc.string({ maxLength: 20 }), bad, fc.string({ maxLength: 20 }))
    .map(([a, b, c]) => `${a}${b}${c}`);
}
/** NUL or a lone surrogate somewhere. */
const odd = () => around(fc.constantFrom('\u0000', '\ud800', '\udfff', '\ud800\u0000', 'a\udc00b'));
/** NUL somewhere (no store keeps it: refused under its field). */
const withNul = () => around(fc.constantFrom('\u0000', '\ud800\u0000', '\u0000\u0000'));
/** A lone surrogate somewhere (stored and echoed as U+FFFD, or refused). */
const withSurrogate = () => around(fc.constantFrom('\ud800', '\udfff', 'a\udc00b', '\udbff\udbff'));

const BAD_TIMES: readonly (string | number)[] = [
  '9999-12-31T23:59:59-23:59',
  '0000-01-01T00:00:00+23:59',
  '10000-01-01T00:00:00Z',
  1e15,
  -1e15,
  8.64e15 + 1,
  1e300,
  'not a time',
  '2024-13-45T99:99:99Z',
];
/** Odd but valid: the frame may be accepted (fractions of a millisecond). */
const ODD_TIMES: readonly (string | number)[] = [
  1_700_000_000_000.5,
  '2024-01-01T00:00:00.123456789Z',
];

export function hostileSessions(w: World): fc.Arbitrary<Session> {
  const anyKey = fc.constantFrom<string | null>(null, w.phoneKey, w.userKey);
  const authed = fc.constantFrom(w.phoneKey, w.userKey);
  /** One string field of a phone request (received, missed call, event, ack) set to `bad`. */
  const poisonedField = (bad: () => fc.Arbitrary<string>) =>
    fc
      .constantFrom(
        ['received', 'from'],
        ['received', 'to'],
        ['received', 'content'],
        ['received', 'sim'],
        ['missed_call', 'from'],
        ['missed_call', 'to'],
        ['missed_call', 'sim'],
        ['event', 'message_id'],
        ['event', 'event'],
        ['event', 'reason'],
        ['ack', 'message_id'],
      )
      .chain(([type, field]) =>
        bad().map((value) => {
          const base: Record<string, unknown> =
            type === 'event'
              ? { type, message_id: w.theirMessage, event: 'FAILED', reason: 'r' }
              : type === 'ack'
                ? { type, message_id: w.theirMessage }
                : type === 'received'
                  ? { type, from: CONTACT, to: MINE[0], content: 'hi', sim: 'SIM1' }
                  : { type, from: CONTACT, to: MINE[0], sim: 'SIM1' };
          return [request('s', { ...base, [field as string]: value })];
        }),
      );
  const preHello: fc.Arbitrary<Session>[] = [
    fc
      .record({ key: anyKey, size: fc.integer({ min: PRE_AUTH + 1, max: 64 * 1024 }) })
      .map(({ key, size }) => ({
        family: 'pre-hello oversized',
        key,
        hello: false,
        steps: [{ data: frame({ type: 'hello', id: 'h', client: 'x'.repeat(size) }) }],
      })),
    fc
      .record({ key: anyKey, depth: fc.integer({ min: 10, max: 400_000 }) })
      .map(({ key, depth }) => ({
        family: 'pre-hello nested',
        key,
        hello: false,
        steps: [{ data: nested(depth) }],
      })),
    fc
      .record({
        key: anyKey,
        data: fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.json({ maxDepth: 4 }),
          fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
          fc.constantFrom(frame({ type: 'ack', id: 'a', message_id: w.theirMessage })),
        ),
      })
      .map(({ key, data }) => ({
        family: 'pre-hello garbage',
        key,
        hello: false,
        steps: [{ data, binary: Buffer.isBuffer(data) }],
      })),
    fc
      .record({
        key: fc.constantFrom<string | null>(null, ...w.revoked, 'uk_nope', 'pk_\t"garbage"'),
        inHello: fc.option(fc.oneof(odd(), fc.constantFrom(...w.revoked)), { nil: undefined }),
      })
      .map(({ key, inHello }) => ({
        family: 'bad key',
        key,
        hello: false,
        steps: [
          request('h', { type: 'hello', ...(inHello === undefined ? {} : { api_key: inHello }) }),
        ],
      })),
    fc
      .record({
        numbers: fc.oneof(
          fc.constant([THEIRS]),
          fc.constant([FRESH]),
          fc.array(odd(), { minLength: 1, maxLength: 3 }),
        ),
        register: fc.boolean(),
      })
      .map(({ numbers, register }) => {
        // register: true would register a well-formed number the key does not serve yet.
        const odd = numbers[0] !== FRESH && numbers[0] !== THEIRS;
        return {
          family: 'forbidden numbers',
          key: w.phoneKey,
          hello: false,
          steps: [
            request('h', {
              type: 'hello',
              phone_numbers: numbers,
              ...(register && odd ? { register } : {}),
            }),
          ],
        };
      }),
  ];
  const after = (family: string, steps: fc.Arbitrary<Step[]>, mayAccept = false) =>
    fc.record({ key: authed, steps }).map(({ key, steps }) => ({
      family,
      key,
      hello: true,
      steps,
      mayAccept,
    }));
  const postHello: fc.Arbitrary<Session>[] = [
    after(
      'oversized',
      fc
        .integer({ min: MAX_PAYLOAD + 1, max: MAX_PAYLOAD + 64 * 1024 })
        .map((size) => [{ data: frame({ type: 'heartbeat', id: 'b', pad: 'x'.repeat(size) }) }]),
    ),
    after(
      'nested',
      fc
        .record({ depth: fc.integer({ min: 10, max: 400_000 }), inField: fc.boolean() })
        .map(({ depth, inField }) => [
          {
            data: inField
              ? `{"v":1,"type":"heartbeat","id":"n","phone_numbers":${nested(depth)}}`
              : nested(depth),
          },
        ]),
    ),
    after(
      'wrong shape',
      fc
        .constantFrom(
          frame({ type: 'nope', id: 'x' }),
          JSON.stringify({ v: 2, type: 'ack', id: 'x', message_id: 'm' }),
          frame({ type: 'ack', message_id: 'm' }),
          frame({ type: 'ack', id: 'x'.repeat(101), message_id: 'm' }),
          frame({ type: 'received', id: 'x', from: 1, to: MINE[0] }),
          frame({ type: 'heartbeat', id: 'x', phone_numbers: [1, 2] }),
          frame({ type: 'received', id: 'x', from: CONTACT, to: MINE[0], attachments: [{}] }),
          '[]',
          'null',
          '{"v":1,"type":"ack","id":"x","message_id":"m"',
        )
        .map((data) => [{ data }]),
    ),
    after(
      'binary',
      fc
        .uint8Array({ minLength: 1, maxLength: 100 })
        .map((a) => [{ data: Buffer.from(a), binary: true }]),
    ),
    after('NUL in strings', poisonedField(withNul)),
    after('lone surrogates in strings', poisonedField(withSurrogate), true),
    after(
      'bad timestamps',
      fc
        .record({
          type: fc.constantFrom('received', 'missed_call', 'event'),
          time: fc.constantFrom(...BAD_TIMES),
        })
        .map(({ type, time }) => [
          request(
            't',
            type === 'event'
              ? { type, message_id: w.theirMessage, event: 'SENT', timestamp: time }
              : { type, from: CONTACT, to: MINE[0], content: 'hi', timestamp: time },
          ),
        ]),
    ),
    after(
      'odd timestamps',
      fc
        .record({
          type: fc.constantFrom('received', 'missed_call'),
          time: fc.constantFrom(...ODD_TIMES),
        })
        .map(({ type, time }) => [
          request('t', { type, from: CONTACT, to: MINE[0], content: 'odd time', timestamp: time }),
        ]),
      true,
    ),
    after(
      'heartbeat of many numbers',
      fc.integer({ min: 3, max: 20_000 }).map((count) => [
        request('b', {
          type: 'heartbeat',
          phone_numbers: Array.from(
            { length: count },
            (_, i) => `+1800${String(i).padStart(7, '0')}`,
          ),
        }),
      ]),
    ),
    after(
      'bad acks',
      fc
        .array(
          fc.oneof(fc.uuid(), fc.constant(w.theirMessage), fc.string({ maxLength: 40 }), odd()),
          {
            minLength: 1,
            maxLength: 10,
          },
        )
        .map((ids) => ids.map((id, i) => request(`a${i}`, { type: 'ack', message_id: id }))),
    ),
    after(
      'repeated hello',
      fc
        .integer({ min: 1, max: 30 })
        .map((count) =>
          Array.from({ length: count }, (_, i) =>
            request(`again${i}`, { type: 'hello', phone_numbers: [FRESH], register: true }),
          ),
        ),
      true,
    ),
  ];
  return fc.oneof(...preHello, ...postHello);
}

export function describeSession(s: Session): string {
  const steps = s.steps.map((step) => {
    const text =
      step.binary === true
        ? `<${step.data.length} binary bytes>`
        : Buffer.isBuffer(step.data)
          ? step.data.subarray(0, 400).toString()
          : step.data;
    return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
  });
  return `[${s.family}] key=${s.key?.slice(0, 7) ?? 'none'} hello=${s.hello}\n  ${steps.join('\n  ')}`;
}
