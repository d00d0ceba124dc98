/**
 * The WebSocket transport: phones hold a socket to this node, due messages are
 * pushed to them as `message` frames, and their acks, events, incoming SMS and
 * heartbeats go to the gateway's phone API. A phone is reachable from the node
 * holding its socket; several nodes share work through the store and its notifier,
 * which also tells every node when a key was revoked (see `key-check.ts`).
 *
 *   const ws = websocketTransport({ server, path: '/v1/phones/ws' });
 *   const gateway = createGateway({ store, transports: [ws] });
 *   ws.bind(gateway);
 *   await gateway.start();
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GatewayEvent, MessageRecord, PhoneRecord } from '@textport/core';
import { GatewayError, toWireMessage } from '@textport/core';
import type { Transport, TransportHost } from '@textport/core/transport';
import { TransportError } from '@textport/core/transport';
import type { WebSocket } from 'ws';
import { WebSocketServer } from 'ws';
import { CLOSE_CODES, encodeFrame } from '../protocol.js';
import { KeyCheck } from './key-check.js';
import type { PhoneGateway, ResolvedOptions, WebSocketTransportOptions } from './options.js';
import { resolveOptions } from './options.js';
import { unackedMessages } from './phones.js';
import type { SessionHost } from './session.js';
import { PhoneSession } from './session.js';

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
  private bound: PhoneGateway | undefined;
  private host: TransportHost | undefined;
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<PhoneSession>();
  private readonly byPhone = new Map<string, PhoneSession>();
  private readonly byOwner = new Map<string, string>();
  private reachable: string[] | null = null;
  private pingTimer: NodeJS.Timeout | undefined;
  private keyTimer: NodeJS.Timeout | undefined;
  private unsubscribeKeys: (() => void) | undefined;
  private readonly keys: KeyCheck;

  constructor(options: WebSocketTransportOptions = {}) {
    this.options = resolveOptions(options);
    const transport = this;
    this.keys = new KeyCheck({
      get gateway() {
        return transport.gateway;
      },
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

  /** Gives the transport the gateway that authenticates phones and applies their reports. */
  bind(gateway: PhoneGateway): this {
    this.bound = gateway;
    return this;
  }

  get gateway(): PhoneGateway {
    if (!this.bound) {
      throw new GatewayError(
        'config',
        'the WebSocket transport has no gateway: call transport.bind(gateway) after createGateway({ transports: [transport] })',
      );
    }
    return this.bound;
  }

  /** Open sockets (authenticated or not), phones reachable through them, bytes waiting to be sent. */
  stats(): { sockets: number; phones: number; bufferedBytes: number } {
    let bufferedBytes = 0;
    for (const session of this.sessions) bufferedBytes += session.socket.bufferedAmount;
    return { sockets: this.sessions.size, phones: this.byPhone.size, bufferedBytes };
  }

  get keyEpoch(): number {
    return this.keys.epoch;
  }

  async start(host: TransportHost): Promise<void> {
    if (this.host) return;
    const gateway = this.gateway;
    this.host = host;
    this.options.server?.on('upgrade', this.onUpgrade);
    gateway.on('message.api.canceled', this.onCanceled);
    this.unsubscribeKeys = gateway.config.notifier.subscribe('keys', () => this.keys.checkAll());
    this.pingTimer = setInterval(() => this.pingAll(), this.options.pingIntervalMs);
    this.pingTimer.unref?.();
    this.keyTimer = setInterval(() => this.keys.checkAll(), this.options.keyCheckIntervalMs);
    this.keyTimer.unref?.();
  }

  /** Closes every socket (1001, going away) and stops taking upgrades. */
  async stop(): Promise<void> {
    if (!this.host) return;
    this.host = undefined;
    this.options.server?.off('upgrade', this.onUpgrade);
    this.bound?.off('message.api.canceled', this.onCanceled);
    this.unsubscribeKeys?.();
    this.unsubscribeKeys = undefined;
    clearInterval(this.pingTimer);
    clearInterval(this.keyTimer);
    for (const session of this.sessions) session.close(CLOSE_CODES.goingAway, 'server stopping');
    for (let waited = 0; this.sessions.size > 0 && waited < 2000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const session of this.sessions) session.socket.terminate();
  }

  /** Takes over one upgrade request (for hosts that route upgrades themselves). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!this.host) {
      socket.end(
        'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req));
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (pathOf(req.url) === this.options.path) {
      this.handleUpgrade(req, socket, head);
    } else if (this.options.server?.listenerCount('upgrade') === 1) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
  };

  private accept(ws: WebSocket, req: IncomingMessage): void {
    if (!this.host) {
      ws.close(CLOSE_CODES.goingAway, 'server stopping');
      return;
    }
    const header = req.headers['x-api-key'];
    const key = Array.isArray(header) ? header[0] : header;
    this.sessions.add(new PhoneSession(ws, this, key || undefined));
  }

  attach(session: PhoneSession): void {
    for (const phone of session.phones) {
      const previous = this.byPhone.get(phone.id);
      this.byPhone.set(phone.id, session);
      this.byOwner.set(ownerKey(phone.accountId, phone.phoneNumber), phone.id);
      if (previous && previous !== session) this.release(previous, phone.id);
    }
    this.reachable = null;
    void this.connected(session);
  }

  /**
   * A phone connected: wake the dispatcher when the phone has due (or future) work,
   * so its backlog goes out at once; then push again what it never acked. Phones
   * with nothing waiting cost no dispatch round, which keeps mass reconnects cheap.
   */
  private async connected(session: PhoneSession): Promise<void> {
    const ids = session.phones.map((p) => p.id);
    try {
      if ((await this.gateway.store.nextDueAt(ids)) !== null) this.host?.wake();
    } catch {
      this.host?.wake();
    }
    await this.resume(session);
  }

  detach(session: PhoneSession): void {
    this.sessions.delete(session);
    this.dropPhones(session, session.phones);
  }

  recheck(session: PhoneSession): void {
    this.keys.checkOne(session);
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

  /** Pushes again what was handed off to the session's phones but never acked. */
  private async resume(session: PhoneSession): Promise<void> {
    for (const phone of session.phones) {
      try {
        const messages = await unackedMessages(this.gateway, phone);
        if (messages.length === 0 || this.byPhone.get(phone.id) !== session) continue;
        // A phone that does not read gets them on their expiry retry instead.
        if (!session.hasRoom()) return;
        await session.push(messages.map(messageFrame));
      } catch (error) {
        this.gateway.config.logger.warn(
          { err: error, phoneId: phone.id },
          'could not push unacked messages again; they are retried when they expire',
        );
      }
    }
  }

  private pingAll(): void {
    for (const session of this.sessions) {
      if (!session.alive) {
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

  reachablePhones(): readonly string[] {
    this.reachable ??= [...this.byPhone.keys()];
    return this.reachable;
  }

  canReach(phone: PhoneRecord): boolean {
    return this.byPhone.get(phone.id)?.socket.readyState === OPEN;
  }

  /** Writes one `message` frame per message; resolves once they are written to the socket. */
  async notify(phone: PhoneRecord, messages: readonly MessageRecord[]): Promise<void> {
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
      await session.push(messages.map(messageFrame));
    } catch (error) {
      throw new TransportError(`the WebSocket of phone [${phone.phoneNumber}] closed`, {
        retryable: true,
        cause: error,
      });
    }
  }

  async requestHeartbeat(phone: PhoneRecord): Promise<void> {
    const session = this.byPhone.get(phone.id);
    if (!session || session.socket.readyState !== OPEN) throw unreachable(phone);
    const frame = encodeFrame({ type: 'heartbeat_request', phone_numbers: [phone.phoneNumber] });
    await session.push([frame]);
  }

  /** Tells the phone a message was canceled (the server also does so on `message.api.canceled`). */
  async cancel(phone: PhoneRecord, message: MessageRecord): Promise<void> {
    const session = this.byPhone.get(phone.id);
    if (session?.hasRoom()) {
      session.send({ type: 'cancel', message_id: message.id, phone_number: phone.phoneNumber });
    }
  }
}

/** Creates the transport; call `bind(gateway)` once the gateway exists. */
export function websocketTransport(options: WebSocketTransportOptions = {}): WebSocketTransport {
  return new WebSocketTransport(options);
}
