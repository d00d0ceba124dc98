/**
 * `createNodeHandler(gateway, options)`: the API as a plain `node:http` request
 * listener, the fast path without a framework. The body is read by the API,
 * up to the limit of the matched route.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import type { Gateway } from '@textport/core';
import { failure, INTERNAL_MESSAGE, routeNotFound } from './envelope.js';
import { createHttpApi, type HttpApiOptions } from './router.js';
import type { HttpResponse } from './types.js';

export interface NodeHandlerOptions extends HttpApiOptions {
  /** A path prefix to serve under, e.g. `/sms` for `https://host/sms/v1/...`. */
  basePath?: string;
}

/**
 * Writes an answer of the API to a Node response (adapters on `node:http` share it): the body,
 * or the stream piped until the client goes away (an error there is the client leaving).
 */
export function writeResponse(res: ServerResponse, response: HttpResponse): void {
  res.writeHead(response.status, response.headers);
  const stream = response.stream;
  if (stream) {
    res.flushHeaders();
    pipeline(stream, res, () => {});
  } else res.end(response.body);
}

export function createNodeHandler(gateway: Gateway, options: NodeHandlerOptions = {}) {
  const api = createHttpApi(gateway, options);
  const base = (options.basePath ?? '').replace(/\/+$/, '');
  const logger = gateway.config.logger;

  return function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    let path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    if (base !== '') {
      if (path !== base && !path.startsWith(`${base}/`)) {
        writeResponse(res, routeNotFound(method, path));
        return;
      }
      path = path.slice(base.length) || '/';
    }
    const request = {
      method,
      path,
      basePath: base,
      query: q < 0 ? undefined : url.slice(q + 1),
      headers: req.headers,
      body: req,
    };
    api.handle(request).then(
      (response) => writeResponse(res, response ?? routeNotFound(method, path)),
      (error: unknown) => {
        logger.error({ err: error, method, path }, 'request failed');
        if (!res.headersSent) writeResponse(res, failure(500, INTERNAL_MESSAGE));
      },
    );
  };
}
