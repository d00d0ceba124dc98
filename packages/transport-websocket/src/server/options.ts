/** Options of the WebSocket transport, checked once at construction. */
import type { Server as HttpServer } from 'node:http';
import { GatewayError } from '@textport/core';

export interface WebSocketTransportOptions {
  /**
   * The host's `http.Server` (or `https.Server`): on `start()` the transport takes
   * the upgrade requests to `path` on it, so phones use the API's port. Leave it
   * out and call `handleUpgrade(req, socket, head)` from your own upgrade routing.
   */
  server?: HttpServer;
  /** The upgrade path (default `/v1/phones/ws`); the query string is ignored. */
  path?: string;
  /** Ping every socket this often; one without a pong by the next ping is closed (default 30 s). */
  pingIntervalMs?: number;
  /** A socket must send `hello` within this time (default 10 s). */
  authTimeoutMs?: number;
  /**
   * Sockets open but not yet welcomed (before `hello` is answered, or while the server
   * closes one it did not welcome). At this many, upgrade requests are refused with 503
   * and `Retry-After` before the handshake (default 1,000). Welcomed sockets do not count.
   */
  maxPendingSockets?: number;
  /** Largest frame a phone may send, in bytes; larger closes with 1009 (default 1 MiB). */
  maxPayload?: number;
  /**
   * Largest frame before the socket has authenticated (`welcome` sent), in bytes;
   * larger closes with 1009 before it is parsed (default 4 KiB, at most `maxPayload`).
   */
  maxPreAuthPayload?: number;
  /**
   * Bytes that may wait in a socket's send buffer. Beyond, `notify` refuses and the
   * socket's requests are not read or answered until it has drained (default 1 MiB).
   */
  maxBufferedBytes?: number;
  /** Requests a socket may have queued; beyond, reading pauses (default 64). */
  maxQueuedRequests?: number;
  /**
   * Messages pushed on a socket whose ack is not answered yet. At this many, no new
   * messages are claimed for its phones until half of them are acked (default 100;
   * the round in hand still goes out, so a socket may briefly hold a round more).
   * Without it, a phone whose acks queue behind a busy server is pushed more than it
   * can ack in time, and what it cannot ack expires and is pushed again.
   */
  maxUnackedMessages?: number;
  /** Heartbeat interval suggested to phones in `welcome` (default 15 minutes). */
  heartbeatIntervalMs?: number;
  /**
   * How often the keys of open sockets are checked again (default 5 minutes): the
   * safety net behind the notifier's `keys` topic, which closes a revoked key's
   * sockets at once.
   */
  keyCheckIntervalMs?: number;
}

export interface ResolvedOptions {
  server: HttpServer | undefined;
  path: string;
  pingIntervalMs: number;
  authTimeoutMs: number;
  maxPendingSockets: number;
  maxPayload: number;
  maxPreAuthPayload: number;
  maxBufferedBytes: number;
  maxQueuedRequests: number;
  maxUnackedMessages: number;
  heartbeatIntervalMs: number;
  keyCheckIntervalMs: number;
}

export const DEFAULT_WEBSOCKET_OPTIONS = Object.freeze({
  path: '/v1/phones/ws',
  pingIntervalMs: 30_000,
  authTimeoutMs: 10_000,
  maxPendingSockets: 1000,
  maxPayload: 1_048_576,
  maxPreAuthPayload: 4096,
  maxBufferedBytes: 1_048_576,
  maxQueuedRequests: 64,
  maxUnackedMessages: 100,
  heartbeatIntervalMs: 15 * 60_000,
  keyCheckIntervalMs: 5 * 60_000,
});

const LIMITS: Record<keyof typeof DEFAULT_WEBSOCKET_OPTIONS, [number, number] | null> = {
  path: null,
  pingIntervalMs: [10, 3_600_000],
  authTimeoutMs: [10, 600_000],
  maxPendingSockets: [1, 1_000_000],
  maxPayload: [1024, 100 * 1_048_576],
  maxPreAuthPayload: [256, 100 * 1_048_576],
  maxBufferedBytes: [0, 1024 * 1_048_576],
  maxQueuedRequests: [1, 100_000],
  maxUnackedMessages: [1, 100_000],
  heartbeatIntervalMs: [1000, 24 * 3_600_000],
  keyCheckIntervalMs: [10, 24 * 3_600_000],
};

export function resolveOptions(input: WebSocketTransportOptions = {}): ResolvedOptions {
  const resolved: ResolvedOptions = { ...DEFAULT_WEBSOCKET_OPTIONS, server: input.server };
  const problems: string[] = [];
  for (const [name, range] of Object.entries(LIMITS)) {
    const value = (input as Record<string, unknown>)[name];
    if (value === undefined) continue;
    if (range === null) {
      if (typeof value !== 'string' || !value.startsWith('/')) {
        problems.push(`  - ${name}: must be a path starting with "/", e.g. "/v1/phones/ws"`);
      } else resolved.path = value;
      continue;
    }
    const [min, max] = range;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problems.push(`  - ${name}: must be an integer from ${min} to ${max}`);
    } else (resolved as unknown as Record<string, unknown>)[name] = value;
  }
  if (input.maxPreAuthPayload === undefined) {
    resolved.maxPreAuthPayload = Math.min(resolved.maxPreAuthPayload, resolved.maxPayload);
  } else if (resolved.maxPreAuthPayload > resolved.maxPayload) {
    problems.push(
      `  - maxPreAuthPayload: must be at most maxPayload (${resolved.maxPayload}); the limit before hello is the smaller one`,
    );
  }
  const server = input.server as { on?: unknown } | undefined;
  if (server !== undefined && typeof server?.on !== 'function') {
    problems.push('  - server: must be a node:http or node:https Server');
  }
  if (problems.length > 0) {
    throw new GatewayError(
      'config',
      `Invalid WebSocket transport options:\n${problems.join('\n')}`,
    );
  }
  return resolved;
}
