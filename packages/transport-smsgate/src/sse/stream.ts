/**
 * One server-sent event stream to the app (§3): frames in SMSGate's exact bytes, a
 * keep-alive comment, and a bound on what may wait in the socket's buffer. Events
 * are content-free nudges (the pull is the delivery), so a stream that does not
 * read loses events rather than holding memory.
 */
import type { ServerResponse } from 'node:http';
import type { SmsGateEventName } from '../wire.js';

/** `event: <Name>\ndata: <compact JSON, or null>\n\n`: no `id:` or `retry:` lines. */
export function encodeEvent(name: SmsGateEventName, data?: Record<string, string> | null): string {
  return `event: ${name}\ndata: ${data ? JSON.stringify(data) : 'null'}\n\n`;
}

/** The keep-alive comment upstream sends every 15 s. */
export const KEEPALIVE_FRAME = ':keepalive\n\n';

/** The response headers of `GET /events`. */
export const STREAM_HEADERS = Object.freeze({
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
});

export interface EventStreamOptions {
  keepAliveMs: number;
  /** Bytes that may wait in the socket's buffer; beyond, frames are dropped. */
  maxBufferedBytes: number;
  /** Called once when the stream ends, whoever ended it. */
  onClose(stream: EventStream): void;
}

export class EventStream {
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  /** Frames dropped because the app did not read. */
  dropped = 0;

  constructor(
    readonly deviceId: string,
    readonly res: ServerResponse,
    private readonly options: EventStreamOptions,
  ) {
    res.writeHead(200, STREAM_HEADERS);
    res.flushHeaders();
    this.timer = setInterval(() => this.write(KEEPALIVE_FRAME), options.keepAliveMs);
    this.timer.unref?.();
    res.on('close', () => this.ended());
    res.on('error', () => this.ended());
    // The app hung up while the stream was being set up: end it on the next turn.
    if (res.destroyed) queueMicrotask(() => this.ended());
  }

  get open(): boolean {
    return !this.closed && !this.res.destroyed && this.res.writable;
  }

  /** Writes a frame; false when it was dropped (closed, or too much waiting to be sent). */
  write(frame: string): boolean {
    if (!this.open) return false;
    if (this.res.writableLength > this.options.maxBufferedBytes) {
      this.dropped++;
      return false;
    }
    this.res.write(frame);
    return true;
  }

  send(name: SmsGateEventName, data?: Record<string, string> | null): boolean {
    return this.write(encodeEvent(name, data));
  }

  /** Ends the stream (the app reconnects after its delay). */
  close(): void {
    if (!this.closed) this.res.end();
    this.ended();
  }

  private ended(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.options.onClose(this);
  }
}
