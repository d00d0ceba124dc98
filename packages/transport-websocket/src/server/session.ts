/**
 * One phone socket on the server: authentication (`x-api-key` header or `hello`),
 * the phones it serves, and its requests, handled one at a time in arrival order
 * (so SENT is applied before the DELIVERED that follows it). Each request gets a
 * `result` or an `error` frame with the request's `id`.
 */
import type { PhoneEventName, PhoneRecord, Principal } from '@textport/core';
import { toGatewayError, toWireHeartbeat, toWireMessage } from '@textport/core';
import type { RawData, WebSocket } from 'ws';
import type {
  HelloFrame,
  PhoneFrame,
  ResultData,
  ServerFrameBody,
  WelcomeFrame,
} from '../protocol.js';
import { CLOSE_CODES, encodeFrame, FrameError, parsePhoneFrame } from '../protocol.js';
import type { PhoneGateway, ResolvedOptions } from './options.js';
import { registerNumbers, servedPhones } from './phones.js';

const OPEN = 1;
/** Close code for a server-side failure (the phone reconnects later). */
const INTERNAL_ERROR = 1011;

export interface SessionHost {
  readonly gateway: PhoneGateway;
  readonly options: ResolvedOptions;
  /** The socket authenticated: route its phones to it. */
  attach(session: PhoneSession): void;
  /** The socket closed. */
  detach(session: PhoneSession): void;
}

/** A close reason fits in 123 bytes of UTF-8. */
function reasonText(text: string): string {
  let out = text;
  while (Buffer.byteLength(out) > 123) out = out.slice(0, -1);
  return out;
}

