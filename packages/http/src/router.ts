/**
 * `createHttpApi(gateway, options)`: the httpSMS v1 API over the neutral request
 * and response of `./types.ts`. It matches the route, answers CORS preflights,
 * authenticates, decodes the query and the body, runs the handler and turns
 * whatever it throws into the httpSMS envelope. Adapters only translate.
 */
import type { Gateway } from '@textport/core';
import { type AuthOptions, adminCheck, createAuthenticator } from './auth.js';
import { decodeJson, headerValue, queryParams } from './decode.js';
import { errorResponse, failure, INTERNAL_MESSAGE, unauthorized } from './envelope.js';
import { readUpload } from './multipart.js';
import { buildOpenApiDocument, servedUnder } from './openapi.js';
import { queryError } from './params.js';
import type { Route } from './route.js';
import { activityRoutes } from './routes/activity.js';
import { adminRoutes } from './routes/admin.js';
import { bulkRoutes } from './routes/bulk.js';
import { discordRoutes } from './routes/discord.js';
import { type EventStreamOptions, eventRoutes } from './routes/events.js';
import { keyRoutes } from './routes/keys.js';
import { messageRoutes } from './routes/messages.js';
import { metaRoutes } from './routes/meta.js';
import { pbx3cxRoutes } from './routes/pbx-3cx.js';
import { phoneApiRoutes } from './routes/phone-api.js';
import { phoneRoutes } from './routes/phones.js';
import { poolRoutes } from './routes/pools.js';
import { scheduleRoutes } from './routes/schedules.js';
import { suppressionRoutes } from './routes/suppressions.js';
import { threadRoutes } from './routes/threads.js';
import { webhookRoutes } from './routes/webhooks.js';
import { normalizePath, RouteTable } from './table.js';
import type { HttpRequest, HttpResponse } from './types.js';

export interface HttpApiOptions extends AuthOptions {
  /**
   * Serves the operator's routes (`/v1/admin/…`: accounts and their keys) to callers
   * presenting it as `Authorization: Bearer <adminKey>`. Absent: no admin routes.
   */
  adminKey?: string;
  /** Bounds of the server-sent event streams of `GET /v1/events`. */
  events?: EventStreamOptions;
  /** Answer CORS permissively, as httpSMS does (default true). */
  cors?: boolean;
  /** `info` of the OpenAPI document. */
  title?: string;
  version?: string;
}

export interface HttpApi {
  /** The answer, or null when no route serves the path (an adapter then passes the request on). */
  handle(request: HttpRequest): Promise<HttpResponse | null>;
  readonly routes: readonly Route[];
  /**
   * The OpenAPI 3.1 document (also served at `GET /v1/openapi.json`), its server
   * the mount prefix `basePath` (default '': the root).
   */
  document(basePath?: string): unknown;
}

const CORS_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': '*',
};
const ALLOWED_METHODS = 'GET,POST,PUT,DELETE,OPTIONS';
/** Statuses an inbound phone call may get for its own mistakes; other 4xx become 500 (retried). */
const INPUT_STATUSES = new Set([400, 401, 413, 422]);

function preflight(request: HttpRequest): HttpResponse {
  return {
    status: 204,
    headers: {
      ...CORS_HEADERS,
      'access-control-allow-methods': ALLOWED_METHODS,
      'access-control-allow-headers':
        headerValue(request.headers, 'access-control-request-headers') ?? '*',
    },
  };
}

function decodeQuery(route: Route, request: HttpRequest): unknown {
  if (!route.query) return undefined;
  const params = queryParams(request.query);
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(route.query.shape)) {
    const values = params.getAll(key);
    if (values.length > 0) input[key] = route.listKeys.has(key) ? values : values[0];
  }
  const result = route.query.safeParse(input);
  if (!result.success) throw queryError(result.error);
  return result.data;
}

export function createHttpApi(gateway: Gateway, options: HttpApiOptions = {}): HttpApi {
  const logger = gateway.config.logger;
  const auth = createAuthenticator(gateway, options);
  let openApi: object | undefined;
  const title = options.title ?? 'textport httpSMS-compatible API';
  const routes: Route[] = [
    ...metaRoutes((basePath) => api.document(basePath), title),
    ...messageRoutes,
    ...phoneApiRoutes,
    ...phoneRoutes,
    ...threadRoutes,
    ...keyRoutes,
    ...webhookRoutes,
    ...scheduleRoutes,
    ...suppressionRoutes,
    ...poolRoutes,
    ...discordRoutes,
    ...pbx3cxRoutes,
    ...bulkRoutes,
    ...activityRoutes,
    ...eventRoutes(auth, options.events),
    ...(options.adminKey ? adminRoutes : []),
  ];
  const isAdmin = adminCheck(options.adminKey);
  const table = new RouteTable(routes);
  const cors = options.cors !== false;

  async function run(
    route: Route,
    params: Record<string, string>,
    request: HttpRequest,
  ): Promise<HttpResponse> {
    if (route.auth === 'admin' && !isAdmin(request)) return unauthorized();
    const principal =
      route.auth === 'public' || route.auth === 'admin'
        ? null
        : await auth.principalOf(request, route.auth, route.bearerKey);
    if (route.auth !== 'public' && route.auth !== 'admin' && !principal) return unauthorized();
    const early = route.early?.(params);
    if (early) return early;
    const query = decodeQuery(route, request);
    const body = route.body
      ? await decodeJson(request, route.body, route.limit, route.lenient)
      : undefined;
    const file = route.upload ? await readUpload(request, route.upload, route.limit) : null;
    const response = await route.handle({ gateway, principal, params, query, body, file, request });
    const changed = principal?.accountId ?? params.userID;
    if (route.changesKeys && changed) auth.forget(changed);
    return response;
  }

  const api: HttpApi = {
    routes,
    document(basePath = '') {
      openApi ??= buildOpenApiDocument(routes, { title, version: options.version ?? '1.0.0' });
      return basePath === '' ? openApi : servedUnder(openApi, basePath);
    },
    async handle(request) {
      const method = request.method.toUpperCase();
      const path = normalizePath(request.path);
      if (method === 'OPTIONS') return cors && table.serves(path) ? preflight(request) : null;
      const match = table.match(method === 'HEAD' ? 'GET' : method, path);
      if (!match) return null;
      let response: HttpResponse;
      try {
        response = await run(match.route, match.params, request);
      } catch (error) {
        response = errorResponse(error, logger, request);
        if (match.route.inbound && response.status < 500 && !INPUT_STATUSES.has(response.status)) {
          logger.error(
            { err: error, method, path },
            'inbound phone request failed; the phone retries',
          );
          response = failure(500, INTERNAL_MESSAGE);
        }
      }
      if (cors) Object.assign(response.headers, CORS_HEADERS);
      return response;
    },
  };
  return api;
}
