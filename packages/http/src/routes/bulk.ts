/** Bulk messages from a CSV or XLSX upload (`/v1/bulk-messages` in docs/http-api.md). */

import { type BulkBatch, type BulkPreview, formatTimestamp, GatewayError } from '@textport/core';
import { z } from 'zod';
import { MAX_BULK_DOCUMENT_BYTES, readBulkDocument, sendBulkDocument } from '../bulk-document.js';
import { success } from '../envelope.js';
import { defineRoute } from '../route.js';
import { listRoute } from './common.js';

const TAG = 'Bulk messages';

/** The document plus the multipart framing around it. */
export const BULK_BODY_LIMIT = MAX_BULK_DOCUMENT_BYTES + 256 * 1024;

const count = z.number().int().nonnegative();
export const wireBulkMessageSchema = z.object({
  request_id: z.string(),
  total: count,
  pending_count: count,
  scheduled_count: count,
  sending_count: count,
  sent_count: count,
  delivered_count: count,
  failed_count: count,
  expired_count: count,
  canceled_count: count,
  created_at: z.string().meta({ format: 'date-time', description: 'RFC 3339 timestamp, UTC' }),
});

export function toWireBulkMessage(b: BulkBatch): z.output<typeof wireBulkMessageSchema> {
  return {
    request_id: b.requestId,
    total: b.total,
    pending_count: b.counts.pending,
    scheduled_count: b.counts.scheduled,
    sending_count: b.counts.sending,
    sent_count: b.counts.sent,
    delivered_count: b.counts.delivered,
    failed_count: b.counts.failed,
    expired_count: b.counts.expired,
    canceled_count: b.counts.canceled,
    created_at: formatTimestamp(b.createdAt),
  };
}

const timestamp = z.string().meta({ format: 'date-time', description: 'RFC 3339 timestamp, UTC' });
export const wireBulkPreviewSchema = z.object({
  total: count,
  valid_count: count.meta({ description: 'Rows that would be queued' }),
  rows: z.array(
    z.object({
      row: z.number().int().meta({ description: "The row's line in the document (header: 1)" }),
      from: z.string(),
      to: z.string(),
      content: z.string(),
      send_time: timestamp.nullable(),
      errors: z.array(z.string()).meta({ description: 'Empty when the row would be queued' }),
    }),
  ),
});

function toWireBulkPreview(p: BulkPreview): z.output<typeof wireBulkPreviewSchema> {
  return {
    total: p.total,
    valid_count: p.valid,
    rows: p.rows.map((r) => ({
      row: r.line,
      from: r.from,
      to: r.to,
      content: r.content,
      send_time: r.sendAt === null ? null : formatTimestamp(r.sendAt),
      errors: r.problems,
    })),
  };
}

function requireDocument<F>(file: F | null): F {
  if (!file) throw GatewayError.validation({ document: ['The document field is required'] });
  return file;
}

export const bulkRoutes = [
  defineRoute({
    method: 'POST',
    path: '/v1/bulk-messages',
    auth: 'user',
    upload: 'document',
    limit: BULK_BODY_LIMIT,
    docs: {
      tag: TAG,
      operationId: 'uploadBulkMessages',
      summary: 'Queue the messages of a CSV or XLSX file (field `document`)',
      description:
        'Columns FromPhoneNumber, ToPhoneNumber, Content, SendTime(optional), AttachmentURLs(optional); 1–1000 rows; smaller than 5,000,000 bytes. Every row is checked before any is queued.',
      success: { status: 202, description: 'Added N out of N messages to the queue' },
      errors: [402],
    },
    async handle({ gateway, principal, file }) {
      const result = await sendBulkDocument(gateway, principal.accountId, requireDocument(file));
      const message = `Added ${result.messages.length} out of ${result.total} messages to the queue`;
      return success(202, message);
    },
  }),

  defineRoute({
    method: 'POST',
    path: '/v1/bulk-messages/preview',
    auth: 'user',
    upload: 'document',
    limit: BULK_BODY_LIMIT,
    docs: {
      tag: TAG,
      operationId: 'previewBulkMessages',
      summary: 'Check a bulk-message document row by row without queuing anything',
      description:
        'The same document and checks as `POST /v1/bulk-messages`; each row comes back with its problems (an empty `errors` when it would be queued). A document that cannot be read, or holds no rows or more than 1000, is a 422 as there.',
      success: { status: 200, description: 'Checked N rows', data: wireBulkPreviewSchema },
    },
    async handle({ gateway, principal, file }) {
      const rows = await readBulkDocument(requireDocument(file));
      const preview = await gateway.bulk.preview(principal.accountId, rows);
      return success(200, `Checked ${preview.total} rows`, toWireBulkPreview(preview));
    },
  }),

  listRoute({
    path: '/v1/bulk-messages',
    operationId: 'listBulkMessages',
    tag: TAG,
    summary: 'The last 10 bulk-message uploads with a count per status',
    noun: 'bulk message',
    data: 'BulkMessage',
    list: async (gateway, accountId) => (await gateway.bulk.list(accountId)).map(toWireBulkMessage),
  }),
];
