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
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGateway, type Gateway, type Logger } from '@textport/core';
import { createKnexStore, type KnexStore } from '@textport/store-knex';
import { type WebSocketTransport, websocketTransport } from '@textport/transport-websocket';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, postgresBackend, sqliteBackend } from './hostile-websocket/backends.js';
import { judge } from './hostile-websocket/judge.js';
import { neverReads, play } from './hostile-websocket/play.js';
import {
  describeSession,
  frame,
  hostileSessions,
  MAX_PAYLOAD,
  MIB,
  nested,
  request,
  type Session,
} from './hostile-websocket/sessions.js';
import { bigNumbers, seedWorld, type World } from './hostile-websocket/world.js';
import { FLOOD_SOCKETS, HOSTILE_FRAMES, PG_SKIP, sleep, waitFor } from './support.js';

const SEED = process.env.FAULT_HOSTILE_SEED ? Number(process.env.FAULT_HOSTILE_SEED) : undefined;

/**
 * What the flood may add to the process's RSS. The process also holds the test's own
 * clients and what the earlier tests left for the collector, so the bound is on the growth
 * during the flood, measured from its start.
 */
const RSS_GROWTH_LIMIT = 120 * MIB;
const FLOOD_MS = 10_000;

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
    `a flood of ${FLOOD_SOCKETS} hostile sockets adds under 120 MB to the process and a healthy phone is answered${skip ? ` (skipped: ${skip})` : ''}`,
    async () => {
      const before = await backend.fingerprint();
      let stop = false;
      const startRss = process.memoryUsage().rss;
      let mostRss = startRss;
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
        `${name}: flood of ${FLOOD_SOCKETS} sockets for ${FLOOD_MS} ms: RSS ${Math.round(startRss / MIB)} MB at its start, at most ${Math.round(mostRss / MIB)} MB; a healthy phone connected, said hello and was answered ${answered} times (p50 ${p50.toFixed(1)} ms)`,
      );
      expect(answered).toBeGreaterThan(0);
      expect(mostRss - startRss).toBeLessThan(RSS_GROWTH_LIMIT);
      expect(errors).toEqual([]);
      expect(unhandled).toEqual([]);
      expect(await backend.fingerprint()).toBe(before);
    },
  );
});
