/**
 * What the crash faults share: standalone servers run as child processes (killed
 * with SIGKILL, restarted on the same port and database), a sender that posts
 * through the HTTP API and keeps the ids of the 2xx answers, WebSocket phones in
 * the test process that log every push and every hand-off they are given, a TCP
 * relay standing in for a load balancer, and the checks on the store once the
 * run is over.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { WireMessage } from '@textport/core';
import { PhoneClient } from '@textport/transport-websocket/client';
import type { Knex } from 'knex';
import { expect } from 'vitest';
import { sleep } from './support.js';

/** The built standalone server (`npx tsc --build` first). */
export const STANDALONE_MAIN = fileURLToPath(
  new URL('../examples/standalone/dist/main.js', import.meta.url),
);

/** Fixed keys the standalone imports at start (TEXTPORT_API_KEY, TEXTPORT_PHONE_API_KEY). */
export const USER_KEY = 'uk_faultFaultFaultFault01';
export const PHONE_KEY = 'pk_faultFaultFaultFault01';

// ── seeded randomness ────────────────────────────────────────────────────────

/** The seed of a run: FAULT_SEED when set (to replay a failure), else a fresh one. */
export function faultSeed(): number {
  const raw = process.env.FAULT_SEED;
  if (raw !== undefined && raw.trim() !== '') {
    const seed = Number(raw);
    if (!Number.isInteger(seed)) throw new Error(`FAULT_SEED must be an integer, got "${raw}"`);
    return seed >>> 0;
  }
  return Math.floor(Math.random() * 2 ** 32) >>> 0;
}

/** mulberry32: a small, fast PRNG; the same seed gives the same kill plan. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

// ── child processes ──────────────────────────────────────────────────────────

const children = new Set<ChildProcess>();
// Last resort against orphans when the test process ends without its afterAll.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export interface StandaloneOptions {
  name: string;
  port: number;
  databaseUrl: string;
  /** The child's working directory (a temp dir: the server may write `data/` there). */
  cwd: string;
}

/**
 * One standalone server, as a child process. `start` spawns it; `kill` is
 * SIGKILL; an exit nobody asked for is recorded in `unexpectedExits`.
 */
export class StandaloneNode {
  readonly url: string;
  starts = 0;
  kills = 0;
  /** Exits that were not caused by `kill`/`stop` (with the output tail). */
  readonly unexpectedExits: string[] = [];
  /** Set once the node is stopped for good: senders stop using it. */
  dead = false;
  private child: ChildProcess | null = null;
  private healthy = deferred();
  private isHealthy = false;
  private readonly lines: string[] = [];

  constructor(private readonly options: StandaloneOptions) {
    this.url = `http://127.0.0.1:${options.port}`;
  }

  get name(): string {
    return this.options.name;
  }

  get port(): number {
    return this.options.port;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.options.port}/v1/phones/ws`;
  }

  get up(): boolean {
    return this.isHealthy;
  }

  /** The running server's process id (undefined while it is down). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Resolves when the current (or next) instance answers `/health`. */
  whenHealthy(): Promise<void> {
    return this.healthy.promise;
  }

  /** The last lines the server printed (for failure reports). */
  tail(n = 40): string {
    return this.lines.slice(-n).join('\n');
  }

  start(): void {
    if (this.child) throw new Error(`${this.name} is already running`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(this.options.port),
      HOST: '127.0.0.1',
      DATABASE_URL: this.options.databaseUrl,
      TEXTPORT_API_KEY: USER_KEY,
      TEXTPORT_PHONE_API_KEY: PHONE_KEY,
      TEXTPORT_DEMO_PHONE: 'off',
    };
    for (const name of [
      'TLS_CERT',
      'TLS_KEY',
      'TEXTPORT_FCM_CREDENTIALS',
      'TEXTPORT_FCM_ENDPOINT',
      'TEXTPORT_PUBLIC_URL',
    ]) {
      delete env[name];
    }
    const child = spawn(process.execPath, [STANDALONE_MAIN], {
      cwd: this.options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts += 1;
    children.add(child);
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() === '') continue;
        this.lines.push(`[${this.name}#${this.starts}] ${line}`);
      }
      if (this.lines.length > 400) this.lines.splice(0, this.lines.length - 400);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code, signal) => {
      children.delete(child);
      if (this.child !== child) return;
      // Nobody asked for this exit (kill() and stop() forget the child first).
      this.child = null;
      this.isHealthy = false;
      this.healthy = deferred();
      this.unexpectedExits.push(
        `${this.name} exited by itself (code ${code}, signal ${signal})\n${this.tail()}`,
      );
    });
    void this.watchHealth(child);
  }

  private async watchHealth(child: ChildProcess): Promise<void> {
    while (this.child === child) {
      try {
        const response = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2000) });
        await response.arrayBuffer();
        if (response.ok && this.child === child) {
          this.isHealthy = true;
          this.healthy.resolve();
          return;
        }
      } catch {
        // Not listening yet.
      }
      await sleep(25);
    }
  }

  /** Starts and waits for `/health`; throws when the server exits or never answers. */
  async startAndWait(timeoutMs = 60_000): Promise<void> {
    this.start();
    await this.waitUp(timeoutMs);
  }

  /** Waits for `/health`; throws when the server exits by itself or never answers. */
  async waitUp(timeoutMs = 60_000): Promise<void> {
    const exits = this.unexpectedExits.length;
    const deadline = Date.now() + timeoutMs;
    while (!this.isHealthy) {
      if (this.unexpectedExits.length > exits || !this.child) {
        throw new Error(
          this.unexpectedExits[this.unexpectedExits.length - 1] ?? `${this.name} is not running`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(`${this.name} did not answer /health in ${timeoutMs} ms\n${this.tail()}`);
      }
      await sleep(25);
    }
  }

  /** SIGKILL: no cleanup of any kind runs in the server. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    this.isHealthy = false;
    this.healthy = deferred();
    this.kills += 1;
    await this.signal(child, 'SIGKILL');
  }

  /** Graceful stop (SIGTERM), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    this.isHealthy = false;
    this.healthy = deferred();
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.signal(child, 'SIGTERM');
    clearTimeout(killer);
  }

  /** Stops for good (SIGKILL); `whenHealthy` never resolves again. */
  async killForGood(): Promise<void> {
    this.dead = true;
    await this.kill();
  }

  private async signal(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }
}

