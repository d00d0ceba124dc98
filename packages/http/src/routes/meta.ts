/**
 * Public routes: health probes, received MMS attachments, the OpenAPI document
 * and its reference page.
 */
import { mediaTypeOf } from '@textport/core';
import { failure, json } from '../envelope.js';
import { REFERENCE_ASSETS, referenceAsset, referencePage } from '../reference-page.js';
import { defineRoute, type RawBodyDoc } from '../route.js';
import type { HttpRequest } from '../types.js';

const SAFE_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const READINESS: RawBodyDoc = {
  mediaType: 'application/json',
  schema: { $ref: '#/components/schemas/Readiness' },
};

/** The prefix the request came through, without a trailing slash ('' at the root). */
export function basePathOf(request: HttpRequest): string {
  return (request.basePath ?? '').replace(/\/+$/, '');
}

export function metaRoutes(openApiDocument: (basePath: string) => unknown, title: string) {
  return [
    defineRoute({
      method: 'GET',
      path: '/health',
      auth: 'public',
      docs: {
        tag: 'Meta',
        operationId: 'getHealth',
        summary: 'Health check: 200 with an empty body (as httpSMS)',
        success: { status: 200, description: 'healthy', body: null },
      },
      async handle() {
        return { status: 200, headers: {} };
      },
    }),

    defineRoute({
      method: 'GET',
      path: '/health/live',
      auth: 'public',
      docs: {
        tag: 'Meta',
        operationId: 'getLiveness',
        summary: 'Liveness: 200 while the process serves requests; checks nothing else',
        success: {
          status: 200,
          description: 'alive: `{status: pass, checks: {}}`',
          body: READINESS,
        },
      },
      async handle() {
        return json(200, { status: 'pass', checks: {} });
      },
    }),

    defineRoute({
      method: 'GET',
      path: '/health/ready',
      auth: 'public',
      docs: {
        tag: 'Meta',
        operationId: 'getReadiness',
        summary: 'Readiness: whether this node can do its work, with one entry per check',
        description:
          'Checks: the store answers a cheap query (`store`), its migrations are applied when the store can tell (`store:migrations`), the gateway and every transport are started (`transports`), and phones that registered a push token can be reached by a transport (`phones:stranded`, a warning only: a phone cannot take the node out of service).',
        success: {
          status: 200,
          description: 'ready: every check passes or warns',
          body: READINESS,
        },
        otherResponses: [{ status: 503, description: 'not ready: a check fails', body: READINESS }],
      },
      async handle({ gateway }) {
        const ready = await gateway.readiness();
        return json(ready.status === 'fail' ? 503 : 200, ready);
      },
    }),

    defineRoute({
      method: 'GET',
      path: '/v1/openapi.json',
      auth: 'public',
      docs: {
        tag: 'Meta',
        operationId: 'getOpenApiDocument',
        summary: 'This document (its server is the prefix the API is mounted at)',
        success: {
          status: 200,
          description: 'OpenAPI 3.1 document',
          body: { mediaType: 'application/json', schema: { type: 'object' } },
        },
      },
      async handle({ request }) {
        return json(200, openApiDocument(basePathOf(request)));
      },
    }),

    defineRoute({
      method: 'GET',
      path: '/docs',
      auth: 'public',
      docs: {
        tag: 'Meta',
        operationId: 'getReferencePage',
        summary: 'The API reference page (Swagger UI, served from this server)',
        success: {
          status: 200,
          description: 'an HTML page',
          body: { mediaType: 'text/html', schema: { type: 'string' } },
        },
      },
      async handle({ request }) {
        return referencePage(basePathOf(request), title);
      },
    }),

    defineRoute({
      method: 'GET',
      path: '/docs/{asset}',
      auth: 'public',
      docs: {
        tag: 'Meta',
        operationId: 'getReferenceAsset',
        summary: `A script or style sheet of the reference page (${REFERENCE_ASSETS.join(', ')})`,
        success: {
          status: 200,
          description: 'the file',
          body: { mediaType: 'text/javascript', schema: { type: 'string' } },
        },
        otherResponses: [
          {
            status: 404,
            description: 'no file of that name',
            body: { mediaType: 'application/json', schema: { $ref: '#/components/schemas/Error' } },
          },
        ],
      },
      async handle({ params }) {
        return (await referenceAsset(params.asset ?? '')) ?? failure(404, 'file not found');
      },
    }),

    defineRoute({
      method: 'GET',
      path: '/v1/attachments/{userID}/{messageID}/{attachmentIndex}/{filename}',
      auth: 'public',
      docs: {
        tag: 'Meta',
        operationId: 'getAttachment',
        summary: 'A file of a received MMS (public: the path holds a random message id)',
        success: {
          status: 200,
          description: 'the file, served as a download',
          body: { mediaType: 'application/octet-stream', schema: {} },
        },
        errors: [404],
      },
      async handle({ gateway, params }) {
        const segments = [params.userID, params.messageID, params.attachmentIndex, params.filename];
        const safe = segments.every(
          (s) => s !== undefined && SAFE_SEGMENT.test(s) && !s.includes('..'),
        );
        const file = safe ? await gateway.attachments.get(segments.join('/')) : null;
        if (!file) return failure(404, 'attachment not found');
        return {
          status: 200,
          headers: {
            'content-type': mediaTypeOf(params.filename ?? ''),
            'content-disposition': 'attachment',
            'x-content-type-options': 'nosniff',
          },
          body: file.data,
        };
      },
    }),
  ];
}
