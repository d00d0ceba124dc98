/**
 * Hostile requests to the SMSGate APIs. fast-check generates
 * HOSTILE_SMSGATE_REQUESTS requests to the device API (`/smsgate/mobile/v1`) and
 * the user API (`/smsgate/3rdparty/v1`), each one invalid by construction: no,
 * garbage or revoked credentials on every route (a device token on the user API,
 * Basic on the device routes, the revoked phone key and its device), another
 * account's ids, malformed JSON, a wrong JSON type in each field, NUL and lone
 * surrogates, overlong strings, too many items, bodies over the limit, bad query
 * values, unknown routes and methods, inbound deliveries with a bad signature or a
 * stale timestamp, webhooks with `http://` URLs or unknown events, settings with
 * sections that are not objects or with secrets. Many carry valid credentials:
 * those catch a route that writes (presence, a delivery id) before it validates.
 *
 * One node:http server serves both APIs (`transport.handle || userApi.handle ||
 * 404`) for a gateway on a SQLite file, and on a fresh Postgres database of its
 * own when TEXTPORT_TEST_DATABASE_URL is set (HOSTILE_SMSGATE_PG_REQUESTS there),
 * with the SMSGate Knex store on the same Knex instance.
 *
 * What must hold: every answer is the status the request expects (a 4xx unless
 * it says otherwise, never a 5xx), every error is `{"message"}` in
 * application/json, nothing is written (the write mark covers textport's and the
 * SMSGate tables; checked after every request, and every table hashes the same at
 * the end), nothing is logged at error level, no promise rejection goes
 * unhandled, and the server still answers at the end.
 *
 * A failure prints the request; `FAULT_HOSTILE_SMSGATE_SEED` replays a run.
 */
import { Agent } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hostile, Outcome } from './hostile/request.js';
import { overHttp } from './hostile/send.js';
import { hostileSmsGateRequests } from './hostile-smsgate/generator.js';
import { describeRequest, judge } from './hostile-smsgate/judge.js';
import { bytesOf, JSON_TYPE } from './hostile-smsgate/kit.js';
import {
  type Backend,
  MOBILE,
  openStores,
  type SmsGateNode,
  startNode,
  USER_API,
} from './hostile-smsgate/node.js';
import { pathOf, ROUTES, routeKey } from './hostile-smsgate/routes.js';

/**
 * The node runs its transport but not the gateway's workers (nothing may write
 * to the store behind the test's back), so readiness answers 503 with the
 * `transports` check failing, and every other check passing or warning.
 */
function onlyTransportsFail(body: string): boolean {
  try {
    const checks = (JSON.parse(body) as { checks: Record<string, { status: string }> }).checks;
    return Object.entries(checks).every(([name, c]) =>
      name === 'transports' ? c.status === 'fail' : c.status !== 'fail',
    );
  } catch {
    return false;
  }
}

import { createAccounts, seedWorld, type World } from './hostile-smsgate/world.js';
import {
  DATABASE_URL,
  HOSTILE_SMSGATE_PG_REQUESTS,
  HOSTILE_SMSGATE_REQUESTS,
  PG_SKIP,
  sleep,
  waitFor,
} from './support.js';

const SEED = process.env.FAULT_HOSTILE_SMSGATE_SEED
  ? Number(process.env.FAULT_HOSTILE_SMSGATE_SEED)
  : undefined;

const BACKENDS: { name: Backend; skip: false | string; requests: number }[] = [
  { name: 'SQLite', skip: false, requests: HOSTILE_SMSGATE_REQUESTS },
  { name: 'Postgres', skip: PG_SKIP, requests: HOSTILE_SMSGATE_PG_REQUESTS },
];

const get = (path: string, headers: Hostile['headers'] = {}): Hostile => ({
  family: 'check',
  via: 'http',
  method: 'GET',
  path,
  headers,
  payload: { kind: 'none' },
});

