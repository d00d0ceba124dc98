/**
 * kill -9 the standalone server at random moments (KILLS times) during a
 * MESSAGES-message run with a WebSocket phone: every message that got a 2xx is
 * in the store and reaches a terminal state (the phone stays connected, so
 * nothing may stay pending for good) — none lost; no attempt of a message is
 * handed to the phone twice; no row stays claimed past its lease.
 *
 * The server is the built standalone (`packages/server/dist/cli.js start`) on a
 * SQLite file, restarted on the same port and file after each SIGKILL. The phone
 * and the sender run in this process, so they outlive every crash. The kill plan
 * comes from a seeded PRNG (the seed is printed; FAULT_SEED replays it): KILLS
 * points spread over the run's progress, the first half measured in sends
 * posted, the second in messages handed off, so the kills land in the sending
 * and in the dispatching phase; some land while the server is still starting.
 *
 * "Handed to the phone" is the hand-off the phone may act on: a push it acked
 * and the server answered with the message (the move to `sending`). The pushes
 * themselves are logged too, before any dedupe, and reported: the protocol lets
 * the server push one attempt again (after a reconnect it pushes what was handed
 * off and neither acked nor held by the phone; `docs/phone-protocol.md`,
 * "Duplicates and resume"), so a repeated push is expected, a repeated hand-off
 * is a bug. Repeats are bounded all the same: at most two pushes per message on
 * average (`MAX_PUSHES_PER_MESSAGE`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knex, { type Knex } from 'knex';
import { afterAll, describe, expect, it } from 'vitest';
import { StandaloneNode } from './crash/node.js';
import {
  expectPaced,
  gapsOf,
  PACED_MESSAGES,
  PACED_PER_MINUTE,
  PACED_PHONE,
} from './crash/pacing.js';
import { LoggingPhone } from './crash/phone.js';
import { faultSeed, seededRandom } from './crash/seed.js';
import { registerPhone, Sender } from './crash/sender.js';
import { expectIntact, inspect, waitSettled } from './crash/verdict.js';
import { freePort, KILLS, MESSAGES, sleep } from './support.js';

const PHONE = '+18005550199';
/** Sends in flight at once. */
const IN_FLIGHT = 32;
/** A kill waits at most this long after the server came up for its progress point. */
const MAX_UPTIME_MS = 3_000;
/** A share of the kills hit the server while it starts (before or around `/health`). */
const STARTUP_KILL_SHARE = 0.1;
/** A lease that ended this long ago must have been taken over or released. */
const LEASE_MARGIN_MS = 5_000;

const dir = mkdtempSync(join(tmpdir(), 'textport-fault-kill-'));
let node: StandaloneNode | undefined;
let phone: LoggingPhone | undefined;
let pacedPhone: LoggingPhone | undefined;
let db: Knex | undefined;

