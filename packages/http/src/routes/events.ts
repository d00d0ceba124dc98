/**
 * `GET /v1/events`: the account's gateway events as server-sent events, for the dashboard and
 * any client that wants statuses as they change without a webhook. Authenticated like every
 * user route (the `x-api-key` header; read it with fetch streaming, since EventSource cannot
 * send headers), and bounded: a few streams per account (429 beyond), a heartbeat comment that
 * also re-checks the key, a cap on what may wait unread (the stream ends; the client
 * reconnects), and an end as soon as the key is revoked.
 */
import { Readable } from 'node:stream';
import type { AnyGatewayEvent, Gateway, GatewayEventType, Principal } from '@textport/core';
import type { Authenticator } from '../auth.js';
import { failure } from '../envelope.js';
import { defineRoute, type Route } from '../route.js';
import type { HttpRequest } from '../types.js';

export interface EventStreamOptions {
  /** Open streams one account may hold (default 5); one more is answered 429. */
  maxStreamsPerAccount?: number;
  /** Between heartbeat comments, which also re-check the key, in ms (default 15000). */
  heartbeatMs?: number;
  /** Bytes that may wait unread before the stream is ended (default 1 MiB). */
  maxBufferedBytes?: number;
}

/** Every gateway event type: the compiler says when one is added and not listed here. */
const STREAMED: Record<GatewayEventType, true> = {
  'message.api.sent': true,
  'message.api.canceled': true,
  'message.api.deleted': true,
  'message.phone.sending': true,
  'message.phone.sent': true,
  'message.phone.delivered': true,
  'message.send.failed': true,
  'message.send.expired': true,
  'message.phone.received': true,
  'message.call.missed': true,
  'message-thread.api.deleted': true,
  'phone.updated': true,
  'phone.deleted': true,
  'phone.heartbeat.missed': true,
  'phone.heartbeat.offline': true,
  'phone.heartbeat.online': true,
  'webhook.send.failed': true,
  'discord.send.failed': true,
  'contact.opted_out': true,
  'contact.opted_in': true,
  'message.rerouted': true,
};
const EVENT_TYPES = Object.keys(STREAMED) as GatewayEventType[];

const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
};

/** One frame: the event's id and type, and its JSON (id, type, time, owner, data). */
export function eventFrame(event: AnyGatewayEvent): string {
  const json = JSON.stringify({
    id: event.id,
    type: event.type,
    time: new Date(event.time).toISOString(),
    owner: event.owner,
    data: event.data,
  });
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${json}\n\n`;
}

export function eventRoutes(auth: Authenticator, options: EventStreamOptions = {}): Route[] {
  const maxStreams = options.maxStreamsPerAccount ?? 5;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const open = new Map<string, number>();

  function openStream(gateway: Gateway, principal: Principal, request: HttpRequest): Readable {
    const accountId = principal.accountId;
    open.set(accountId, (open.get(accountId) ?? 0) + 1);
    let ended = false;
    const listener = (event: AnyGatewayEvent) => {
      if (event.accountId === accountId) push(eventFrame(event));
    };
    const recheck = () => {
      auth.principalOf(request, 'user').then(
        (now) => {
          if (now?.accountId !== accountId) end();
        },
        () => end(),
      );
    };
    const timer = setInterval(() => {
      push(':\n\n');
      recheck();
    }, heartbeatMs);
    timer.unref?.();
    const stopWatching = auth.onForget((id) => {
      if (id === null || id === accountId) recheck();
    });
    const cleanup = () => {
      if (ended) return;
      ended = true;
      clearInterval(timer);
      stopWatching();
      for (const type of EVENT_TYPES) gateway.off(type, listener as never);
      const left = (open.get(accountId) ?? 1) - 1;
      if (left > 0) open.set(accountId, left);
      else open.delete(accountId);
    };
    const stream = new Readable({
      read() {},
      destroy(error, callback) {
        cleanup();
        callback(error);
      },
    });
    function push(frame: string) {
      if (ended) return;
      // A client that does not read loses its stream, not the server's memory.
      if (stream.readableLength > maxBuffered) return end();
      stream.push(frame);
    }
    function end() {
      if (ended) return;
      cleanup();
      stream.push(null);
    }
    for (const type of EVENT_TYPES) gateway.on(type, listener as never);
    stream.push(`retry: 5000\n: connected\n\n`);
    return stream;
  }

  return [
    defineRoute({
      method: 'GET',
      path: '/v1/events',
      auth: 'user',
      docs: {
        tag: 'Events',
        operationId: 'streamEvents',
        summary: "Your account's gateway events, live (server-sent events)",
        description: `A \`text/event-stream\` that stays open: one event per gateway event of your account (\`event:\` its type, \`id:\` its id, \`data:\` JSON with \`id\`, \`type\`, \`time\`, \`owner\` and the webhook payload as \`data\`), and a comment line every ${heartbeatMs / 1000} s. Send the key in the \`x-api-key\` header (read the stream with fetch; EventSource cannot send headers). At most ${maxStreams} open streams per account (429 beyond). The stream ends when the key stops working, or when the client leaves ${maxBuffered} bytes unread; reconnect then. textport only.`,
        success: {
          status: 200,
          description: 'the event stream',
          body: { mediaType: 'text/event-stream', schema: { type: 'string' } },
        },
        errors: [429],
      },
      async handle({ gateway, principal, request }) {
        if ((open.get(principal.accountId) ?? 0) >= maxStreams) {
          return failure(
            429,
            `at most ${maxStreams} event streams may be open per account; close one first`,
          );
        }
        if (request.method.toUpperCase() === 'HEAD') {
          return { status: 200, headers: { ...STREAM_HEADERS } };
        }
        return {
          status: 200,
          headers: { ...STREAM_HEADERS },
          stream: openStream(gateway, principal, request),
        };
      },
    }),
  ];
}