export class PhoneSession {
  principal: Principal | null = null;
  phones: readonly PhoneRecord[] = [];
  /** Cleared by each ping, set by any pong or frame. */
  alive = true;
  private key: string | undefined;
  private keyCheck: Promise<Principal | null> | undefined;
  private helloSeen = false;
  private queue: PhoneFrame[] = [];
  private draining = false;
  private paused = false;
  private closing = false;
  private authTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly socket: WebSocket,
    private readonly host: SessionHost,
    headerKey: string | undefined,
  ) {
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    socket.on('pong', () => {
      this.alive = true;
    });
    socket.on('close', () => this.closed());
    socket.on('error', (error) =>
      host.gateway.config.logger.debug({ err: error }, 'phone socket error'),
    );
    this.authTimer = setTimeout(
      () => this.close(CLOSE_CODES.unauthorized, 'no hello in time'),
      host.options.authTimeoutMs,
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

  /** Writes a frame if the socket is open. */
  send(frame: ServerFrameBody): void {
    if (this.socket.readyState === OPEN) this.socket.send(encodeFrame(frame));
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
      for (const frame of frames) this.socket.send(frame, written);
    });
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.authTimer);
    this.socket.close(code, reasonText(reason));
  }

  private closed(): void {
    this.closing = true;
    clearTimeout(this.authTimer);
    this.queue = [];
    this.host.detach(this);
  }

  private authenticate(key: string): Promise<Principal | null> {
    return this.host.gateway.accounts.authenticate(key).catch((error: unknown) => {
      this.host.gateway.config.logger.error({ err: error }, 'phone authentication failed');
      this.close(INTERNAL_ERROR, 'authentication is unavailable; retry later');
      return null;
    });
  }

  /** An `error` frame, then the close. */
  private reject(id: string | null, code: number, message: string, errorCode = 'unauthorized') {
    this.send({ type: 'error', id, code: errorCode, message });
    this.close(code, message);
  }

  private receive(data: RawData, isBinary: boolean): void {
    this.alive = true;
    if (this.closing) return;
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
    this.queue.push(frame);
    if (!this.paused && this.queue.length >= this.host.options.maxQueuedRequests) {
      this.paused = true;
      this.socket.pause();
    }
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    for (let frame = this.queue.shift(); frame; frame = this.queue.shift()) {
      if (this.paused && this.queue.length < this.host.options.maxQueuedRequests / 2) {
        this.paused = false;
        this.socket.resume();
      }
      await this.handle(frame);
    }
    this.draining = false;
  }

  private async handle(frame: PhoneFrame): Promise<void> {
    if (this.closing) return;
    try {
      if (frame.type === 'hello') {
        await this.hello(frame);
        return;
      }
      if (!this.principal) {
        this.reject(frame.id, CLOSE_CODES.unauthorized, 'the hello of this socket failed');
        return;
      }
      const data = await this.request(frame, this.principal);
      this.send({ type: 'result', id: frame.id, data });
    } catch (error) {
      const e = toGatewayError(error);
      const internal = e.code === 'internal' || e.code === 'store';
      if (internal) {
        this.host.gateway.config.logger.error(
          { err: error, frame: frame.type },
          'phone request failed',
        );
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
    }
  }

  private welcome(id: string): Omit<WelcomeFrame, 'v'> {
    const { options } = this.host;
    return {
      type: 'welcome',
      id,
      account_id: this.principal?.accountId ?? '',
      phones: this.phones.map((p) => ({ id: p.id, phone_number: p.phoneNumber, sim: p.sim })),
      ping_interval_ms: options.pingIntervalMs,
      heartbeat_interval_ms: options.heartbeatIntervalMs,
      max_payload: options.maxPayload,
    };
  }

  private async hello(frame: HelloFrame): Promise<void> {
    if (this.principal) {
      this.send(this.welcome(frame.id));
      return;
    }
    const { gateway } = this.host;
    const key = this.key ?? frame.api_key;
    if (key === undefined) {
      const hint = 'no API key: send it in the x-api-key header or in hello.api_key';
      this.reject(frame.id, CLOSE_CODES.unauthorized, hint);
      return;
    }
    let principal = await (this.keyCheck ?? this.authenticate(key));
    if (!principal) {
      if (!this.closing) this.reject(frame.id, CLOSE_CODES.unauthorized, 'unknown API key');
      return;
    }
    try {
      const numbers = frame.phone_numbers;
      if (
        frame.register &&
        numbers?.length &&
        (await registerNumbers(gateway, principal, numbers))
      ) {
        principal = (await gateway.accounts.authenticate(key)) ?? principal;
      }
      this.phones = await servedPhones(gateway, principal, numbers);
    } catch (error) {
      const e = toGatewayError(error);
      if (e.code === 'internal' || e.code === 'store') throw error;
      this.reject(frame.id, CLOSE_CODES.forbidden, e.message, e.code);
      return;
    }
    if (this.closing) return;
    this.principal = principal;
    this.key = undefined;
    this.keyCheck = undefined;
    clearTimeout(this.authTimer);
    this.send(this.welcome(frame.id));
    this.host.attach(this);
  }

  private async request(
    frame: Exclude<PhoneFrame, HelloFrame>,
    principal: Principal,
  ): Promise<ResultData[keyof ResultData]> {
    const api = this.host.gateway.phoneApi;
    switch (frame.type) {
      case 'ack':
        return { message: toWireMessage(await api.takeOutstanding(principal, frame.message_id)) };
      case 'event': {
        const result = await api.reportEvent(principal, frame.message_id, {
          event: frame.event as PhoneEventName,
          timestamp: frame.timestamp ?? null,
          reason: frame.reason ?? null,
        });
        return {
          outcome: result.outcome,
          status: result.message?.status ?? null,
          ...(result.outcome === 'ignored' ? { reason: result.reason } : {}),
        };
      }
      case 'received': {
        const message = await api.receive(principal, {
          from: frame.from,
          to: frame.to,
          content: frame.content ?? null,
          encrypted: frame.encrypted === true,
          sim: frame.sim ?? null,
          timestamp: frame.timestamp ?? null,
          attachments: frame.attachments?.map((a) => ({
            name: a.name,
            contentType: a.content_type,
            data: a.content,
          })),
        });
        return { message: toWireMessage(message) };
      }
      case 'missed_call': {
        const message = await api.missedCall(principal, {
          from: frame.from,
          to: frame.to,
          sim: frame.sim ?? null,
          timestamp: frame.timestamp ?? null,
        });
        return { message: toWireMessage(message) };
      }
      case 'heartbeat': {
        const numbers = frame.phone_numbers?.length
          ? frame.phone_numbers
          : this.phones.map((p) => p.phoneNumber);
        const beats = [];
        for (let i = 0; i < numbers.length; i += 2) {
          const input = {
            phoneNumbers: numbers.slice(i, i + 2),
            charging: frame.charging === true,
            version: frame.version ?? null,
          };
          beats.push(...(await api.heartbeat(principal, input)));
        }
        return { heartbeats: beats.map(toWireHeartbeat) };
      }
    }
  }
}
