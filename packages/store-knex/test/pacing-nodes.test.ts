/**
 * Pacing across two nodes on one Postgres or MySQL/MariaDB database: two gateways, each with its own
 * dispatcher on a store of its own Knex pool, on one fresh schema, hand off to
 * one paced phone (10 per minute: a hand-off every 6 s). Sends reach both nodes
 * and both dispatch at once, so the nodes race for the phone's pacing anchor.
 *
 * Both nodes share a manual clock, moved from one planned hand-off to the next,
 * so minutes of pacing take no time; an outage is the clock jumping past every
 * planned slot. Everything asserted is read from the rows
 * with SQL of the test's own, never through the store's getters; times are
 * compared with each other and with the manual clock.
 */
import { ManualClock } from '@textport/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MysqlDatabase, type PgDatabase, rawReader, rows, SERVERS } from './helpers.js';
import { openTwoNodes, type TwoNodes } from './two-nodes.js';

const OWNER = '+18005550199';
const MESSAGES_PER_MINUTE = 10;
const SPACING = 60_000 / MESSAGES_PER_MINUTE;

interface HandoffRow {
  id: string;
  status: string;
  scheduledAt: number | null;
  dueAt: number | null;
  awaitingHandoff: boolean;
  attempts: number;
}

describe.each(SERVERS)('$name', (server) => {
  describe.skipIf(server.skip !== false)(
    `pacing across two nodes${server.skip ? ` (skipped: ${server.skip})` : ''}`,
    () => {
      let db: PgDatabase | MysqlDatabase;
      const clock = new ManualClock(Date.UTC(2026, 10, 24, 12));
      let t: TwoNodes;
      let gateways: TwoNodes['gateways'] = [];
      let nodes: TwoNodes['nodes'] = [];
      let accountId = '';
      let phoneId = '';
      let sent = 0;

      beforeAll(async () => {
        t = await openTwoNodes(server, clock);
        ({ db, gateways, nodes } = t);
        const [a] = gateways;
        if (!a) throw new Error('no node');
        const { record: account } = await a.accounts.create();
        accountId = account.id;
        // An hour to expire, so no expiry (and retry) comes due within the test.
        const phone = await a.phones.upsert(accountId, {
          phoneNumber: OWNER,
          messagesPerMinute: MESSAGES_PER_MINUTE,
          messageExpirationSeconds: 3600,
        });
        phoneId = phone.id;
      });

      afterAll(async () => {
        await t?.destroy();
      });

      /** Sends `count` messages, alternately through each node, all at once. */
      async function sendMany(count: number): Promise<string[]> {
        const list = await Promise.all(
          Array.from({ length: count }, (_, _i) => {
            const n = sent++;
            const gateway = gateways[n % gateways.length];
            if (!gateway) throw new Error('no node');
            const to = `+1202555${String(n).padStart(4, '0')}`;
            return gateway.messages.send(accountId, { from: OWNER, to, content: `m${n}` });
          }),
        );
        return list.map((m) => m.id);
      }

      const dispatchNow = () => t.dispatchNow();

      /** The earliest planned hand-off in the rows, or null. */
      async function nextPlanned(): Promise<number | null> {
        const [row] = await rows(
          db.knex,
          'SELECT min(due_at) AS at FROM textport_messages WHERE awaiting_handoff',
        );
        return row?.at === null || row?.at === undefined ? null : Number(row.at);
      }

      /** Moves the clock from one planned hand-off to the next until none is left. */
      async function dispatchAll(): Promise<void> {
        await dispatchNow();
        for (let at = await nextPlanned(); at !== null; at = await nextPlanned()) {
          expect(at).toBeGreaterThan(clock.now());
          clock.set(at);
          await dispatchNow();
        }
      }

      async function handoffRows(ids: readonly string[]): Promise<HandoffRow[]> {
        const found = await rows(
          db.knex,
          `SELECT id, status, scheduled_at, due_at, awaiting_handoff, send_attempt_count
           FROM textport_messages WHERE id IN (${ids.map(() => '?').join(', ')})`,
          ids,
        );
        return found.map((r) => ({
          id: String(r.id),
          status: String(r.status),
          scheduledAt: r.scheduled_at === null ? null : Number(r.scheduled_at),
          dueAt: r.due_at === null ? null : Number(r.due_at),
          awaitingHandoff: r.awaiting_handoff === true || r.awaiting_handoff === 1,
          attempts: Number(r.send_attempt_count),
        }));
      }

      /** Hand-off times of the rows, earliest first. */
      const times = (found: readonly HandoffRow[]) =>
        found.map((r) => r.scheduledAt ?? Number.NaN).sort((x, y) => x - y);
      const slots = (start: number, count: number) =>
        Array.from({ length: count }, (_, i) => start + i * SPACING);
      const handedOff = () => t.handedOff();
      const anchor = async () => (await rawReader(db.knex).phone(phoneId))?.lastScheduledAt;

      /**
       * Sends `count` messages to the idle phone and dispatches the first round:
       * one goes at once, the others are planned a spacing apart (in the rows).
       */
      async function burstFromIdle(count: number): Promise<{ ids: string[]; start: number }> {
        const start = clock.now();
        const before = new Set(handedOff());
        const ids = await sendMany(count);
        await dispatchNow();
        const now = handedOff().filter((id) => !before.has(id));
        expect(now).toHaveLength(1);
        const found = await handoffRows(ids);
        const first = found.find((r) => r.id === now[0]);
        expect(first).toMatchObject({ status: 'scheduled', scheduledAt: start, attempts: 1 });
        expect(first?.awaitingHandoff).toBe(false);
        const planned = found.filter((r) => r.id !== now[0]);
        expect(planned.every((r) => r.awaitingHandoff && r.dueAt === r.scheduledAt)).toBe(true);
        expect(times(planned)).toEqual(slots(start + SPACING, count - 1));
        expect(await anchor()).toBe(start + (count - 1) * SPACING);
        return { ids, start };
      }

      /** Every row handed off once, by exactly one node, at the given times. */
      async function expectHandedOff(ids: readonly string[], at: readonly number[]): Promise<void> {
        await dispatchAll();
        const found = await handoffRows(ids);
        expect(found.every((r) => r.status === 'scheduled' && !r.awaitingHandoff)).toBe(true);
        expect(found.map((r) => r.attempts)).toEqual(ids.map(() => 1));
        expect(times(found)).toEqual(at);
        const all = handedOff();
        expect(all.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
        expect(new Set(all).size).toBe(all.length);
      }

      it('a never-used phone: the first message goes at once, the next a spacing later', async () => {
        expect(await anchor()).toBeNull();
        const { ids, start } = await burstFromIdle(12);
        await expectHandedOff(ids, slots(start, 12));
        expect(clock.now()).toBe(start + 11 * SPACING);
        expect(await anchor()).toBe(start + 11 * SPACING);
      });

      it('after idling, the first message goes at once again, the next a spacing later', async () => {
        const last = await anchor();
        clock.advance(5 * 60_000);
        const { ids, start } = await burstFromIdle(7);
        expect(start - (last ?? 0)).toBeGreaterThan(SPACING);
        await expectHandedOff(ids, slots(start, 7));
      });

      it('a message sent within the spacing of the last hand-off waits for its slot', async () => {
        const last = (await anchor()) ?? Number.NaN;
        expect(clock.now()).toBe(last);
        clock.advance(SPACING / 3);
        const ids = await sendMany(1);
        await dispatchNow();
        const [row] = await handoffRows(ids);
        expect(row).toMatchObject({ awaitingHandoff: true, scheduledAt: last + SPACING });
        expect(handedOff()).not.toContain(ids[0]);
        await expectHandedOff(ids, [last + SPACING]);
      });

      it('over every message, the hand-off times in the rows are unique and a spacing apart', async () => {
        const found = await rows(
          db.knex,
          'SELECT scheduled_at FROM textport_messages WHERE phone_id = ? ORDER BY scheduled_at',
          [phoneId],
        );
        const at = found.map((r) => Number(r.scheduled_at));
        expect(at).toHaveLength(20);
        expect(new Set(at).size).toBe(at.length);
        const gaps = at.slice(1).map((t, i) => t - (at[i] ?? Number.NaN));
        expect(gaps.filter((gap) => gap < SPACING)).toEqual([]);
      });

      it('back from an outage with every planned slot past, both nodes still hand off a spacing apart', async () => {
        clock.advance(5 * 60_000);
        const { ids, start } = await burstFromIdle(6);
        // Both nodes are down for 10 minutes: the five planned slots are all in the past.
        const back = start + 10 * 60_000;
        clock.set(back);
        await expectHandedOff(ids, [start, ...slots(back, 5)]);
        expect(clock.now()).toBe(back + 4 * SPACING);
        expect((await rawReader(db.knex).phone(phoneId))?.lastHandoffAt).toBe(back + 4 * SPACING);
      });

      it('one node hands off a spacing after the other node did, whichever node it is', async () => {
        const [a, b] = gateways;
        if (!a || !b) throw new Error('no nodes');
        const handedBy = (i: number) => nodes[i]?.transport.handedOff() ?? [];
        clock.advance(5 * 60_000);
        // Node a alone: the idle phone's message goes at once.
        const [first] = await sendMany(1);
        await a.dispatcher.runOnce();
        expect(handedBy(0)).toContain(first);
        const firstAt = clock.now();
        // Node b alone, within the spacing: it waits for a's hand-off plus the spacing.
        clock.advance(SPACING / 2);
        const [second] = await sendMany(1);
        await b.dispatcher.runOnce();
        expect(handedBy(1)).not.toContain(second);
        clock.set(firstAt + SPACING);
        await b.dispatcher.runOnce();
        expect(handedBy(1)).toContain(second);
        expect((await rawReader(db.knex).phone(phoneId))?.lastHandoffAt).toBe(firstAt + SPACING);
      });
    },
  );
});