for (const { name, skip, requests: REQUESTS } of BACKENDS) {
  describe.skipIf(skip !== false)(
    `hostile SMSGate requests on ${name}${skip ? ` (skipped: ${skip})` : ''}`,
    () => {
      let node: SmsGateNode;
      let world: World;
      const agent = new Agent({ keepAlive: true, maxSockets: 4 });
      const send = (h: Hostile) => overHttp(node.port, agent, h);

      beforeAll(async () => {
        const stores = await openStores(name, DATABASE_URL);
        let keys: Awaited<ReturnType<typeof createAccounts>>['keys'] | undefined;
        node = await startNode(stores, async (gateway) => {
          const made = await createAccounts(gateway);
          keys = made.keys;
          return made.setup;
        });
        if (!keys) throw new Error('no accounts');
        world = await seedWorld(node, keys);
        node.during.current = '(seeded)';
      });

      afterAll(async () => {
        agent.destroy();
        await node?.close();
      });

      it('every route the generator knows is served', async () => {
        const unserved: string[] = [];
        for (const route of ROUTES) {
          const o = await send({ ...get(pathOf(route, 'x')), method: route.method });
          if (route.notReadyHere && o.status === 503 && onlyTransportsFail(o.body)) continue;
          if (o.status === 404 || o.status === null || o.status >= 500) {
            if (!(o.status === 501 && (route.unsupported || route.unsupportedWhenAuthed))) {
              unserved.push(`${routeKey(route)}: ${o.status} ${o.body.slice(0, 120)}`);
            }
          }
        }
        expect(unserved).toEqual([]);
      });

      it(`${REQUESTS} hostile requests: no 5xx, no 2xx but where documented, nothing written`, async () => {
        const { db } = node;
        const before = await db.snapshot();
        let mark = await db.writeMark();
        const tally = new Map<string, Map<string, number>>();
        let previous = '(none)';
        const started = Date.now();

        await fc.assert(
          fc.asyncProperty(hostileSmsGateRequests(world), async (h) => {
            node.during.current = describeRequest(h);
            node.clock.advance(1);
            const loggedBefore = node.logged.length;
            const unhandledBefore = node.unhandled.length;
            const outcome: Outcome = await send(h);
            await waitFor('the server to finish the request', () =>
              node.inflight() === 0 ? true : undefined,
            );
            // Writes a route fires and forgets land within a few milliseconds.
            await sleep(3);
            const family = tally.get(h.family) ?? new Map<string, number>();
            const key = outcome.status === null ? 'none' : String(outcome.status);
            family.set(key, (family.get(key) ?? 0) + 1);
            tally.set(h.family, family);

            const now = await db.writeMark();
            const wrote = now !== mark;
            mark = now;
            const errors = node.logged.slice(loggedBefore).filter((l) => l.level === 'error');
            const problems = [
              judge(h, outcome),
              wrote ? `it wrote to the store (${db.name})` : null,
              errors.length > 0
                ? `the server logged an error: ${errors
                    .map((e) => `${e.message}: ${e.detail.split('\n').slice(0, 3).join(' | ')}`)
                    .join('; ')}`
                : null,
              node.unhandled.length > unhandledBefore
                ? `an uncaught exception or unhandled rejection: ${node.unhandled.slice(unhandledBefore).join('; ').split('\nduring:')[0]}`
                : null,
            ].filter((p): p is string => p !== null);
            const previousRequest = previous;
            previous = describeRequest(h);
            if (problems.length > 0) {
              throw new Error(
                `${problems.join('\n')}\n${describeRequest(h)}\nanswer:  ${outcome.status} ${outcome.body.slice(0, 600)}\n(the request before: ${previousRequest.replaceAll('\n', ' | ')})`,
              );
            }
          }),
          {
            numRuns: REQUESTS,
            ...(SEED === undefined ? {} : { seed: SEED }),
            endOnFailure: false,
          },
        );
        node.during.current = '(after the run)';

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
        const warned = node.logged.filter((l) => l.level === 'warn');
        console.log(
          `hostile SMSGate requests on ${db.name}: ${REQUESTS} in ${seconds} s, ${warned.length} warnings logged\n${lines.join('\n')}`,
        );

        // The server still serves both APIs, over a fresh connection too.
        const fresh = new Agent({ keepAlive: false });
        expect((await overHttp(node.port, fresh, get(`${USER_API}/health/live`))).status).toBe(200);
        fresh.destroy();
        const list = await send(get(`${USER_API}/messages`, { authorization: world.a.basic }));
        expect(list.status).toBe(200);
        expect(JSON.parse(list.body)).toHaveLength(world.a.messageIds.length);

        expect(node.unhandled, 'unhandled promise rejections').toEqual([]);
        expect(
          node.logged
            .filter((l) => l.level === 'error')
            .map((e) => `${e.message} during\n${e.during}`),
          'errors logged',
        ).toEqual([]);
        expect(await db.snapshot(), 'rows written to the store').toEqual(before);
      });

      it('a fifth as many again, 16 at a time: still no 5xx and nothing written', async () => {
        const { db } = node;
        const before = await db.snapshot();
        const seed = SEED ?? Date.now() % 2_147_483_647;
        const requests = fc.sample(hostileSmsGateRequests(world), {
          numRuns: Math.max(1, Math.ceil(REQUESTS / 5)),
          seed,
        });
        const parallel = new Agent({ keepAlive: true, maxSockets: 16 });
        const failures: string[] = [];
        node.during.current = `(parallel run, seed ${seed})`;
        let next = 0;
        const worker = async () => {
          for (let h = requests[next++]; h !== undefined; h = requests[next++]) {
            const outcome = await overHttp(node.port, parallel, h);
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
          node.inflight() === 0 ? true : undefined,
        );
        await sleep(20);
        expect(failures.slice(0, 3), `${failures.length} failed requests (seed ${seed})`).toEqual(
          [],
        );
        expect(node.unhandled, 'unhandled promise rejections').toEqual([]);
        expect(
          node.logged
            .filter((l) => l.level === 'error')
            .map((e) => `${e.message}: ${e.detail.split('\n')[0]}`),
          'errors logged',
        ).toEqual([]);
        expect(await db.snapshot(), 'rows written to the store').toEqual(before);
      });

      it('both APIs still serve, and the write mark sees their writes', async () => {
        const { db } = node;
        node.during.current = '(the checks after the runs)';
        expect((await send(get(`${USER_API}/health/live`))).status).toBe(200);
        // Readiness fails only because the gateway's workers are not started here.
        const ready = await send(get(`${USER_API}/health`));
        expect([ready.status, onlyTransportsFail(ready.body)]).toEqual([503, true]);
        // A valid write is seen by the write mark (the SMSGate tables are covered).
        const seen = await db.writeMark();
        const patch = await send({
          ...get(`${USER_API}/settings`, { authorization: world.a.basic, ...JSON_TYPE }),
          method: 'PATCH',
          payload: bytesOf({ logs: { lifetime_days: 9 } }),
        });
        expect(patch.status).toBe(200);
        expect(await db.writeMark(), 'the write mark sees a settings change').not.toBe(seen);

        // Last, a device call; its presence is recorded before the store closes.
        const settings = await send(
          get(`${MOBILE}/settings`, { authorization: `Bearer ${world.a.deviceToken}` }),
        );
        expect(settings.status).toBe(200);
        await sleep(100);
      });
    },
  );
}
