/**
 * The checks on the store once a crash run is over: messages by status, waiting
 * until every one is terminal, the report and verdict of a run (`inspect`), and
 * the guarantees it must meet (`expectIntact`).
 */
import type { Knex } from 'knex';
import { expect } from 'vitest';
import { sleep } from '../support.js';
import type { LoggingPhone } from './phone.js';
import type { Sender } from './sender.js';

/**
 * The most `message` frames the phones may get per stored message, on average. A
 * phone that reconnects acks what it holds before it asks the server to resume, so
 * only what it never got is pushed again: a resume that pushes the whole unacked
 * backlog again (4.3 per message over 20 kills, 2,000 messages) breaks it. A retry
 * is a push too: a message that expires (60 s here) while its ack or report waits
 * behind the phone's backlog comes again as a new attempt. Without the WebSocket
 * transport's flow control (`maxUnackedMessages`) a backlog outran the acks of a
 * loaded server that way (2.6–2.8 per message); with it, about 1.
 */
export const MAX_PUSHES_PER_MESSAGE = 2;

const TERMINAL = `(status IN ('sent', 'delivered', 'failed', 'canceled') OR (status = 'expired' AND due_at IS NULL))`;

/** Rows of a raw query, whichever the client. */
async function rows(db: Knex, sql: string, bindings: readonly unknown[] = []) {
  const result = await db.raw(sql, bindings as Knex.RawBinding[]);
  // better-sqlite3: the rows; mysql2: [rows, fields]; pg: { rows }.
  if (Array.isArray(result))
    return (Array.isArray(result[0]) ? result[0] : result) as Record<string, unknown>[];
  return result.rows as Record<string, unknown>[];
}

/** Messages by status (a final `expired` as `expired`, one that will be retried as `expired (retry)`). */
export async function statusCounts(db: Knex): Promise<Record<string, number>> {
  const found = await rows(
    db,
    `SELECT CASE WHEN status = 'expired' AND due_at IS NOT NULL THEN 'expired (retry)' ELSE status END AS s,
            count(*) AS n FROM textport_messages GROUP BY 1 ORDER BY 1`,
  );
  return Object.fromEntries(found.map((r) => [String(r.s), Number(r.n)]));
}

/** How many messages are not in a terminal state yet. */
export async function unsettled(db: Knex): Promise<number> {
  const [row] = await rows(db, `SELECT count(*) AS n FROM textport_messages WHERE NOT ${TERMINAL}`);
  return Number(row?.n ?? 0);
}

/** Waits until every message is terminal (or throws with the counts after `timeoutMs`). */
export async function waitSettled(db: Knex, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await unsettled(db)) === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `messages not terminal after ${timeoutMs} ms: ${JSON.stringify(await statusCounts(db))}`,
      );
    }
    await sleep(500);
  }
}

export interface RunReport {
  posted: number;
  accepted: number;
  connectionErrors: number;
  rejected: Record<string, number>;
  rowsInStore: number;
  statuses: Record<string, number>;
  pushes: number;
  /** `message` frames per stored message. */
  pushesPerMessage: number;
  /** Pushes of an (id, attempt) the phone had been pushed before (the protocol allows them). */
  repushesSameAttempt: number;
  /** …of which within one connection of the phone. */
  repushesSameSession: number;
  /** The latest such same-connection repeat, in ms after the connection's welcome. */
  repushSameSessionMaxMsAfterWelcome: number;
  handoffs: number;
  /** Ids handed off on more than one attempt (a lost ack answer, then expiry and retry). */
  handedOffOnSeveralAttempts: number;
  problems: Record<string, number>;
}

export interface Verdict {
  report: RunReport;
  /** Accepted ids with no row. */
  lost: string[];
  /** Accepted ids whose row is not terminal. */
  notTerminal: string[];
  /** (id, attempt) pairs handed off more than once. */
  doubleHandoffs: string[];
  /** Rows sent/delivered that no phone was ever handed (the phone log is incomplete). */
  sentWithoutHandoff: string[];
  /** Rows still leased although the lease ended more than the margin ago. */
  staleLeases: Record<string, unknown>[];
}

/** The guarantees of a crash run: none lost, all terminal, no attempt twice, no stale lease. */
export function expectIntact(verdict: Verdict): void {
  expect(verdict.lost, 'accepted messages missing from the store').toEqual([]);
  expect(verdict.notTerminal, 'accepted messages not terminal').toEqual([]);
  expect(verdict.doubleHandoffs, 'an attempt handed off twice').toEqual([]);
  expect(verdict.sentWithoutHandoff, 'sent rows no phone took').toEqual([]);
  expect(verdict.staleLeases, 'rows still claimed past their lease').toEqual([]);
  expect(verdict.report.accepted).toBeGreaterThan(0);
  expect(verdict.report.pushesPerMessage, 'message frames per stored message').toBeLessThanOrEqual(
    MAX_PUSHES_PER_MESSAGE,
  );
}