afterAll(async () => {
  await phone?.close();
  await pacedPhone?.close();
  await node?.kill();
  await db?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('standalone server killed with SIGKILL', () => {
  it(`loses no accepted message and hands no attempt off twice over ${KILLS} kills and ${MESSAGES} messages`, async () => {
    const started = Date.now();
    const seed = faultSeed();
    const random = seededRandom(seed);
    console.log(
      `standalone-kill: seed ${seed} (FAULT_SEED=${seed} replays the kill plan); ${KILLS} kills, ${MESSAGES} messages`,
    );
    const file = join(dir, 'textport.sqlite');
    const server = new StandaloneNode({
      name: 'standalone',
      port: await freePort(),
      databaseUrl: `sqlite:${file}`,
      cwd: dir,
    });
    node = server;

    // Setup: create the phone through the API, then turn pacing off in the file
    // while the server is stopped. The API takes 1–60 messages per minute only
    // (httpSMS's range), and 10 per minute (the default) would take hours for
    // this run; 0, "no pacing", is a store value the standalone has no setting for.
    await server.startAndWait();
    await registerPhone(server.url, PHONE);
    await registerPhone(server.url, PACED_PHONE, PACED_PER_MINUTE);
    await server.stop();
    db = knex({ client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true });
    await db('textport_phones').where({ phone_number: PHONE }).update({ messages_per_minute: 0 });
    await server.startAndWait();

    const device = new LoggingPhone(PHONE, server.wsUrl);
    phone = device;
    await device.connect();
    // A paced phone among the unpaced one: its few messages are posted at once and go a
    // spacing apart while the kills happen.
    const paced = new LoggingPhone(PACED_PHONE, server.wsUrl);
    pacedPhone = paced;
    await paced.connect();
    const pacedSender = new Sender({
      total: PACED_MESSAGES,
      concurrency: 1,
      nodes: [server],
      from: [PACED_PHONE],
    });
    const pacedSending = pacedSender.run();
    const sender = new Sender({
      total: MESSAGES,
      concurrency: IN_FLIGHT,
      nodes: [server],
      from: [PHONE],
    });
    const sending = sender.run();

    // The kill plan: progress points in [0, 1), sorted; 0–0.5 is the sending
    // phase (sends posted), 0.5–1 the dispatching one (accepted messages handed off).
    const plan = Array.from({ length: KILLS }, () => ({
      at: random(),
      duringStartup: random() < STARTUP_KILL_SHARE,
      delayMs: Math.floor(random() * 400),
    })).sort((a, b) => a.at - b.at);
    const taken = new Set<string>();
    let seenHandoffs = 0;
    const progress = () => {
      for (; seenHandoffs < device.handoffs.length; seenHandoffs++) {
        taken.add(device.handoffs[seenHandoffs]?.id ?? '');
      }
      if (!sender.done) return 0.5 * (sender.posted / MESSAGES);
      return 0.5 + 0.5 * Math.min(1, taken.size / Math.max(1, sender.accepted.size));
    };

    const phases = { sending: 0, dispatching: 0, startup: 0 };
    const leases = { total: 0, max: 0 };
    try {
      for (const step of plan) {
        if (step.duringStartup) {
          await sleep(step.delayMs);
          phases.startup += 1;
        } else {
          // Up (and, once the sends are done, the phone connected again: pushes and
          // acks under way), then the progress point (or MAX_UPTIME_MS), then a
          // random delay.
          await server.waitUp();
          const upSince = Date.now();
          const waiting = () => Date.now() - upSince < MAX_UPTIME_MS;
          while (sender.done && !device.client.connected && waiting()) await sleep(10);
          while (progress() < step.at && waiting()) await sleep(10);
          await sleep(step.delayMs);
          if (sender.done) phases.dispatching += 1;
          else phases.sending += 1;
        }
        await server.kill();
        // Rows the dead process held a claim on: the next process may take them
        // only once the lease (30 s) has run out.
        const [held] = await db('textport_messages').whereNotNull('lease_owner').count({ n: '*' });
        const n = Number(held?.n ?? 0);
        leases.total += n;
        leases.max = Math.max(leases.max, n);
        server.start();
      }
      await server.waitUp();
      await sending;
      await pacedSending;
      const killsDone = Date.now();
      // Whatever was in flight at the last kill is recovered now: leases run out
      // (30 s), handed-off messages that were never acked are pushed again on
      // reconnect, taken ones whose answer was lost expire (60 s) and are retried.
      await waitSettled(db, 600_000);
      const verdict = await inspect(db, [sender, pacedSender], [device, paced], LEASE_MARGIN_MS);
      console.log(
        'standalone-kill:',
        JSON.stringify(
          {
            seed,
            kills: server.kills,
            killsIn: phases,
            claimsLeftByKills: leases,
            starts: server.starts,
            phoneConnections: device.sessions,
            ...verdict.report,
            pacedHandoffGapsMs: gapsOf(paced.handoffs),
            pacedResumedHandoffs: paced.handoffs.filter((h) => h.resumed).length,
            secondsToKillsDone: Math.round((killsDone - started) / 1000),
            secondsToSettle: Math.round((Date.now() - killsDone) / 1000),
          },
          null,
          2,
        ),
      );
      expect(server.unexpectedExits).toEqual([]);
      expect(server.kills).toBe(KILLS);
      expectIntact(verdict);
      expectPaced(paced.handoffs, pacedSender.accepted.size);
    } catch (error) {
      console.log(`standalone-kill failed with seed ${seed}; server output:\n${server.tail(80)}`);
      throw error;
    }
  });
});
