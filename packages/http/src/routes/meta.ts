/** Public routes: health check, received MMS attachments, the OpenAPI document. */
import { mediaTypeOf } from '@textport/core';
import { failure, json } from '../envelope.js';
import { defineRoute } from '../route.js';

const SAFE_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

export function metaRoutes(openApiDocument: () => unknown) {
  return [
    defineRoute({
      method: 'GET',
      path: '/health',
      auth: 'public',
      docs: {
        tag: 'Meta',
        summary: 'Health check: 200 with an empty body',
        success: { status: 200, description: 'healthy' },
      },
      async handle() {
        return { status: 200, headers: {} };
      },
    }),

    defineRoute({
      method: 'GET',
      path: '/health/ready',
      auth: 'public',
      docs: {
        tag: 'Meta',
        summary:
          'Readiness: status pass, warn or fail and one entry per check (the store; phones no transport can reach)',
        success: { status: 200, description: 'ready (pass or warn); 503 when a check fails' },
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
        summary: 'This document',
        success: { status: 200, description: 'OpenAPI 3.1 document' },
      },
      async handle() {
        return json(200, openApiDocument());
      },
    }),

    defineRoute({
      method: 'GET',
      path: '/v1/attachments/{userID}/{messageID}/{attachmentIndex}/{filename}',
      auth: 'public',
      docs: {
        tag: 'Meta',
        summary: 'A file of a received MMS (public: the path holds a random message id)',
        success: { status: 200, description: 'the file, served as a download' },
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
