/**
 * HTTP request metrics: a node/Express middleware that counts each request by method,
 * route and status and times it. The route label is the route's pattern, never the
 * raw URL: the Express route that answered (`req.route`), else the first of the
 * given patterns (`/v1/messages/{messageID}`) that matches, else `unmatched`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Histogram, type Registry } from 'prom-client';

/** A route as `@textport/http` lists them (`createHttpApi(gateway).routes`). */
export interface RoutePattern {
  readonly method: string;
  /** Literal segments and `{param}` (or `:param`) placeholders. */
  readonly path: string;
}

export interface HttpMetricsOptions {
  /** Patterns of routes the host serves outside Express routes (e.g. the httpSMS API). */
  routes?: readonly RoutePattern[];
  /** The prefix those routes are mounted under (default ''). */
  basePath?: string;
  /** The route label of a request, when the host knows better; null: look further. */
  routeOf?: (req: IncomingMessage) => string | null;
}

export type HttpMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const PARAM = /^(\{\w+\}|:\w+)$/;

interface Compiled {
  method: string;
  label: string;
  segments: (string | null)[];
  params: number;
}

function compile(routes: readonly RoutePattern[], basePath: string): Compiled[] {
  const base = basePath.replace(/\/+$/, '');
  return routes
    .map((route) => {
      const segments = route.path
        .split('/')
        .slice(1)
        .map((s) => (PARAM.test(s) ? null : s));
      return {
        method: route.method.toUpperCase(),
        label: `${base}${route.path}`,
        segments,
        params: segments.filter((s) => s === null).length,
      };
    })
    .sort((a, b) => a.params - b.params);
}

function matchPattern(compiled: readonly Compiled[], method: string, path: string): string | null {
  const base = method === 'HEAD' ? 'GET' : method;
  const parts = (path.length > 1 ? path.replace(/\/+$/, '') : path).split('/').slice(1);
  for (const c of compiled) {
    if (c.method !== base || c.segments.length !== parts.length) continue;
    if (c.segments.every((s, i) => s === null || s === parts[i])) return c.label;
  }
  return null;
}

/** The pattern of the Express route that answered, with its router's mount path. */
function expressRoute(req: IncomingMessage): string | null {
  const r = req as IncomingMessage & { route?: { path?: unknown }; baseUrl?: unknown };
  const path = r.route?.path;
  if (typeof path !== 'string') return null;
  return `${typeof r.baseUrl === 'string' ? r.baseUrl : ''}${path}` || '/';
}

export function createHttpMetrics(
  registry: Registry,
  prefix: string,
): { middleware(options?: HttpMetricsOptions): HttpMiddleware; names: string[] } {
  const requests = new Counter({
    name: `${prefix}http_requests_total`,
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: `${prefix}http_request_duration_seconds`,
    help: 'Seconds from an HTTP request to its response, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    names: [`${prefix}http_requests_total`, `${prefix}http_request_duration_seconds`],
    middleware(options: HttpMetricsOptions = {}) {
      const compiled = compile(options.routes ?? [], options.basePath ?? '');
      return (req, res, next) => {
        const started = performance.now();
        const raw = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
        const path = raw.split('?')[0] ?? '/';
        const upper = (req.method ?? 'GET').toUpperCase();
        const method = METHODS.has(upper) ? upper : 'OTHER';
        res.once('finish', () => {
          const route =
            options.routeOf?.(req) ??
            expressRoute(req) ??
            matchPattern(compiled, method, path) ??
            'unmatched';
          requests.inc({ method, route, status: String(res.statusCode) });
          duration.observe({ method, route }, (performance.now() - started) / 1000);
        });
        next?.();
      };
    },
  };
}
