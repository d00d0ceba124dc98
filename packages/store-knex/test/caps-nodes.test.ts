/**
 * Hand-off caps across two nodes on one Postgres or MySQL/MariaDB database: two
 * gateways, each with its own dispatcher on a store of its own Knex pool, hand
 * off to one capped phone (4 segments an hour, no pacing). Sends reach both
 * nodes and both dispatch at once, so the nodes race for the phone's budget.
 * Both nodes share a manual clock; what is asserted is read from the rows with
 * SQL of the test's own and from the transports.
 */
import { HOUR_MS, ManualClock } from '@textport/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawReader, rows, SERVERS } from './helpers.js';
import { openTwoNodes, type TwoNodes } from './two-nodes.js';

const OWNER = '+18005550199';
const PER_HOUR = 4;

describe.each(SERVERS)('$name', (server) => {
  describe.skipIf(server.skip !== false)(
    `caps across two nodes${server.skip ? ` (skipped: ${server.skip})` : ''}`,
    () => {
      const clock = new ManualClock(Date.UTC(2026, 10, 24, 12));
      let t: TwoNodes;
      let accountId = '';
      let phoneId = '';

      beforeAll(async () => {
        t = await openTwoNodes(server, clock);
        const [a] = t.gateways;
        if (!a) throw new Error('no node');
        const { record: account } = await a.accounts.create();
        accountId = account.id;
        // One attempt: a hand-off that expires unsent is not tried again (and counted) here.
        const phone = await a.phones.upsert(accountId, {
          phoneNumber: OWNER,
          messagesPerMinute: 0,
          messagesPerHour: PER_HOUR,
          maxSendAttempts: 1,
        });
        phoneId = phone.id;
      });

      afterAll(async () => {
        await t?.destroy();
      });

      /** Rows handed off (attempt counted) and rows waiting, with their due times. */
      async function split(ids: readonly string[]) {
        const found = await rows(
          t.db.knex,
          `SELECT id, due_at, send_attempt_count FROM textport_messages
           WHERE id IN (${ids.map(() => '?').join(', ')})`,
          ids,
        );
        const waiting = found.filter((r) => Number(r.send_attempt_count) === 0);
        return {
          handed: found.length - waiting.length,
          waitingDue: [...new Set(waiting.map((r) => Number(r.due_at)))],
        };
      }

      it('the two nodes hand off 4 of 10 in the hour, then 4, then the last 2', async () => {
        const start = clock.now();
        const ids = (
          await Promise.all(
            Array.from({ length: 10 }, (_, n) =>
              (t.gateways[n % 2] ?? t.gateways[0])?.messages.send(accountId, {
                from: OWNER,
                to: `+1202555${String(n).padStart(4, '0')}`,
                content: `m${n}`,
              }),
            ),
          )
        ).map((m) => m?.id ?? '');
        await t.dispatchNow();
        expect(t.handedOff()).toHaveLength(PER_HOUR);
        expect(await split(ids)).toEqual({ handed: PER_HOUR, waitingDue: [start + HOUR_MS] });
        const phone = await rawReader(t.db.knex).phone(phoneId);
        expect([phone?.hourWindowStart, phone?.hourWindowSegments]).toEqual([start, PER_HOUR]);

        clock.set(start + HOUR_MS - 1);
        await t.dispatchNow();
        expect(t.handedOff()).toHaveLength(PER_HOUR);

        clock.set(start + HOUR_MS);
        await t.dispatchNow();
        expect(t.handedOff()).toHaveLength(2 * PER_HOUR);
        expect(await split(ids)).toEqual({ handed: 8, waitingDue: [start + 2 * HOUR_MS] });

        clock.set(start + 2 * HOUR_MS);
        await t.dispatchNow();
        const all = t.handedOff();
        expect([...all].sort()).toEqual([...ids].sort());
        expect(new Set(all).size).toBe(all.length);
      });
    },
  );
});
