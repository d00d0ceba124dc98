/**
 * Hostile WebSocket phones. fast-check generates HOSTILE_FRAMES sessions, each
 * one socket that misbehaves by construction: garbage, oversized and deeply
 * nested frames before `hello`; missing, garbage and revoked keys; numbers the
 * key may not serve; then, after a good `hello`, frames over the limit, nested
 * frames, the wrong shape, NUL and lone surrogates in string fields, timestamps
 * out of range (year 10000 after the offset, 1e15, fractions of a millisecond),
 * heartbeats listing thousands of numbers, acks of others' messages and
 * repeated hellos. Then a flood: FLOOD_SOCKETS sockets at once sending nested
 * 1 MiB arrays before `hello`, frames over `maxPayload` after it, and clients
 * that ask for big replies and never read them.
 *
 * What must hold: every bad frame gets an `error` frame or a close with a
 * documented code (1009, 4400, 4401, 4403; 4409 in the flood), never an `internal` error or a 1011;
 * nothing is logged as an error, nothing goes unhandled; nothing is written for
 * a refused frame (SQLite: the connection's change count; Postgres: a hash of
 * every table); and during the flood the process RSS (server and clients, in
 * one process) stays under 300 MB while a healthy phone is still answered.
 *
 * It runs on SQLite, and on Postgres too when TEXTPORT_TEST_DATABASE_URL is set.
 * A failure prints the session; `FAULT_HOSTILE_SEED` replays a run.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway, type Gateway, type Logger } from '@textport/core';
import { createKnexStore, type KnexStore } from '@textport/store-knex';
import { type WebSocketTransport, websocketTransport } from '@textport/transport-websocket';
import fc from 'fast-check';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DATABASE_URL, FLOOD_SOCKETS, HOSTILE_FRAMES, PG_SKIP, sleep, waitFor } from './support.js';

const SEED = process.env.FAULT_HOSTILE_SEED ? Number(process.env.FAULT_HOSTILE_SEED) : undefined;
const MIB = 1024 * 1024;
const MAX_PAYLOAD = MIB;
const PRE_AUTH = 4096;
const RSS_LIMIT = 300 * MIB;
const FLOOD_MS = 10_000;
/** Close codes docs/phone-protocol.md documents for a refused frame. */
const DOCUMENTED_CLOSES = new Set([1009, 4400, 4401, 4403, 4409]);
const CONTACT = '+18005550142';
const MINE = ['+18005550100', '+18005550101'];
const THEIRS = '+447700900123';
const FRESH = '+4915112345678';
const bigNumbers = Array.from({ length: 300 }, (_, i) => `+1800555${String(2000 + i)}`);

// ---------------------------------------------------------------------------
// The world.

interface World {
  userKey: string;
  phoneKey: string;
  otherKey: string;
  revoked: string[];
  /** A message of the other account (its phone may not ack it). */
  theirMessage: string;
  /** A user key of an account with 300 phones (`bigNumbers`), shared out among the flood's sockets. */
  bigKey: string;
}

async function seedWorld(gateway: Gateway): Promise<World> {
  const { record: me, apiKey: userKey } = await gateway.accounts.create({ email: 'a@example.com' });
  const key = await gateway.accounts.createPhoneKey(me.id, { name: 'phone' });
  for (const [i, phoneNumber] of MINE.entries()) {
    const principal = await gateway.accounts.authenticate(key.apiKey);
    if (!principal) throw new Error('the phone key does not authenticate');
    await gateway.phoneApi.updateFcmToken(principal, {
      phoneNumber,
      fcmToken: null,
      sim: i === 0 ? 'SIM1' : 'SIM2',
    });
  }
  const { record: them } = await gateway.accounts.create({ email: 'b@example.com' });
  const other = await gateway.accounts.createPhoneKey(them.id, { name: 'theirs' });
  const principal = await gateway.accounts.authenticate(other.apiKey);
  if (!principal) throw new Error('the other phone key does not authenticate');
  await gateway.phoneApi.updateFcmToken(principal, { phoneNumber: THEIRS, fcmToken: null });
  const theirs = await gateway.messages.send(them.id, { from: THEIRS, to: CONTACT, content: 'x' });
  const { record: rotated, apiKey: oldKey } = await gateway.accounts.create({});
  await gateway.accounts.rotateApiKey(rotated.id);
  const deleted = await gateway.accounts.createPhoneKey(me.id, { name: 'deleted' });
  await gateway.accounts.deletePhoneKey(me.id, deleted.record.id);
  const { record: big, apiKey: bigKey } = await gateway.accounts.create({});
  for (const phoneNumber of bigNumbers) await gateway.phones.upsert(big.id, { phoneNumber });
  return {
    userKey,
    phoneKey: key.apiKey,
    otherKey: other.apiKey,
    revoked: [oldKey, deleted.apiKey],
    theirMessage: theirs.id,
    bigKey,
  };
}