// ── HTTP ─────────────────────────────────────────────────────────────────────

/** A JSON call with the user key; throws on a non-2xx answer. */
export async function api<T = unknown>(
  baseUrl: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { 'x-api-key': USER_KEY, 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

/**
 * A phone for the run: up to 5 attempts (a crash may cost a hand-off its attempt),
 * and the shortest expiry the API takes (60 s), so a message whose ack answer was
 * lost in a crash is retried within the run rather than after 10 minutes.
 */
export async function registerPhone(baseUrl: string, phoneNumber: string): Promise<string> {
  const body = await api<{ data: { id: string } }>(baseUrl, '/v1/phones', {
    method: 'PUT',
    body: { phone_number: phoneNumber, max_send_attempts: 5, message_expiration_seconds: 60 },
  });
  return body.data.id;
}

export interface SenderOptions {
  total: number;
  concurrency: number;
  /** The nodes to post to, round-robin (dead ones are skipped). */
  nodes: readonly StandaloneNode[];
  /** The `from` numbers, round-robin. */
  from: readonly string[];
}

/**
 * Posts `total` sends, `concurrency` at a time. A 2xx answer's id is accepted; a
 * connection error (the server died under the request) is not, and the worker
 * waits for a server to answer again before its next send.
 */
export class Sender {
  readonly accepted = new Set<string>();
  readonly rejected = new Map<number, number>();
  connectionErrors = 0;
  posted = 0;
  done = false;
  private next = 0;
  private turn = 0;

  constructor(private readonly options: SenderOptions) {}

  async run(): Promise<void> {
    const workers = Array.from({ length: this.options.concurrency }, () => this.worker());
    await Promise.all(workers);
    this.done = true;
  }

  private pickNode(): StandaloneNode | undefined {
    const live = this.options.nodes.filter((n) => !n.dead);
    const up = live.filter((n) => n.up);
    const pool = up.length > 0 ? up : live;
    return pool[this.turn++ % pool.length];
  }

  private async worker(): Promise<void> {
    for (let i = this.next++; i < this.options.total; i = this.next++) {
      const node = this.pickNode();
      if (!node) throw new Error('no live node to send to');
      // A server that is down is waited for, so a restart costs no more than the
      // sends in flight when it died.
      while (!node.up && !node.dead) await Promise.race([node.whenHealthy(), sleep(250)]);
      const from = this.options.from[i % this.options.from.length] ?? '';
      const to = `+180055501${String(i % 50).padStart(2, '0')}`;
      try {
        const response = await fetch(`${node.url}/v1/messages/send`, {
          method: 'POST',
          headers: { 'x-api-key': USER_KEY, 'content-type': 'application/json' },
          body: JSON.stringify({ from, to, content: `fault message ${i}` }),
          signal: AbortSignal.timeout(60_000),
        });
        const text = await response.text();
        if (response.ok) {
          this.accepted.add((JSON.parse(text) as { data: { id: string } }).data.id);
        } else {
          this.rejected.set(response.status, (this.rejected.get(response.status) ?? 0) + 1);
        }
      } catch {
        // The request or its answer was cut: not accepted (the row may exist anyway).
        this.connectionErrors += 1;
      }
      this.posted += 1;
    }
  }
}

// ── phones ───────────────────────────────────────────────────────────────────

export interface Push {
  id: string;
  attempt: number;
  /** Which connection of the phone received it (1 = the first). */
  session: number;
  /** Milliseconds since that connection's welcome. */
  sinceWelcomeMs: number;
}

export interface Handoff {
  id: string;
  /** `send_attempt_count` of the message the ack answered with. */
  attempt: number;
  phone: string;
}

/**
 * A WebSocket phone in the test process, so it outlives every server crash. It
 * logs every `message` push before any dedupe, and every hand-off: a message
 * whose ack the server answered with the message, which the phone then "sends"
 * and reports SENT and DELIVERED like a real phone.
 *
 * It remembers a single acked id (`dedupeSize: 1`) instead of the default
 * 10,000, like a phone app that restarted: every repeated push is acked again,
 * so the server's ack guard alone must keep one attempt from being handed off
 * twice.
 */
export class LoggingPhone {
  readonly client: PhoneClient;
  readonly pushes: Push[] = [];
  readonly handoffs: Handoff[] = [];
  readonly problems = new Map<string, number>();
  sessions = 0;
  private welcomedAt = 0;

  constructor(
    readonly phoneNumber: string,
    url: string,
  ) {
    this.client = new PhoneClient({
      url,
      apiKey: PHONE_KEY,
      phoneNumbers: [phoneNumber],
      register: true,
      dedupeSize: 1,
      // The default backoff (0.5 s doubling, reset after each welcome) works as well;
      // a shorter cap keeps a run with many restarts short.
      reconnect: { minDelayMs: 100, maxDelayMs: 1000 },
      sender: {
        send: (sms, report) => {
          this.handoffs.push({
            id: sms.id,
            attempt: sms.message.send_attempt_count,
            phone: phoneNumber,
          });
          report.delivered();
          return { ok: true };
        },
      },
    });
    this.client.on('connected', () => {
      this.sessions += 1;
      this.welcomedAt = Date.now();
    });
    this.client.on('push', (message: WireMessage) => {
      this.pushes.push({
        id: message.id,
        attempt: message.send_attempt_count,
        session: this.sessions,
        sinceWelcomeMs: Date.now() - this.welcomedAt,
      });
    });
    this.client.on('problem', (error, context) => {
      const kind = `${context.split(' ')[0]}: ${error.message.replace(/\[[^\]]*\]/g, '[…]')}`;
      this.problems.set(kind, (this.problems.get(kind) ?? 0) + 1);
    });
  }

  connect(): Promise<unknown> {
    return this.client.connect();
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

// ── a relay (the load balancer in front of a cluster) ─────────────────────────

/**
 * A TCP relay on a free port: each connection goes to the first backend, in
 * order, that accepts it. Phones connect through it, so a phone whose node died
 * reconnects to the next node, as behind a load balancer.
 */
export class Relay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;
  /** Connections relayed, by backend port. */
  readonly links = new Map<number, number>();

  constructor(private readonly backends: () => readonly number[]) {}

  async listen(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no relay port');
    this.port = address.port;
  }

  private accept(client: Socket): void {
    this.sockets.add(client);
    client.once('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    const ports = [...this.backends()];
    const tryNext = () => {
      const port = ports.shift();
      if (port === undefined || client.destroyed) {
        client.destroy();
        return;
      }
      const upstream = tcpConnect(port, '127.0.0.1');
      let linked = false;
      upstream.on('error', () => {
        upstream.destroy();
        if (!linked) tryNext();
      });
      upstream.once('connect', () => {
        linked = true;
        this.links.set(port, (this.links.get(port) ?? 0) + 1);
        this.sockets.add(upstream);
        upstream.once('close', () => {
          this.sockets.delete(upstream);
          client.destroy();
        });
        client.once('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    tryNext();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

// ── checks on the store ──────────────────────────────────────────────────────

const TERMINAL = `(status IN ('sent', 'delivered', 'failed', 'canceled') OR (status = 'expired' AND due_at IS NULL))`;

/** Rows of a raw query, whichever the client. */
async function rows(db: Knex, sql: string, bindings: readonly unknown[] = []) {
  const result = await db.raw(sql, bindings as Knex.RawBinding[]);
  return (Array.isArray(result) ? result : result.rows) as Record<string, unknown>[];
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
}

/** Collects everything the assertions need from the store and the logs. */
export async function inspect(
  db: Knex,
  sender: Sender,
  phones: readonly LoggingPhone[],
  leaseMarginMs: number,
): Promise<Verdict> {
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
  for (const id of sender.accepted) {
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
  const report: RunReport = {
    posted: sender.posted,
    accepted: sender.accepted.size,
    connectionErrors: sender.connectionErrors,
    rejected: Object.fromEntries([...sender.rejected].map(([s, n]) => [String(s), n])),
    rowsInStore: stored.size,
    statuses: await statusCounts(db),
    pushes: phones.reduce((n, p) => n + p.pushes.length, 0),
    repushesSameAttempt,
    repushesSameSession,
    repushSameSessionMaxMsAfterWelcome,
    handoffs: phones.reduce((n, p) => n + p.handoffs.length, 0),
    handedOffOnSeveralAttempts: [...attemptsOf.values()].filter((a) => a.size > 1).length,
    problems,
  };
  return { report, lost, notTerminal, doubleHandoffs, sentWithoutHandoff, staleLeases };
}
