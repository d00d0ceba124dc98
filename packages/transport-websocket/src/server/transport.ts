/**
 * The WebSocket transport: phones hold a socket to this node, due messages are
 * pushed to them as `message` frames, and their acks, events, incoming SMS and
 * heartbeats go to the gateway's phone API. A phone is reachable from the node
 * holding its socket; several nodes share work through the store and its notifier,
 * which also tells every node when a key was revoked (see `key-check.ts`).
 *
 *   const ws = websocketTransport({ server, path: '/v1/phones/ws' });
 *   const gateway = createGateway({ store, transports: [ws] });
 *   await gateway.start(); // starts the transport with the gateway's TransportHost
 *
 * Everything it needs from the gateway (authentication, the phone API, lookups,
 * the `message.api.canceled` events it tells phones about, key changes) comes
 * through the host handed to `start(host)`.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GatewayEvent, MessageRecord, PhoneRecord } from '@textport/core';
import { toWireMessage } from '@textport/core';
import type { NotifyOutcome, Reach, Transport, TransportHost } from '@textport/core/transport';
import { handedOffAll, TransportError } from '@textport/core/transport';
import type { WebSocket } from 'ws';
import { WebSocketServer } from 'ws';
import { CLOSE_CODES, encodeFrame } from '../protocol.js';
import { KeyCheck } from './key-check.js';
import type { ResolvedOptions, WebSocketTransportOptions } from './options.js';
import { resolveOptions } from './options.js';
import type { SessionHost } from './session.js';
import { PhoneSession } from './session.js';
import { refuseUpgrade } from './socket.js';

const OPEN = 1;

function ownerKey(accountId: string, phoneNumber: string): string {
  return `${accountId} ${phoneNumber}`;
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q === -1 ? raw : raw.slice(0, q);
}

function messageFrame(message: MessageRecord): string {
  return encodeFrame({ type: 'message', message: toWireMessage(message) });
}

function unreachable(phone: PhoneRecord): TransportError {
  return new TransportError(`phone [${phone.phoneNumber}] has no open WebSocket on this node`, {
    retryable: true,
  });
}

export class WebSocketTransport implements Transport, SessionHost {
  readonly name = 'websocket';
  readonly options: ResolvedOptions;
  /** The host of the latest `start()`, kept after `stop()` for requests still in hand. */
  private host: TransportHost | undefined;
  private running = false;
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<PhoneSession>();
  /** Sessions not welcomed yet, until welcomed or closed: at most `maxPendingSockets`. */
  private readonly pending = new Set<PhoneSession>();
  private readonly byPhone = new Map<string, PhoneSession>();
  private readonly byOwner = new Map<string, string>();
  /** The current `reach()`, rebuilt when a phone is routed to or away from this node. */
  private reachable: Reach | null = null;
  /** Sessions awaiting `maxUnackedMessages` acks: their phones are `busy` in `reach()`. */
  private readonly full = new Set<PhoneSession>();
  private fullCheckedAt = Number.NEGATIVE_INFINITY;
  private pingTimer: NodeJS.Timeout | undefined;
  private keyTimer: NodeJS.Timeout | undefined;
  private unsubscribes: (() => void)[] = [];
  private readonly keys: KeyCheck;

  constructor(options: WebSocketTransportOptions = {}) {
    this.options = resolveOptions(options);
    this.keys = new KeyCheck({
      host: () => this.host,
      sessions: () => this.sessions,
      dropped: (session, phones) => this.dropPhones(session, phones),
    });
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: this.options.maxPayload,
    });
  }

  /**
   * Open sockets (authenticated or not), those of them not welcomed yet, phones
   * reachable through them, bytes waiting to be sent.
   */
  stats(): { sockets: number; pending: number; phones: number; bufferedBytes: number } {
    let bufferedBytes = 0;
    for (const session of this.sessions) bufferedBytes += session.socket.bufferedAmount;
    return {
      sockets: this.sessions.size,
      pending: this.pending.size,
      phones: this.byPhone.size,
      bufferedBytes,
    };
  }

  get keyEpoch(): number {
    return this.keys.epoch;
  }

  async start(host: TransportHost): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.host = host;
    this.options.server?.on('upgrade', this.onUpgrade);
    this.unsubscribes = [
      host.subscribe('message.api.canceled', this.onCanceled),
      host.onKeysChanged(() => this.keys.checkAll()),
    ];
    this.pingTimer = setInterval(() => this.pingAll(), this.options.pingIntervalMs);
    this.pingTimer.unref?.();
    this.keyTimer = setInterval(() => this.keys.checkAll(), this.options.keyCheckIntervalMs);
    this.keyTimer.unref?.();
  }

  /** Closes every socket (1001, going away) and stops taking upgrades. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.options.server?.off('upgrade', this.onUpgrade);
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    clearInterval(this.pingTimer);
    clearInterval(this.keyTimer);
    for (const session of this.sessions) session.close(CLOSE_CODES.goingAway, 'server stopping');
    for (let waited = 0; this.sessions.size > 0 && waited < 2000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const session of this.sessions) session.socket.terminate();
  }

  /**
   * Takes over one upgrade request (for hosts that route upgrades themselves). While
   * `maxPendingSockets` sockets wait for their welcome, it is refused with 503 before
   * the handshake, `Retry-After` the time they have for `hello`.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!this.running) {
      refuseUpgrade(socket, '503 Service Unavailable');
      return;
    }
    if (this.pending.size >= this.options.maxPendingSockets) {
      const seconds = Math.ceil(this.options.authTimeoutMs / 1000);
      refuseUpgrade(socket, '503 Service Unavailable', { 'Retry-After': String(seconds) });
      return;
    }
    // The handshake completes and `accept` runs before this returns: no upgrade slips by the count.
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req));
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (pathOf(req.url) === this.options.path) {
      this.handleUpgrade(req, socket, head);
    } else if (this.options.server?.listenerCount('upgrade') === 1) {
      refuseUpgrade(socket, '404 Not Found');
    }
  };

  private accept(ws: WebSocket, req: IncomingMessage): void {
    const host = this.host;
    if (!this.running || !host) {
      ws.close(CLOSE_CODES.goingAway, 'server stopping');
      return;
    }
    const header = req.headers['x-api-key'];
    const key = Array.isArray(header) ? header[0] : header;
    const session = new PhoneSession(ws, this, host, key || undefined);
    this.sessions.add(session);
    this.pending.add(session);
  }

  attach(session: PhoneSession): void {
    this.pending.delete(session);
    for (const phone of session.phones) {
      const previous = this.byPhone.get(phone.id);
      this.byPhone.set(phone.id, session);
      this.byOwner.set(ownerKey(phone.accountId, phone.phoneNumber), phone.id);
      if (previous && previous !== session) this.release(previous, phone.id);
    }
    this.reachable = null;
    void this.connected(session, session.host);
  }

  /**
   * A phone connected: wake the dispatcher when the phone has due (or future) work,
   * so its backlog goes out at once; then push again what it never acked, unless
   * it said `defer_resume` (it acks what it holds first, then asks with `resume`).
   * Phones with nothing waiting cost no dispatch round, which keeps mass reconnects cheap.
   */
  private async connected(session: PhoneSession, host: TransportHost): Promise<void> {
    const ids = session.phones.map((p) => p.id);
    try {
      if (await host.lookups.hasDueWork(ids)) host.wake();
    } catch {
      host.wake();
    }
    if (!session.deferResume) await this.pushUnacked(session, host);
  }

  /** The phone's `resume` request: push again what it was handed and never acked. */
  resume(session: PhoneSession): Promise<number> {
    return this.pushUnacked(session, session.host);
  }

  detach(session: PhoneSession): void {
    this.sessions.delete(session);
    this.pending.delete(session);
    this.full.delete(session);
    this.dropPhones(session, session.phones);
  }

  /** An ack was answered: a full socket awaiting at most half of `maxUnackedMessages` has room again. */
  acked(session: PhoneSession): void {
    if (this.full.has(session)) this.unblockIfRoom(session, session.host.clock.now());
  }

  private unblockIfRoom(session: PhoneSession, now: number): void {
    if (session.pushed.awaitedAt(now) > this.options.maxUnackedMessages / 2) return;
    this.full.delete(session);
    this.reachable = null;
    session.host.wake();
  }

  /**
   * At most once a second: full sockets whose awaited acks were outwaited have room
   * again (those acked have it at once, see `acked`).
   */
  private checkFull(): void {
    if (this.full.size === 0 || !this.host) return;
    const now = this.host.clock.now();
    if (now - this.fullCheckedAt < 1000) return;
    this.fullCheckedAt = now;
    for (const session of this.full) this.unblockIfRoom(session, now);
  }

  /** After a push: a socket now awaiting as many acks as it may is left out of claims. */
  private pushedTo(session: PhoneSession): void {
    if (this.full.has(session)) return;
    const awaited = session.pushed.awaitedAt(session.host.clock.now());
    if (awaited < this.options.maxUnackedMessages) return;
    this.full.add(session);
    this.reachable = null;
  }

  /** Stops routing `phones` to `session` (it closed, or its key no longer serves them). */
  private dropPhones(session: PhoneSession, phones: readonly PhoneRecord[]): void {
    for (const phone of phones) {
      if (this.byPhone.get(phone.id) !== session) continue;
      this.byPhone.delete(phone.id);
      this.byOwner.delete(ownerKey(phone.accountId, phone.phoneNumber));
      this.reachable = null;
    }
  }

  /** A newer socket took `phoneId` over; a socket left with no phone is closed. */
  private release(previous: PhoneSession, phoneId: string): void {
    previous.phones = previous.phones.filter((p) => p.id !== phoneId);
    if (previous.phones.length === 0) {
      previous.close(CLOSE_CODES.replaced, 'replaced by a newer connection');
    }
  }

  /**
   * Pushes again what was handed off to the session's phones but never acked (and
   * that the phone does not hold from this socket); resolves to how many were pushed.
   */
  private async pushUnacked(session: PhoneSession, host: TransportHost): Promise<number> {
    let pushed = 0;
    for (const phone of session.phones) {
      try {
        const messages = await host.lookups.handedOff(phone);
        if (messages.length === 0 || this.byPhone.get(phone.id) !== session) continue;
        // A phone that does not read gets them on their expiry retry instead.
        if (!session.hasRoom()) return pushed;
        const fresh = session.pushed.take(messages, host.clock.now());
        pushed += fresh.length;
        this.pushedTo(session);
        await session.push(fresh.map(messageFrame));
      } catch (error) {
        host.logger.warn(
          { err: error, phoneId: phone.id },
          'could not push unacked messages again; they are retried when they expire',
        );
      }
    }
    return pushed;
  }

  private pingAll(): void {
    for (const session of this.sessions) {
      if (!session.alive && !session.backlogged) {
        session.socket.terminate();
        continue;
      }
      session.alive = false;
      if (session.socket.readyState === OPEN) session.socket.ping();
    }
  }

  private readonly onCanceled = (event: GatewayEvent<'message.api.canceled'>): void => {
    const phoneId = this.byOwner.get(ownerKey(event.accountId, event.owner));
    const session = phoneId === undefined ? undefined : this.byPhone.get(phoneId);
    // A courtesy notice: left out for a phone that does not read its socket.
    if (session?.hasRoom()) {
      session.send({ type: 'cancel', message_id: event.data.id, phone_number: event.owner });
    }
  };

  /**
   * The phones with an open socket on this node, and those of them whose socket holds
   * `maxUnackedMessages` unacked pushes (`busy`). Kept until a phone comes or goes or a
   * socket fills or has room again.
   */
  reach(): Reach {
    this.checkFull();
    if (this.reachable) return this.reachable;
    const busy = new Set<string>();
    for (const session of this.full) for (const phone of session.phones) busy.add(phone.id);
    this.reachable = {
      phoneIds: [...this.byPhone.keys()],
      has: (phone) => this.byPhone.get(phone.id)?.socket.readyState === OPEN,
      ...(busy.size > 0 ? { busy } : {}),
    };
    return this.reachable;
  }

  /**
   * Writes one `message` frame per message; resolves once they are all written to
   * the socket (every message handed off), or rejects for the whole batch when the
   * socket is gone, closes or has too much waiting to be sent.
   */
  async notify(
    phone: PhoneRecord,
    messages: readonly MessageRecord[],
  ): Promise<readonly NotifyOutcome[]> {
    const session = this.byPhone.get(phone.id);
    if (!session || session.socket.readyState !== OPEN) throw unreachable(phone);
    const buffered = session.socket.bufferedAmount;
    if (buffered > this.options.maxBufferedBytes) {
      throw new TransportError(
        `the WebSocket of phone [${phone.phoneNumber}] has ${buffered} bytes waiting to be sent (limit ${this.options.maxBufferedBytes}): the phone reads too slowly`,
        { retryable: true, retryAfterMs: 1000 },
      );
    }
    try {
      // A message the phone holds from this socket (its ack unanswered) is not pushed again.
      const frames = session.pushed.take(messages, session.host.clock.now()).map(messageFrame);
      this.pushedTo(session);
      await session.push(frames);
    } catch (error) {
      throw new TransportError(`the WebSocket of phone [${phone.phoneNumber}] closed`, {
        retryable: true,
        cause: error,
      });
    }
    return handedOffAll(messages);
  }

  async requestHeartbeat(phone: PhoneRecord): Promise<void> {
    const session = this.byPhone.get(phone.id);
    if (!session || session.socket.readyState !== OPEN) throw unreachable(phone);
    const frame = encodeFrame({ type: 'heartbeat_request', phone_numbers: [phone.phoneNumber] });
    await session.push([frame]);
  }
}

/** Creates the transport; the gateway starts it with its `TransportHost`. */
export function websocketTransport(options: WebSocketTransportOptions = {}): WebSocketTransport {
  return new WebSocketTransport(options);
}