// ---------------------------------------------------------------------------
// Sessions.

interface Step {
  data: string | Buffer;
  binary?: boolean;
  /** The request id the step expects an answer for. */
  id?: string;
}

interface Session {
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

const frame = (body: Record<string, unknown>) => JSON.stringify({ v: 1, ...body });
const request = (id: string, body: Record<string, unknown>): Step => ({
  data: frame({ id, ...body }),
  id,
});
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

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
/** A lone surrogate as JSON.stringify writes it. */
const LONE_SURROGATE = /\\u(d[89ab][0-9a-f]{2}(?!\\ud[c-f])|d[c-f][0-9a-f]{2})/i;

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

function hostileSessions(w: World): fc.Arbitrary<Session> {
  const anyKey = fc.constantFrom<string | null>(null, w.phoneKey, w.userKey);
  const authed = fc.constantFrom(w.phoneKey, w.userKey);
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
    after(
      'NUL in strings',
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
          withNul().map((value) => {
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
        ),
    ),
    after(
      'lone surrogates in strings',
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
          withSurrogate().map((value) => {
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
        ),
      true,
    ),
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

function describeSession(s: Session): string {
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

interface Outcome {
  frames: Record<string, unknown>[];
  /** The code of a close the server started; null when the client closed first. */
  close: number | null;
}

/** Runs one session; resolves when every request is answered or the socket closed. */
async function play(url: string, s: Session): Promise<Outcome> {
  const ws = new WebSocket(url, {
    headers: s.key === null ? {} : { 'x-api-key': s.key },
    maxPayload: 64 * MIB,
  });
  const frames: Record<string, unknown>[] = [];
  let close: number | null = null;
  let closedByUs = false;
  ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as Record<string, unknown>));
  ws.on('error', () => {});
  const closed = new Promise<void>((resolve) =>
    ws.on('close', (code) => {
      if (!closedByUs) close = code;
      resolve();
    }),
  );
  await Promise.race([new Promise((resolve) => ws.once('open', resolve)), closed]);
  const answered = (id: string) => () =>
    close !== null || frames.some((f) => f.id === id) ? true : undefined;
  if (s.hello && close === null) {
    const numbers = s.helloNumbers ? { phone_numbers: s.helloNumbers } : {};
    ws.send(frame({ type: 'hello', id: 'hello', ...numbers }));
    await waitFor('the welcome', answered('hello'), 10_000, 2);
  }
  for (const step of s.steps) {
    if (close !== null) break;
    ws.send(step.data, { binary: step.binary === true });
  }
  for (const step of s.steps) {
    if (step.id !== undefined)
      await waitFor(`an answer to ${step.id}`, answered(step.id), 30_000, 2);
  }
  if (s.steps.some((step) => step.id === undefined)) {
    await waitFor('the close', () => (close !== null ? true : undefined), 30_000, 2);
  }
  closedByUs = true;
  ws.close();
  await closed;
  return { frames, close };
}

function judge(s: Session, o: Outcome): string | null {
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

// ---------------------------------------------------------------------------
// The stores and what they hold.

interface Backend {
  knex: Knex;
  /** Rows changed since the last call (SQLite), or a hash of every table (Postgres). */
  fingerprint(): Promise<string>;
  destroy(): Promise<void>;
}

async function hashTables(knex: Knex, names: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const name of names) {
    const result = await knex.raw(`select * from "${name}"`);
    const rows = (Array.isArray(result) ? result : result.rows) as Record<string, unknown>[];
    const lines = rows
      .map((row) =>
        JSON.stringify(row, (_k, v: unknown) =>
          Buffer.isBuffer(v) ? v.toString('base64') : typeof v === 'bigint' ? String(v) : v,
        ),
      )
      .sort();
    hash.update(`${name} ${rows.length}\n${lines.join('\n')}\n`);
  }
  return hash.digest('hex');
}

async function sqliteBackend(): Promise<Backend> {
  const dir = await mkdtemp(join(tmpdir(), 'textport-hostile-ws-'));
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: join(dir, 'textport.sqlite') },
    useNullAsDefault: true,
  });
  return {
    knex,
    async fingerprint() {
      const [row] = (await knex.raw('select total_changes() as n')) as { n: number }[];
      return String(row?.n);
    },
    async destroy() {
      await knex.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function postgresBackend(): Promise<Backend> {
  const schema = `textport_hostile_ws_${globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = knexFactory({ client: 'pg', connection: DATABASE_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE SCHEMA "${schema}"`);
  const knex = knexFactory({ client: 'pg', connection: DATABASE_URL, searchPath: [schema] });
  let names: string[] | undefined;
  return {
    knex,
    async fingerprint() {
      names ??= (
        (await knex.raw(
          `select table_name from information_schema.tables where table_schema = ? order by table_name`,
          [schema],
        )) as { rows: { table_name: string }[] }
      ).rows.map((r) => r.table_name);
      return hashTables(knex, names);
    },
    async destroy() {
      await knex.destroy();
      await admin.raw(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.destroy();
    },
  };
}

// ---------------------------------------------------------------------------

const BACKENDS = [
  { name: 'SQLite', skip: false as const, open: sqliteBackend },
  { name: 'Postgres', skip: PG_SKIP, open: postgresBackend },
];

describe.each(BACKENDS)('hostile WebSocket phones on $name', ({ name, skip, open }) => {
  let backend: Backend;
  let store: KnexStore;
  let gateway: Gateway;
  let transport: WebSocketTransport;
  let server: Server;
  let url = '';
  let world: World;
  const errors: string[] = [];
  const unhandled: string[] = [];
  const onUnhandled = (reason: unknown) =>
    unhandled.push(String((reason as Error)?.stack ?? reason));
  const onUncaught = (error: Error) => unhandled.push(`uncaught: ${String(error?.stack ?? error)}`);

  beforeAll(async () => {
    if (skip) return;
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUncaught);
    backend = await open();
    store = createKnexStore(backend.knex);
    await store.migrate();
    const logger: Logger = {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: (obj, msg) => {
        const err = (obj as { err?: Error } | undefined)?.err;
        errors.push(
          `${msg ?? ''}: ${String(err?.stack ?? JSON.stringify(obj))
            .split('\n')
            .slice(0, 3)
            .join(' | ')}`,
        );
      },
    };
    server = createServer((_req, res) => res.writeHead(404).end());
    // The default ping interval (30 s): a client that never reads is not closed during the flood.
    transport = websocketTransport({ server, authTimeoutMs: 2000 });
    gateway = createGateway({ store, logger, transports: [transport] });
    world = await seedWorld(gateway);
    // The dispatcher stays off: nothing but the hostile phones may write.
    await transport.start(gateway.transportHost);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}${transport.options.path}`;
  });

  afterAll(async () => {
    if (skip) return;
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUncaught);
    await transport?.stop();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await store?.close();
    await backend?.destroy();
  });

  it.skipIf(skip !== false)(
    `${HOSTILE_FRAMES} hostile sessions: an error frame or a documented close, nothing written${skip ? ` (skipped: ${skip})` : ''}`,
    async () => {
      const tally = new Map<string, Map<string, number>>();
      await fc.assert(
        fc.asyncProperty(hostileSessions(world), async (s) => {
          const before = await backend.fingerprint();
          const loggedBefore = errors.length;
          const unhandledBefore = unhandled.length;
          const outcome = await play(url, s);
          await waitFor('the server to let go of the socket', () =>
            transport.stats().sockets === 0 ? true : undefined,
          );
          const after = await backend.fingerprint();
          const accepted = outcome.frames.some((f) => f.type === 'result');
          const family = tally.get(s.family) ?? new Map<string, number>();
          const refused = outcome.frames.some((f) => f.type === 'error');
          const key =
            outcome.close !== null
              ? `close ${outcome.close}`
              : accepted
                ? 'result'
                : refused
                  ? 'error'
                  : 'welcome';
          family.set(key, (family.get(key) ?? 0) + 1);
          tally.set(s.family, family);
          const problems = [
            judge(s, outcome),
            after !== before && !(s.mayAccept && accepted)
              ? 'a refused session wrote to the store'
              : null,
            errors.length > loggedBefore
              ? `logged: ${errors.slice(loggedBefore).join('; ')}`
              : null,
            unhandled.length > unhandledBefore ? unhandled.slice(unhandledBefore).join('; ') : null,
          ].filter((p): p is string => p !== null);
          if (problems.length > 0) {
            throw new Error(
              `${problems.join('\n')}\n${describeSession(s)}\nframes: ${JSON.stringify(outcome.frames).slice(0, 800)}\nclose: ${outcome.close}`,
            );
          }
        }),
        { numRuns: HOSTILE_FRAMES, seed: SEED, endOnFailure: true },
      );
      const lines = [...tally].map(
        ([family, outcomes]) =>
          `  ${family}: ${[...outcomes].map(([k, n]) => `${k} ×${n}`).join(', ')}`,
      );
      console.log(`${name}: ${HOSTILE_FRAMES} hostile sessions\n${lines.join('\n')}`);
    },
  );

  it.skipIf(skip !== false)(
    `a flood of ${FLOOD_SOCKETS} hostile sockets keeps the process under 300 MB and a healthy phone answered${skip ? ` (skipped: ${skip})` : ''}`,
    async () => {
      const before = await backend.fingerprint();
      let stop = false;
      let mostRss = process.memoryUsage().rss;
      const sampler = setInterval(() => {
        mostRss = Math.max(mostRss, process.memoryUsage().rss);
      }, 20);
      // Encoded once: the clients share this process, and their copies would count too.
      const nestedMiB = Buffer.from(nested(MAX_PAYLOAD / 2));
      const oversized = Buffer.from(
        frame({ type: 'heartbeat', id: 'b', pad: 'x'.repeat(MAX_PAYLOAD + 1) }),
      );
      const flooders = Array.from({ length: FLOOD_SOCKETS }, async (_, i) => {
        const kind = i % 4;
        // One phone of the big account each, so no flood socket replaces another.
        // Phones of their own, so no flood socket replaces another: 20 for a client that
        // never reads (each welcome ~2 KB), one for the others.
        const slot = Math.floor(i / 4) % 10;
        const own =
          kind === 3
            ? bigNumbers.slice(slot * 20, slot * 20 + 20)
            : [bigNumbers[200 + (i % 100)] as string];
        while (!stop) {
          if (kind === 3) {
            await neverReads(url, world.bigKey, own, () => stop);
            continue;
          }
          const s: Session =
            kind === 2
              ? {
                  family: 'flood oversized',
                  key: world.bigKey,
                  hello: true,
                  helloNumbers: own,
                  steps: [{ data: oversized }],
                }
              : { family: 'flood nested', key: null, hello: false, steps: [{ data: nestedMiB }] };
          const outcome = await play(url, s);
          const problem = judge(s, outcome);
          if (problem) throw new Error(`${problem}\n${describeSession(s)}`);
        }
      });
      // A healthy phone keeps asking (read-only requests) and must keep getting answers.
      const rounds: number[] = [];
      const healthy = (async () => {
        let answered = 0;
        while (!stop) {
          const started = performance.now();
          const outcome = await play(url, {
            family: 'healthy',
            key: world.phoneKey,
            hello: true,
            steps: [request('a', { type: 'ack', message_id: world.theirMessage })],
          });
          expect(outcome.frames.at(-1)).toMatchObject({ type: 'error', code: 'not_found' });
          rounds.push(performance.now() - started);
          answered++;
        }
        return answered;
      })();
      await sleep(FLOOD_MS);
      stop = true;
      const results = await Promise.allSettled([...flooders, healthy]);
      clearInterval(sampler);
      const failed = results.filter((r) => r.status === 'rejected');
      expect(failed.map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
      const answered = (results.at(-1) as PromiseFulfilledResult<number>).value;
      const p50 = rounds.sort((x, y) => x - y)[Math.floor(rounds.length / 2)] ?? Number.NaN;
      console.log(
        `${name}: flood of ${FLOOD_SOCKETS} sockets for ${FLOOD_MS} ms: most RSS ${Math.round(mostRss / MIB)} MB; a healthy phone connected, said hello and was answered ${answered} times (p50 ${p50.toFixed(1)} ms)`,
      );
      expect(answered).toBeGreaterThan(0);
      expect(mostRss).toBeLessThan(RSS_LIMIT);
      expect(errors).toEqual([]);
      expect(unhandled).toEqual([]);
      expect(await backend.fingerprint()).toBe(before);
    },
  );
});

/** A client that says hello, then keeps asking for welcomes and never reads them. */
async function neverReads(
  url: string,
  key: string,
  numbers: string[],
  done: () => boolean,
): Promise<void> {
  const ws = new WebSocket(url, { headers: { 'x-api-key': key } });
  ws.on('error', () => {});
  const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
  await Promise.race([new Promise((resolve) => ws.once('open', resolve)), closed]);
  ws.send(frame({ type: 'hello', id: 'hello', phone_numbers: numbers }));
  await Promise.race([new Promise((resolve) => ws.once('message', resolve)), closed]);
  ws.pause();
  let open = true;
  void closed.then(() => {
    open = false;
  });
  for (let i = 0; open && !done(); ) {
    // Every hello costs a welcome the server must buffer; the client's own buffer stays small.
    for (let burst = 0; open && burst < 50 && ws.bufferedAmount < 64 * 1024; burst++) {
      ws.send(frame({ type: 'hello', id: `r${i++}` }));
    }
    await sleep(1);
  }
  ws.terminate();
  await closed;
}