/** Collects everything the assertions need from the store and the logs. */
export async function inspect(
  db: Knex,
  senders: Sender | readonly Sender[],
  phones: readonly LoggingPhone[],
  leaseMarginMs: number,
): Promise<Verdict> {
  const all = Array.isArray(senders) ? senders : [senders as Sender];
  const sum = (f: (s: Sender) => number) => all.reduce((n, s) => n + f(s), 0);
  const rejected = new Map<number, number>();
  for (const s of all) for (const [k, n] of s.rejected) rejected.set(k, (rejected.get(k) ?? 0) + n);
  const stored = new Map<string, string>();
  for (const row of await rows(db, 'SELECT id, status FROM textport_messages')) {
    stored.set(String(row.id), String(row.status));
  }
  const terminalIds = new Set(
    (await rows(db, `SELECT id FROM textport_messages WHERE ${TERMINAL}`)).map((r) => String(r.id)),
  );
  const staleLeases = await rows(
    db,
    `SELECT id, status, lease_owner, lease_until, due_at FROM textport_messages
      WHERE (lease_owner IS NOT NULL OR lease_until IS NOT NULL)
        AND (lease_until IS NULL OR lease_until < ?)`,
    [Date.now() - leaseMarginMs],
  );

  const lost: string[] = [];
  const notTerminal: string[] = [];
  for (const id of all.flatMap((s) => [...s.accepted])) {
    if (!stored.has(id)) lost.push(id);
    else if (!terminalIds.has(id)) notTerminal.push(`${id} (${stored.get(id)})`);
  }

  const handoffCount = new Map<string, number>();
  const attemptsOf = new Map<string, Set<number>>();
  const pushSeen = new Map<string, number>();
  let repushesSameAttempt = 0;
  let repushesSameSession = 0;
  let repushSameSessionMaxMsAfterWelcome = 0;
  for (const phone of phones) {
    for (const h of phone.handoffs) {
      const key = `${h.id}#${h.attempt}`;
      handoffCount.set(key, (handoffCount.get(key) ?? 0) + 1);
      const attempts = attemptsOf.get(h.id) ?? new Set<number>();
      attempts.add(h.attempt);
      attemptsOf.set(h.id, attempts);
    }
    for (const p of phone.pushes) {
      const key = `${p.id}#${p.attempt}`;
      const before = pushSeen.get(key);
      if (before !== undefined) {
        repushesSameAttempt += 1;
        if (before === p.session) {
          repushesSameSession += 1;
          repushSameSessionMaxMsAfterWelcome = Math.max(
            repushSameSessionMaxMsAfterWelcome,
            p.sinceWelcomeMs,
          );
        }
      }
      pushSeen.set(key, p.session);
    }
  }
  const doubleHandoffs = [...handoffCount].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
  const sentWithoutHandoff = [...stored]
    .filter(([id, status]) => (status === 'sent' || status === 'delivered') && !attemptsOf.has(id))
    .map(([id, status]) => `${id} (${status})`);

  const problems: Record<string, number> = {};
  for (const phone of phones) {
    for (const [kind, n] of phone.problems) problems[kind] = (problems[kind] ?? 0) + n;
  }
  const pushes = phones.reduce((n, p) => n + p.pushes.length, 0);
  const report: RunReport = {
    posted: sum((s) => s.posted),
    accepted: sum((s) => s.accepted.size),
    connectionErrors: sum((s) => s.connectionErrors),
    rejected: Object.fromEntries([...rejected].map(([s, n]) => [String(s), n])),
    rowsInStore: stored.size,
    statuses: await statusCounts(db),
    pushes,
    pushesPerMessage: Math.round((100 * pushes) / Math.max(1, stored.size)) / 100,
    repushesSameAttempt,
    repushesSameSession,
    repushSameSessionMaxMsAfterWelcome,
    handoffs: phones.reduce((n, p) => n + p.handoffs.length, 0),
    handedOffOnSeveralAttempts: [...attemptsOf.values()].filter((a) => a.size > 1).length,
    problems,
  };
  return { report, lost, notTerminal, doubleHandoffs, sentWithoutHandoff, staleLeases };
}
