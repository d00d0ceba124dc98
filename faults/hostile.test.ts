/**
 * Hostile requests. fast-check generates HOSTILE_REQUESTS requests, each one
 * invalid by construction: no key, a garbage, revoked or mangled key, a phone
 * key where a user key is needed, another account's ids, malformed JSON, wrong
 * JSON types, bodies over the limit, odd Unicode in fields that fail
 * validation (NUL in every text field, lone surrogates beside it), timestamps
 * out of range, unknown routes and methods, bad query values and broken HTTP
 * framing. A real gateway serves them through `createNodeHandler` on node:http
 * (most of them) and `createHttpApi` in process: on a SQLite file, and on a
 * fresh Postgres database of its own when TEXTPORT_TEST_DATABASE_URL is set
 * (HOSTILE_PG_REQUESTS requests there; the skip says why otherwise).
 *
 * What must hold: no answer is a 5xx, every error answer is the httpSMS
 * envelope, the server keeps serving, nothing is logged as an internal error,
 * no promise rejection goes unhandled, and nothing is written: the store's
 * write mark (SQLite: the connection's change count; Postgres: one hash of
 * every row) is the same after every request, and every table hashes the same
 * at the end as before the first request.
 *
 * A failure prints the request; `FAULT_HOSTILE_SEED` replays a run.
 */

import { Agent, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AttachmentStore,
  createGateway,
  createMemoryAttachmentStore,
  type Gateway,
  type Logger,
} from '@textport/core';
import { createHttpApi, createNodeHandler, type HttpApi } from '@textport/http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileRequests } from './hostile/generator.js';
import { describeRequest, judge } from './hostile/judge.js';
import type { Hostile, Via } from './hostile/request.js';
import { ROUTES, routeKey } from './hostile/routes.js';
import { inProcess, overHttp, overRawSocket } from './hostile/send.js';
import { type HostileStore, openPostgres, openSqlite } from './hostile/store.js';
import { seedWorld, type World } from './hostile/world.js';
import {
  DATABASE_URL,
  HOSTILE_PG_REQUESTS,
  HOSTILE_REQUESTS,
  PG_SKIP,
  sleep,
  waitFor,
} from './support.js';

const SEED = process.env.FAULT_HOSTILE_SEED ? Number(process.env.FAULT_HOSTILE_SEED) : undefined;

interface Logged {
  message: string;
  detail: string;
  during: string;
}

const STORES: {
  name: string;
  open: () => Promise<HostileStore>;
  skip: false | string;
  requests: number;
}[] = [
  { name: 'SQLite', open: openSqlite, skip: false, requests: HOSTILE_REQUESTS },
  {
    name: 'Postgres',
    open: () => openPostgres(DATABASE_URL ?? ''),
    skip: PG_SKIP,
    requests: HOSTILE_PG_REQUESTS,
  },
];

