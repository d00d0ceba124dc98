/**
 * The phone's end of the socket: connect and say `hello`, correlate requests with
 * their `result`/`error` replies, reconnect with exponential backoff and jitter,
 * and drop a link the server stopped pinging. Queued requests (acks and reports
 * the phone must not lose) wait for the next connection; the others fail while
 * offline; one sent before, whose answer the lost link took, goes again with
 * `resent: true`. The `hello` asks the server to defer its resume (`defer_resume`): after
 * a `welcome` that agrees, the queued requests go first, then `resume`, so the
 * server pushes again only what the phone does not hold.
 */
import type { RetryPolicy } from '@textport/core';
import { retryDelay } from '@textport/core';
import WebSocket from 'ws';
import type {
  CancelFrame,
  ErrorFrame,
  HeartbeatRequestFrame,
  MessageFrame,
  ServerFrame,
  WelcomeFrame,
} from '../protocol.js';
import { PERMANENT_CLOSE_CODES, PROTOCOL_VERSION } from '../protocol.js';

/** The server answered a request with an `error` frame. */
export class PhoneRequestError extends Error {
  override readonly name = 'PhoneRequestError';
  readonly code: string;
  readonly detail: string | undefined;
  readonly fields: Record<string, string[]> | undefined;

  constructor(frame: ErrorFrame) {
    super(frame.message);
    this.code = frame.code;
    this.detail = frame.detail;
    this.fields = frame.fields;
  }
}

/** The request could not be answered: the link is down (or went down meanwhile). */
export class DisconnectedError extends Error {
  override readonly name = 'DisconnectedError';
}

export interface LinkOptions {
  url: string;
  apiKey: string;
  authIn: 'header' | 'hello';
  phoneNumbers: readonly string[] | undefined;
  register: boolean;
  client: string;
  reconnect: RetryPolicy;
  requestTimeoutMs: number;
  random: () => number;
  tls?: PhoneTlsOptions | undefined;
}

/** TLS settings for `wss://` (Node's `ca` replaces the default roots: add them when needed). */
export interface PhoneTlsOptions {
  ca?: string | Buffer | (string | Buffer)[];
  /** The certificate name to check when the URL's host is an address the certificate does not name. */
  servername?: string;
}

export interface DisconnectInfo {
  code: number;
  reason: string;
  willReconnect: boolean;
}

export interface LinkHandlers {
  welcome(frame: WelcomeFrame): void;
  push(frame: MessageFrame | HeartbeatRequestFrame | CancelFrame): void;
  disconnected(info: DisconnectInfo): void;
}

interface Pending {
  body: { type: string } & Record<string, unknown>;
  queued: boolean;
  resolve(data: unknown): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

export class PhoneLink {
  private socket: WebSocket | null = null;
  private ready = false;
  private stopped = false;
  private attempt = 0;
  private seq = 0;
  private helloId = '';
  private lastError = '';
  private readonly pending = new Map<string, Pending>();
  private outbox: Pending[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private liveness: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: LinkOptions,
    private readonly handlers: LinkHandlers,
  ) {}

  get connected(): boolean {
    return this.ready;
  }

  open(): void {
    if (this.stopped || this.socket) return;
    const headers: Record<string, string> =
      this.options.authIn === 'header' ? { 'x-api-key': this.options.apiKey } : {};
    const socket = new WebSocket(this.options.url, {
      headers,
      perMessageDeflate: false,
      handshakeTimeout: 10_000,
      ...this.options.tls,
    });
    this.socket = socket;
    socket.on('open', () => this.hello(socket));
    socket.on('message', (data) => this.receive(data.toString()));
    socket.on('ping', () => this.liveness?.refresh());
    socket.on('error', (error) => {
      this.lastError = error.message;
    });
    socket.on('close', (code, reason) => this.closed(socket, code, reason.toString()));
  }

