/**
 * One phone socket on the server: authentication (`x-api-key` header or `hello`),
 * the phones it serves, and its requests, handled one at a time in arrival order
 * (so SENT is applied before the DELIVERED that follows it). Each request gets a
 * `result` or an `error` frame with the request's `id`.
 *
 * What a socket may cost is bounded: until `welcome` a frame may be at most
 * `maxPreAuthPayload` bytes (larger closes with 1009 before it is parsed); reading
 * pauses while `maxQueuedRequests` requests or `maxPayload` bytes wait in the queue;
 * and while more than `maxBufferedBytes` wait in the send buffer, no request is
 * answered (so none is read once the queue fills) until the phone has read them.
 * Authentication, the phone API and the phone lookups are the `TransportHost`'s.
 * The key is kept so the transport can check it again: a revoked key closes the
 * socket with 4401 (`revoke`), a key that lost numbers stops serving them (`rescope`).
 */
import type { PhoneRecord, Principal } from '@textport/core';
import { GatewayError, isServerFault, toGatewayError } from '@textport/core';
import type { TransportHost } from '@textport/core/transport';
import type { RawData, WebSocket } from 'ws';
import type { HelloFrame, PhoneFrame, ServerFrameBody } from '../protocol.js';
import { CLOSE_CODES, encodeFrame, FrameError, parsePhoneFrame } from '../protocol.js';
import type { ResolvedOptions } from './options.js';
import { assertPhoneNumbers, registerNumbers, servedPhones, welcomeFrame } from './phones.js';
import { PushedLog } from './pushed.js';
import { handleRequest } from './requests.js';
import { byteLength, reasonText, setFrameLimit } from './socket.js';

const OPEN = 1;
/** Close code for a server-side failure (the phone reconnects later). */
const INTERNAL_ERROR = 1011;
/** Times a hello resolves its key while key checks keep going by, before it gives up (1011). */
const HELLO_KEY_ROUNDS = 3;

/** The transport a session belongs to. */
export interface SessionHost {
  readonly options: ResolvedOptions;
  /** Counts the key checks started so far (one per revocation heard, and per safety poll). */
  readonly keyEpoch: number;
  /** The socket authenticated: route its phones to it. */
  attach(session: PhoneSession): void;
  /** The socket closed. */
  detach(session: PhoneSession): void;
  /** Pushes again what the session's phones were handed and did not ack; resolves to how many. */
  resume(session: PhoneSession): Promise<number>;
  /** An ack of the session's was answered (flow control: a full socket may have room again). */
  acked(session: PhoneSession): void;
}

interface Queued {
  frame: PhoneFrame;
  bytes: number;
}

export class PhoneSession {
  principal: Principal | null = null;
  phones: readonly PhoneRecord[] = [];
  /** Cleared by each ping, set by any pong or frame. */
  alive = true;
  /** The phone said `defer_resume`: it acks what it holds, then sends `resume`. */
  deferResume = false;
  /** The messages pushed on this socket whose ack is not answered yet. */
  readonly pushed = new PushedLog();
  private key: string | undefined;
  private keyCheck: Promise<Principal | null> | undefined;
  /** `owner.keyEpoch` when the key was last resolved. */
  private authEpoch = 0;
  private helloSeen = false;
  private queue: Queued[] = [];
  private queuedBytes = 0;
  private draining = false;
  private paused = false;
  /** The drain waits for the phone to read its send buffer. */
  private awaitingRoom = false;
  private closing = false;
  /** Why the key was revoked; the socket closes once the request in hand is answered. */
  private revoked: string | undefined;
  private busy = false;
  private authTimer: NodeJS.Timeout | undefined;
  /** Frames handed to `ws` whose write has not completed. */
  private unflushed = 0;
  private flushed: (() => void) | undefined;

  /**
   * @param owner the transport that accepted the socket
   * @param host the `TransportHost` it was started with: authentication, the phone API, lookups
   */
  constructor(
    readonly socket: WebSocket,
    private readonly owner: SessionHost,
    readonly host: TransportHost,
    headerKey: string | undefined,
  ) {
    setFrameLimit(socket, owner.options.maxPreAuthPayload);
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    socket.on('pong', () => {
      this.alive = true;
    });
    socket.on('close', () => this.closed());
    socket.on('error', (error) => host.logger.debug({ err: error }, 'phone socket error'));
    this.authTimer = setTimeout(
      () => this.close(CLOSE_CODES.unauthorized, 'no hello in time'),
      owner.options.authTimeoutMs,
    );
    this.authTimer.unref?.();
    if (headerKey !== undefined) {
      this.key = headerKey;
      this.keyCheck = this.authenticate(headerKey);
      void this.keyCheck.then((principal) => {
        if (!principal) this.reject(null, CLOSE_CODES.unauthorized, 'unknown API key');
      });
    }
  }