for (const { name, open, skip, requests: REQUESTS } of STORES) {
  describe.skipIf(skip !== false)(
    `hostile requests on ${name}${skip ? ` (skipped: ${skip})` : ''}`,
    () => {
      let db: HostileStore;
      let gateway: Gateway;
      let server: Server;
      let port = 0;
      let api: HttpApi;
      let world: World;
      /** The write mark of the migrated, empty store. */
      let empty = '';
      const agent = new Agent({ keepAlive: true, maxSockets: 4 });
      const errors: Logged[] = [];
      const unhandled: string[] = [];
      const puts: string[] = [];
      let current = '(setup)';
      let inflight = 0;
      const perform = (h: Hostile, over: Agent) =>
        h.via === 'raw'
          ? overRawSocket(port, h)
          : h.via === 'api'
            ? inProcess(api, h)
            : overHttp(port, over, h);
      const onUnhandled = (reason: unknown) => {
        unhandled.push(`${String((reason as Error)?.stack ?? reason)}\nduring: ${current}`);
      };
      const onUncaught = (error: Error) => {
        unhandled.push(`uncaught: ${String(error?.stack ?? error)}\nduring: ${current}`);
      };

      beforeAll(async () => {
        process.on('unhandledRejection', onUnhandled);
        process.on('uncaughtException', onUncaught);
        db = await open();
        empty = await db.writeMark();
        const logger: Logger = {
          debug: () => {},
          info: () => {},
          warn: () => {},
          error: (obj, msg) => {
            const err = (obj as { err?: Error } | undefined)?.err;
            errors.push({
              message: msg ?? '',
              detail: String(err?.stack ?? JSON.stringify(obj)),
              during: current,
            });
          },
        };
        const memory = createMemoryAttachmentStore();
        const attachments: AttachmentStore = {
          async put(key, file) {
            puts.push(`${key} during ${current}`);
            await memory.put(key, file);
          },
          get: (key) => memory.get(key),
          async delete(key) {
            puts.push(`delete ${key} during ${current}`);
            await memory.delete(key);
          },
        };
        gateway = createGateway({ store: db.store, logger, attachments });
        world = await seedWorld(gateway);
        puts.length = 0;
        api = createHttpApi(gateway);
        const handler = createNodeHandler(gateway);
        server = createServer((req, res) => {
          inflight++;
          res.on('close', () => inflight--);
          handler(req, res);
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        port = (server.address() as AddressInfo).port;
      });

      afterAll(async () => {
        process.off('unhandledRejection', onUnhandled);
        process.off('uncaughtException', onUncaught);
        agent.destroy();
        await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
        await db?.close();
      });

      it('every route of the API is known to the generator', () => {
        const served = api.routes
          .filter((r) => r.auth !== 'public')
          .map((r) => `${routeKey(r)} ${r.auth}`)
          .sort();
        const known = ROUTES.map((r) => `${routeKey(r)} ${r.auth}`).sort();
        expect(known).toEqual(served);
      });

      it(`${REQUESTS} hostile requests: no 5xx, no crash, nothing written`, async () => {
        const before = await db.snapshot();
        const seeded = await db.writeMark();
        expect(seeded, 'the write detector sees the seeding').not.toBe(empty);
        let mark = seeded;
        const tally = new Map<string, Map<string, number>>();
        let sent = 0;
        const vias = new Map<Via, number>();
        const started = Date.now();

        await fc.assert(
          fc.asyncProperty(hostileRequests(world), async (h) => {
            current = describeRequest(h);
            const loggedBefore = errors.length;
            const unhandledBefore = unhandled.length;
            const outcome = await perform(h, agent);
            if (h.via === 'raw' || outcome.status === null) {
              // Let the server finish with a connection the client dropped.
              await waitFor('the server to finish the dropped request', () =>
                inflight === 0 ? true : undefined,
              );
              await sleep(5);
            }
            sent++;
            vias.set(h.via, (vias.get(h.via) ?? 0) + 1);
            const family = tally.get(h.family) ?? new Map<string, number>();
            const key = outcome.status === null ? 'none' : String(outcome.status);
            family.set(key, (family.get(key) ?? 0) + 1);
            tally.set(h.family, family);

            const now = await db.writeMark();
            const wrote = now !== mark;
            mark = now;
            const problems = [
              judge(h, outcome),
              wrote ? `it wrote to the store (${db.name})` : null,
              errors.length > loggedBefore
                ? `the gateway logged an error: ${errors
                    .slice(loggedBefore)
                    .map((e) => `${e.message}: ${e.detail.split('\n').slice(0, 3).join(' | ')}`)
                    .join('; ')}`
                : null,
              puts.length > 0 ? `an attachment was stored: ${puts[0]}` : null,
              unhandled.length > unhandledBefore
                ? `an uncaught exception or unhandled rejection: ${unhandled.slice(unhandledBefore).join('; ').split('\nduring:')[0]}`
                : null,
            ].filter((p): p is string => p !== null);
            if (problems.length > 0) {
              throw new Error(
                `${problems.join('\n')}\n${describeRequest(h)}\nanswer:  ${outcome.status} ${outcome.body.slice(0, 600)}`,
              );
            }
          }),
          {
            numRuns: REQUESTS,
            ...(SEED === undefined ? {} : { seed: SEED }),
            endOnFailure: false,
          },
        );
        current = '(after the run)';

        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        const lines = [...tally.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([family, statuses]) => {
            const total = [...statuses.values()].reduce((x, y) => x + y, 0);
            const detail = [...statuses.entries()]
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([s, n]) => `${s}×${n}`)
              .join(' ');
            return `  ${family.padEnd(18)} ${String(total).padStart(6)}  ${detail}`;
          });
        const split = (['http', 'api', 'raw'] as const)
          .map((v) => `${v} ${vias.get(v) ?? 0}`)
          .join(', ');
        console.log(
          `hostile requests on ${db.name}: ${sent} in ${seconds} s (${split})\n${lines.join('\n')}`,
        );

        // The server still serves, over a fresh connection too.
        const health = await overHttp(port, new Agent({ keepAlive: false }), {
          family: 'health',
          via: 'http',
          method: 'GET',
          path: '/health',
          headers: {},
          payload: { kind: 'none' },
        });
        expect(health.status).toBe(200);
        const me = await overHttp(port, agent, {
          family: 'health',
          via: 'http',
          method: 'GET',
          path: '/v1/users/me',
          headers: { 'x-api-key': world.a.userKey },
          payload: { kind: 'none' },
        });
        expect(me.status).toBe(200);

        expect(unhandled, 'unhandled promise rejections').toEqual([]);
        expect(
          errors.map((e) => `${e.message} during\n${e.during}`),
          'errors logged',
        ).toEqual([]);
        expect(puts, 'attachments stored').toEqual([]);
        expect(await db.writeMark(), 'rows written to the store').toBe(seeded);
        expect(await db.snapshot()).toEqual(before);
      });

      it('a fifth as many again, 16 at a time: still no 5xx and nothing written', async () => {
        const before = await db.snapshot();
        const mark = await db.writeMark();
        const seed = SEED ?? Date.now() % 2_147_483_647;
        const requests = fc.sample(hostileRequests(world), {
          numRuns: Math.max(1, Math.ceil(REQUESTS / 5)),
          seed,
        });
        const parallel = new Agent({ keepAlive: true, maxSockets: 16 });
        const failures: string[] = [];
        current = `(parallel run, seed ${seed})`;
        let next = 0;
        const worker = async () => {
          for (let h = requests[next++]; h !== undefined; h = requests[next++]) {
            const outcome = await perform(h, parallel);
            const problem = judge(h, outcome);
            if (problem) {
              failures.push(
                `${problem}\n${describeRequest(h)}\nanswer:  ${outcome.status} ${outcome.body.slice(0, 300)}`,
              );
            }
          }
        };
        try {
          await Promise.all(Array.from({ length: 16 }, worker));
        } finally {
          parallel.destroy();
        }
        await waitFor('the server to finish every request', () =>
          inflight === 0 ? true : undefined,
        );
        await sleep(20);
        expect(failures.slice(0, 3), `${failures.length} failed requests (seed ${seed})`).toEqual(
          [],
        );
        expect(unhandled, 'unhandled promise rejections').toEqual([]);
        expect(
          errors.map((e) => `${e.message}: ${e.detail.split('\n')[0]}`),
          'errors logged',
        ).toEqual([]);
        expect(puts, 'attachments stored').toEqual([]);
        expect(await db.writeMark(), 'rows written to the store').toBe(mark);
        expect(await db.snapshot()).toEqual(before);
        expect(
          (
            await perform(
              {
                family: 'health',
                via: 'http',
                method: 'GET',
                path: '/health',
                headers: {},
                payload: { kind: 'none' },
              },
              agent,
            )
          ).status,
        ).toBe(200);
      });
    },
  );
}
