/**
 * `@textport/express`: the httpSMS v1 API of a textport gateway as an Express
 * Router, mountable at any prefix (`app.use('/sms', createRouter(gateway))`).
 * Only translation lives here; routing, auth, validation and the envelope are
 * `@textport/http`. Requests the API does not serve go to `next()`.
 */
import type { Gateway } from '@textport/core';
import { createHttpApi, type HttpApiOptions, writeResponse } from '@textport/http';
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
        writeResponse(res, response);
      }, next);
  });
  return router;
}
