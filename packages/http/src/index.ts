/**
 * `@textport/http`: the httpSMS v1 API without a framework. `createHttpApi`
 * maps a neutral request to a response; `createNodeHandler` serves it on
 * `node:http`; framework adapters (`@textport/express`) translate to and from it.
 * `readBulkDocument` reads the rows of a CSV or XLSX upload for `gateway.bulk.send`;
 * `sendBulkDocument` reads and queues them, as `POST /v1/bulk-messages` does.
 */
export type { AuthOptions } from './auth.js';
export {
  type BulkDocument,
  MAX_BULK_DOCUMENT_BYTES,
  readBulkDocument,
  sendBulkDocument,
} from './bulk-document.js';
export {
  INTERNAL_MESSAGE,
  JSON_CONTENT_TYPE,
  MALFORMED_MESSAGE,
  UNAUTHORIZED_DETAIL,
  UNAUTHORIZED_MESSAGE,
} from './envelope.js';
export { createNodeHandler, type NodeHandlerOptions, writeResponse } from './node.js';
export { MAX_PAGE_SIZE } from './params.js';
export type { Route, RouteAuth, RouteMethod } from './route.js';
export { DEFAULT_BODY_LIMIT } from './route.js';
export { createHttpApi, type HttpApi, type HttpApiOptions } from './router.js';
export { BULK_BODY_LIMIT } from './routes/bulk.js';
export type { EventStreamOptions } from './routes/events.js';
export { RECEIVE_BODY_LIMIT } from './routes/phone-api.js';
export type {
  HostAuthenticate,
  HostIdentity,
  HttpBody,
  HttpHeaders,
  HttpQuery,
  HttpRequest,
  HttpResponse,
} from './types.js';
