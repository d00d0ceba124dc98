/**
 * `createMetrics({ gateway })`: a Prometheus registry holding the gateway's metrics,
 * a node/Express handler that serves them as Prometheus text, the HTTP request
 * middleware, and `close()`. `metrics({ gateway })` is the handler alone.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Gateway } from '@textport/core';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { registerGatewayMetrics } from './gateway-metrics.js';
import { createHttpMetrics, type HttpMetricsOptions, type HttpMiddleware } from './http-metrics.js';

export interface MetricsOptions {
  gateway: Gateway;
  /** The registry to add the metrics to (default: a registry of their own). */
  registry?: Registry;
  /** Prefix of every metric name (default `textport_`). */
  prefix?: string;
  /** Also collect prom-client's process metrics (CPU, memory, event loop; default false). */
  defaultMetrics?: boolean;
  /** When set, the handler answers only `Authorization: Bearer <token>` (else 401). */
  token?: string;
  /** How long one read of the due backlog serves scrapes, in ms (default 5000). */
  backlogCacheMs?: number;
}

export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface Metrics {
  readonly registry: Registry;
  /** Serves the registry as Prometheus text (node `http` handler, or Express middleware). */
  readonly handler: MetricsHandler;
  /** Middleware counting and timing the host's HTTP requests by route pattern. */
  httpMetrics(options?: HttpMetricsOptions): HttpMiddleware;
  /** Stops listening to the gateway and removes the metrics from the registry. */
  close(): void;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Whether the request carries `Authorization: Bearer <token>` (compared in constant time). */
function authorized(req: IncomingMessage, token: Buffer | null): boolean {
  if (token === null) return true;
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), token);
}

export function createMetrics(options: MetricsOptions): Metrics {
  const registry = options.registry ?? new Registry();
  const prefix = options.prefix ?? 'textport_';
  const token = options.token ? digest(options.token) : null;
  const detach = registerGatewayMetrics({
    gateway: options.gateway,
    registry,
    prefix,
    backlogCacheMs: options.backlogCacheMs ?? 5000,
  });
  const http = createHttpMetrics(registry, prefix);
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix });
  const logger = options.gateway.config.logger;

  const handler: MetricsHandler = (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end();
      return;
    }
    if (!authorized(req, token)) {
      res
        .writeHead(401, { 'www-authenticate': 'Bearer', 'content-type': 'text/plain' })
        .end('a bearer token is required for the metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'could not collect the metrics');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('could not collect the metrics\n');
      },
    );
  };

  return {
    registry,
    handler,
    httpMetrics: (httpOptions) => http.middleware(httpOptions),
    close() {
      detach();
      for (const name of http.names) registry.removeSingleMetric(name);
      if (options.defaultMetrics && !options.registry) registry.clear();
    },
  };
}

/** The `/metrics` handler of a gateway's metrics (use `createMetrics` to also close them). */
export function metrics(options: MetricsOptions): MetricsHandler {
  return createMetrics(options).handler;
}
