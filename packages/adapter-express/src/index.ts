/**
 * `@textport/express`: the httpSMS v1 API of a textport gateway as an Express
 * Router, mountable at any prefix (`app.use('/sms', createRouter(gateway))`).
 * Only translation lives here; routing, auth, validation and the envelope are
 * `@textport/http`. Requests the API does not serve go to `next()`.
 */
import { pipeline } from 'node:stream';
import type { Gateway } from '@textport/core';
import { createHttpApi, type HttpApiOptions } from '@textport/http';
import express, { type Router } from 'express';

export type RouterOptions = HttpApiOptions;

export function createRouter(gateway: Gateway, options: RouterOptions = {}): Router {
  const api = createHttpApi(gateway, options);
  const router = express.Router();
  router.use((req, res, next) => {
    const q = req.url.indexOf('?');
    api
      .handle({
        method: req.method,
        path: req.path,
        basePath: req.baseUrl,
        query: q < 0 ? undefined : req.url.slice(q + 1),
        headers: req.headers,
        // What a body parser (express.json()) already decoded, else the unread stream.
        body: req.body === undefined ? req : req.body,
      })
      .then((response) => {
        if (!response) return next();
        res.writeHead(response.status, response.headers);
        const stream = response.stream;
        if (stream) {
          res.flushHeaders();
          // A stream (server-sent events) ends when the client goes away.
          pipeline(stream, res, () => {});
        } else res.end(response.body);
      }, next);
  });
  return router;
}