  /** The key the socket authenticated with (once it has). */
  get apiKey(): string | undefined {
    return this.principal ? this.key : undefined;
  }

  /**
   * Reading is paused for the requests waiting on the server, not for a phone that
   * does not read: its answers to pings wait unread, so it is not judged dead meanwhile.
   */
  get backlogged(): boolean {
    return this.paused && !this.awaitingRoom && !this.closing;
  }

  /** Whether the send buffer is within `maxBufferedBytes`. */
  hasRoom(): boolean {
    return this.socket.bufferedAmount <= this.owner.options.maxBufferedBytes;
  }

  /** Writes a frame if the socket is open. */
  send(frame: ServerFrameBody): void {
    if (this.socket.readyState === OPEN) this.write(encodeFrame(frame));
  }

  /** Writes encoded frames; resolves once all are written to the socket. */
  push(frames: readonly string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      let left = frames.length;
      if (left === 0) return resolve();
      let failed = false;
      const written = (error?: Error) => {
        if (failed) return;
        if (error) {
          failed = true;
          reject(error);
        } else if (--left === 0) resolve();
      };
      for (const frame of frames) this.write(frame, written);
    });
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.authTimer);
    this.socket.close(code, reasonText(reason));
  }

  /**
   * The key is gone: no further request is read or handled; the one in hand (if
   * any) is answered, then an `error` frame and the close (4401).
   */
  revoke(message: string): void {
    if (this.closing || this.revoked !== undefined) return;
    this.revoked = message;
    this.queue = [];
    this.queuedBytes = 0;
    if (!this.busy) this.reject(null, CLOSE_CODES.unauthorized, message);
  }

  /** Takes the key's current scope; returns the phones it no longer serves (dropped). */
  rescope(principal: Principal): PhoneRecord[] {
    this.principal = principal;
    const allowed = principal.phoneNumbers;
    if (allowed === null) return [];
    const dropped = this.phones.filter((p) => !allowed.includes(p.phoneNumber));
    this.phones = this.phones.filter((p) => allowed.includes(p.phoneNumber));
    return dropped;
  }

  private write(data: string, done?: (error?: Error) => void): void {
    this.unflushed++;
    this.socket.send(data, (error) => {
      if (--this.unflushed === 0) this.wakeWriter();
      done?.(error);
    });
  }

  private wakeWriter(): void {
    const flushed = this.flushed;
    this.flushed = undefined;
    flushed?.();
  }

  /** Waits while the send buffer is over `maxBufferedBytes`, until it is written out. */
  private async room(): Promise<void> {
    while (!this.closing && this.unflushed > 0 && !this.hasRoom()) {
      this.awaitingRoom = true;
      await new Promise<void>((resolve) => {
        this.flushed = resolve;
      });
    }
    this.awaitingRoom = false;
  }

  private closed(): void {
    this.closing = true;
    clearTimeout(this.authTimer);
    this.queue = [];
    this.queuedBytes = 0;
    this.wakeWriter();
    this.owner.detach(this);
  }

  private authenticate(key: string): Promise<Principal | null> {
    this.authEpoch = this.owner.keyEpoch;
    return this.host.authenticate(key).catch((error: unknown) => {
      this.host.logger.error({ err: error }, 'phone authentication failed');
      this.close(INTERNAL_ERROR, 'authentication is unavailable; retry later');
      return null;
    });
  }

  /** An `error` frame, then the close. */
  private reject(
    id: string | null,
    code: number,
    message: string,
    errorCode = 'unauthorized',
    fields?: Record<string, string[]>,
  ) {
    if (this.closing) return;
    this.send({ type: 'error', id, code: errorCode, message, ...(fields ? { fields } : {}) });
    this.close(code, message);
  }

  private receive(data: RawData, isBinary: boolean): void {
    this.alive = true;
    if (this.closing || this.revoked !== undefined) return;
    const bytes = byteLength(data);
    if (!this.principal && bytes > this.owner.options.maxPreAuthPayload) {
      this.close(CLOSE_CODES.tooBig, 'frame too big before welcome');
      return;
    }
    if (isBinary) {
      this.reject(
        null,
        CLOSE_CODES.badFrame,
        'binary frames are not part of the protocol',
        'bad_request',
      );
      return;
    }
    let frame: PhoneFrame;
    try {
      frame = parsePhoneFrame(data.toString());
    } catch (error) {
      const text = error instanceof FrameError ? error.message : 'malformed frame';
      this.reject(null, CLOSE_CODES.badFrame, text, 'bad_request');
      return;
    }
    if (frame.type === 'hello') this.helloSeen = true;
    else if (!this.helloSeen) {
      this.reject(frame.id, CLOSE_CODES.unauthorized, 'send hello first');
      return;
    }
    this.queue.push({ frame, bytes });
    this.queuedBytes += bytes;
    this.pauseWhenFull();
    if (!this.draining) void this.drain();
  }

  /** Reading pauses while the queue is full (in requests or bytes) and resumes at half. */
  private pauseWhenFull(): void {
    const { maxQueuedRequests, maxPayload } = this.owner.options;
    const count = this.queue.length;
    if (!this.paused && (count >= maxQueuedRequests || this.queuedBytes >= maxPayload)) {
      this.paused = true;
      this.socket.pause();
    } else if (this.paused && count < maxQueuedRequests / 2 && this.queuedBytes < maxPayload / 2) {
      this.paused = false;
      // The phone could not answer a ping while the server did not read it.
      this.alive = true;
      this.socket.resume();
    }
  }

  private async drain(): Promise<void> {
    this.draining = true;
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      this.queuedBytes -= next.bytes;
      await this.room();
      this.pauseWhenFull();
      this.busy = true;
      await this.handle(next.frame);
      this.busy = false;
      if (this.revoked !== undefined) this.reject(null, CLOSE_CODES.unauthorized, this.revoked);
    }
    this.draining = false;
  }

  private async handle(frame: PhoneFrame): Promise<void> {
    if (this.closing || this.revoked !== undefined) return;
    try {
      if (frame.type === 'hello') {
        await this.hello(frame);
        return;
      }
      if (!this.principal) {
        this.reject(frame.id, CLOSE_CODES.unauthorized, 'the hello of this socket failed');
        return;
      }
      const data =
        frame.type === 'resume'
          ? { pushed: await this.owner.resume(this) }
          : await handleRequest(this.host, this.principal, this.phones, frame);
      this.send({ type: 'result', id: frame.id, data });
    } catch (error) {
      const e = toGatewayError(error);
      const internal = isServerFault(e);
      if (internal) {
        this.host.logger.error({ err: error, frame: frame.type }, 'phone request failed');
      }
      this.send({
        type: 'error',
        id: frame.id,
        code: e.code,
        message: internal ? 'internal error; retry later' : e.message,
        ...(e.detail === undefined ? {} : { detail: e.detail }),
        ...(e.fields === undefined ? {} : { fields: e.fields }),
      });
      if (frame.type === 'hello') this.close(INTERNAL_ERROR, 'hello failed; retry later');
    } finally {
      if (frame.type === 'ack') this.acked(frame.message_id);
    }
  }

  /** An ack was answered (taken or refused): the phone no longer holds it from this socket. */
  private acked(messageId: string): void {
    this.pushed.forget(messageId);
    this.owner.acked(this);
  }

  private async hello(frame: HelloFrame): Promise<void> {
    if (this.principal) {
      this.send(welcomeFrame(frame.id, this, this.owner.options));
      return;
    }
    const { host } = this;
    const key = this.key ?? frame.api_key;
    if (key === undefined) {
      const hint = 'no API key: send it in the x-api-key header or in hello.api_key';
      this.reject(frame.id, CLOSE_CODES.unauthorized, hint);
      return;
    }
    let principal = await (this.keyCheck ?? this.authenticate(key));
    try {
      const numbers = frame.phone_numbers;
      if (principal) assertPhoneNumbers(numbers);
      if (principal && frame.register && numbers?.length) {
        if (await registerNumbers(host, principal, numbers))
          principal = await this.authenticate(key);
      }
      // A key check went by while this hello waited: resolve the key again before the
      // welcome, so a key revoked meanwhile gets none and nothing is pushed to it.
      for (let round = 1; principal; round++) {
        this.phones = await servedPhones(host, principal, numbers);
        if (this.authEpoch === this.owner.keyEpoch) break;
        if (round === HELLO_KEY_ROUNDS) {
          throw new GatewayError('unavailable', 'API keys kept changing during hello');
        }
        principal = await this.authenticate(key);
      }
    } catch (error) {
      const e = toGatewayError(error);
      if (isServerFault(e)) throw error;
      this.reject(frame.id, CLOSE_CODES.forbidden, e.message, e.code, e.fields);
      return;
    }
    if (!principal) {
      if (!this.closing) this.reject(frame.id, CLOSE_CODES.unauthorized, 'unknown API key');
      return;
    }
    if (this.closing) return;
    this.principal = principal;
    this.key = key;
    this.keyCheck = undefined;
    this.deferResume = frame.defer_resume === true;
    clearTimeout(this.authTimer);
    setFrameLimit(this.socket, this.owner.options.maxPayload);
    this.send(welcomeFrame(frame.id, this, this.owner.options));
    this.owner.attach(this);
  }
}