  /** Closes for good: pending and queued requests fail with DisconnectedError. */
  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    for (const p of [...this.pending.values(), ...this.outbox]) {
      clearTimeout(p.timer);
      p.reject(new DisconnectedError('the phone client was closed'));
    }
    this.pending.clear();
    this.outbox = [];
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close(1000, 'phone client closed');
    });
  }

  /** Drops the current socket now (it reconnects as after any lost link). */
  drop(): void {
    this.socket?.terminate();
  }

  /** Sends a request; `queued` ones wait for a connection instead of failing offline. */
  request<T>(body: { type: string } & Record<string, unknown>, queued = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const p: Pending = { body, queued, resolve: resolve as (d: unknown) => void, reject };
      if (this.ready) this.write(p);
      else if (queued && !this.stopped) this.outbox.push(p);
      else reject(new DisconnectedError('the phone is not connected'));
    });
  }

  private write(p: Pending): void {
    const id = String(++this.seq);
    this.pending.set(id, p);
    p.timer = setTimeout(() => {
      this.pending.delete(id);
      p.reject(new DisconnectedError(`no reply to [${p.body.type}] in time`));
    }, this.options.requestTimeoutMs);
    this.socket?.send(JSON.stringify({ v: PROTOCOL_VERSION, ...p.body, id }));
  }

  private hello(socket: WebSocket): void {
    this.helloId = `hello-${++this.seq}`;
    const { options } = this;
    const hello: Record<string, unknown> = {
      v: PROTOCOL_VERSION,
      type: 'hello',
      id: this.helloId,
      client: options.client,
    };
    if (options.authIn === 'hello') hello.api_key = options.apiKey;
    if (options.phoneNumbers?.length) hello.phone_numbers = options.phoneNumbers;
    if (options.register) hello.register = true;
    hello.defer_resume = true;
    socket.send(JSON.stringify(hello));
  }

  private receive(text: string): void {
    this.liveness?.refresh();
    let frame: ServerFrame;
    try {
      frame = JSON.parse(text) as ServerFrame;
    } catch {
      return;
    }
    switch (frame.type) {
      case 'welcome':
        if (frame.id === this.helloId) this.welcomed(frame);
        return;
      case 'result':
      case 'error':
        this.settle(frame);
        return;
      case 'message':
      case 'heartbeat_request':
      case 'cancel':
        this.handlers.push(frame);
        return;
    }
  }

  private settle(frame: ServerFrame & { type: 'result' | 'error' }): void {
    if (frame.type === 'error' && (frame.id === null || frame.id === this.helloId)) {
      this.lastError = frame.message;
      return;
    }
    const p = frame.id === null ? undefined : this.pending.get(frame.id);
    if (!p || frame.id === null) return;
    this.pending.delete(frame.id);
    clearTimeout(p.timer);
    if (frame.type === 'result') p.resolve(frame.data);
    else p.reject(new PhoneRequestError(frame));
  }

  private welcomed(frame: WelcomeFrame): void {
    this.ready = true;
    this.attempt = 0;
    this.lastError = '';
    clearTimeout(this.liveness);
    this.liveness = setTimeout(() => this.socket?.terminate(), 2 * frame.ping_interval_ms + 1000);
    this.liveness.unref?.();
    const queued = this.outbox;
    this.outbox = [];
    this.handlers.welcome(frame);
    for (const p of queued) this.write(p);
    // Handled after the acks just written: what they took is not pushed again.
    // Offline or refused: the next welcome asks again, and the gateway retries
    // what was not pushed when it expires.
    if (frame.defer_resume === true) this.request({ type: 'resume' }).catch(() => {});
  }

  private closed(socket: WebSocket, code: number, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = null;
    this.ready = false;
    clearTimeout(this.liveness);
    const requeue: Pending[] = [];
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      // Sent, unanswered: the server may have applied it (an ack says so when resent).
      if (p.queued && !this.stopped) requeue.push({ ...p, body: { ...p.body, resent: true } });
      else p.reject(new DisconnectedError('the connection closed before the reply'));
    }
    this.pending.clear();
    this.outbox = [...requeue, ...this.outbox];
    const permanent = PERMANENT_CLOSE_CODES.has(code);
    const willReconnect = !this.stopped && !permanent;
    this.handlers.disconnected({ code, reason: reason || this.lastError, willReconnect });
    if (permanent && !this.stopped) void this.close();
    if (!willReconnect) return;
    const delay = retryDelay(++this.attempt, this.options.reconnect, this.options.random());
    this.retryTimer = setTimeout(() => this.open(), delay);
  }
}
