/** The message API of API clients: send, bulk send, list, search, get, delete, cancel. */

import {
  MESSAGE_STATUSES,
  MESSAGE_TYPES,
  parseTimestamp,
  type SendOptions,
  sanitizeAddress,
} from '@textport/core';
import { Checker, toWireMessage } from '@textport/core/wire';
import { z } from 'zod';
import { headerValue } from '../decode.js';
import { fetched, success } from '../envelope.js';
import {
  pageOf,
  pageParams,
  phoneNumberParam,
  plusFix,
  requiredParam,
  uuidParam,
} from '../params.js';
import { defineRoute } from '../route.js';
import { flag, needed, optional, text, textList, whole } from '../schemas.js';
import type { HttpRequest } from '../types.js';
import { deleteById } from './common.js';

const TAG = 'Messages';

const common = {
  from: optional(
    text,
    'Sender: an E.164 number of one of your phones, or `pool:<id>` for one of your pools; absent: your default pool.',
  ),
  pool_id: optional(
    text,
    'textport only: the pool that sends (instead of from); the gateway picks the phone (docs/routing.md).',
  ),
  content: needed(text, 'The text (1–2048 bytes; 1–1024 for bulk). Ciphertext when encrypted.'),
  attachments: optional(textList, 'Up to 10 http(s) URLs; the phone sends an MMS.'),
  encrypted: optional(flag, 'The content is end-to-end encrypted (AES-256-CFB, base64).'),
  request_id: optional(text, 'Your tag (≤255 bytes), echoed in webhooks; not an idempotency key.'),
  priority: optional(
    whole,
    'textport only: −128..127 (default 0); 100 and above is handed off without waiting for the phone pacing.',
  ),
  ttl: optional(
    whole,
    'textport only: seconds (≥5) after which the message is no longer handed off; it fails with TTL expired.',
  ),
  valid_until: optional(
    text,
    'textport only: RFC 3339 time after which the message is no longer handed off (not with ttl).',
  ),
};

export const sendBody = z.object({
  ...common,
  to: needed(text, 'Recipient number (E.164, or digits for short codes).'),
  send_at: optional(text, 'RFC 3339 time to hand the message to the phone (≤480 h ahead).'),
});

export const bulkSendBody = z.object({
  ...common,
  to: needed(textList, '1–1000 recipients; each becomes its own message.'),
});

function sendOptions(request: HttpRequest): SendOptions {
  const key = headerValue(request.headers, 'idempotency-key');
  return key === undefined ? {} : { idempotencyKey: key };
}

const idempotencyDoc =
  'An `Idempotency-Key` header (1–255 visible ASCII characters) makes a retry within 24 h return the original messages; the same key with another body is 409.';

const listQuery = z.object({
  owner: requiredParam('owner', 'Your phone number (E.164).'),
  contact: requiredParam('contact', 'The other party.'),
  ...pageParams(20, 'Substring of the content (≤100 bytes).'),
});

const searchQuery = z.object({
  owners: z.array(z.string()).optional().describe('Your phone numbers (repeat the parameter).'),
  types: z
    .array(z.string())
    .optional()
    .describe(`Any of ${MESSAGE_TYPES.join(', ')}.`),
  statuses: z
    .array(z.string())
    .optional()
    .describe(`Any of ${MESSAGE_STATUSES.join(', ')}.`),
  after: z
    .string()
    .optional()
    .describe('textport only: latest activity (`order_timestamp`) at or after this RFC 3339 time.'),
  before: z
    .string()
    .optional()
    .describe('textport only: latest activity (`order_timestamp`) before this RFC 3339 time.'),
  ...pageParams(
    100,
    'Substring of content, contact, owner, failure reason or request id, or a message id (≤50 bytes).',
  ),
});

export const messageRoutes = [
  defineRoute({
    method: 'POST',
    path: '/v1/messages/send',
    auth: 'user',
    body: sendBody,
    docs: {
      tag: TAG,
      operationId: 'sendMessage',
      summary: 'Send an SMS',
      description: `Stored as \`pending\` before the answer. ${idempotencyDoc}`,
      success: { status: 200, data: 'Message', description: 'message added to queue' },
      errors: [402, 409],
    },
    async handle({ gateway, principal, body, request }) {
      const message = await gateway.messages.send(
        principal.accountId,
        {
          from: body.from ?? null,
          poolId: body.pool_id ?? null,
          priority: body.priority ?? null,
          ttl: body.ttl ?? null,
          validUntil: body.valid_until ?? null,
          to: body.to ?? '',
          content: body.content ?? '',
          attachments: body.attachments ?? null,
          encrypted: body.encrypted ?? false,
          requestId: body.request_id ?? null,
          sendAt: body.send_at ?? null,
        },
        sendOptions(request),
      );
      return success(200, 'message added to queue', toWireMessage(message));
    },
  }),

  defineRoute({
    method: 'POST',
    path: '/v1/messages/bulk-send',
    auth: 'user',
    body: bulkSendBody,
    docs: {
      tag: TAG,
      operationId: 'bulkSendMessages',
      summary: 'Send one SMS to many recipients',
      description: `All messages are written in one transaction. ${idempotencyDoc}`,
      success: {
        status: 200,
        data: ['Message'],
        description: 'N out of N messages processed successfully',
      },
      errors: [402, 409],
    },
    async handle({ gateway, principal, body, request }) {
      const to = body.to ?? [];
      const messages = await gateway.messages.sendBulk(
        principal.accountId,
        {
          from: body.from ?? null,
          poolId: body.pool_id ?? null,
          priority: body.priority ?? null,
          ttl: body.ttl ?? null,
          validUntil: body.valid_until ?? null,
          to,
          content: body.content ?? '',
          attachments: body.attachments ?? null,
          encrypted: body.encrypted ?? false,
          requestId: body.request_id ?? null,
        },
        sendOptions(request),
      );
      const message = `${messages.length} out of ${to.length} messages processed successfully`;
      return success(200, message, messages.map(toWireMessage));
    },
  }),

  defineRoute({
    method: 'GET',
    path: '/v1/messages',
    auth: 'user',
    query: listQuery,
    docs: {
      tag: TAG,
      operationId: 'listMessages',
      summary: 'Messages between one of your numbers and a contact, newest first',
      success: { status: 200, data: ['Message'], description: 'fetched N messages' },
    },
    async handle({ gateway, principal, query }) {
      const owner = phoneNumberParam('owner', query.owner);
      // Any non-empty contact: received messages may come from alphanumeric senders (MPESA).
      const contact = sanitizeAddress(plusFix(query.contact));
      const page = pageOf(query, 100);
      const messages = await gateway.messages.list(principal.accountId, {
        owner,
        contact,
        ...page,
      });
      return success(200, fetched(messages.length, 'message'), messages.map(toWireMessage));
    },
  }),

  defineRoute({
    method: 'GET',
    path: '/v1/messages/search',
    auth: 'user',
    query: searchQuery,
    docs: {
      tag: TAG,
      operationId: 'searchMessages',
      summary: 'Search all your messages, newest first',
      description: 'No captcha token is needed (httpSMS requires a Turnstile token here).',
      success: { status: 200, data: ['Message'], description: 'found N messages' },
    },
    async handle({ gateway, principal, query }) {
      const check = new Checker();
      const owners = query.owners?.map((o) => check.contactNumber('owners', plusFix(o)));
      const types = query.types ?? [];
      const statuses = query.statuses ?? [];
      for (const t of types) {
        if (!(MESSAGE_TYPES as readonly string[]).includes(t))
          check.add('types', `unknown message type [${t}]`);
      }
      for (const s of statuses) {
        if (!(MESSAGE_STATUSES as readonly string[]).includes(s))
          check.add('statuses', `unknown status [${s}]`);
      }
      const time = (field: 'after' | 'before') => {
        const text = query[field];
        if (text === undefined) return null;
        const at = parseTimestamp(text);
        if (at === null) check.add(field, `The ${field} field must be an RFC 3339 time`);
        return at;
      };
      const after = time('after');
      const before = time('before');
      check.throwIfInvalid();
      const messages = await gateway.messages.search(principal.accountId, {
        after,
        before,
        owners: owners?.length ? owners : null,
        types: types.length ? (types as (typeof MESSAGE_TYPES)[number][]) : null,
        statuses: statuses.length ? (statuses as (typeof MESSAGE_STATUSES)[number][]) : null,
        ...pageOf(query, 50),
      });
      return success(
        200,
        fetched(messages.length, 'message', 'found'),
        messages.map(toWireMessage),
      );
    },
  }),

  defineRoute({
    method: 'GET',
    path: '/v1/messages/{messageID}',
    auth: 'user',
    docs: {
      tag: TAG,
      operationId: 'getMessage',
      uuids: ['messageID'],
      summary: 'Get a message',
      success: { status: 200, data: 'Message', description: 'message fetched successfully' },
      errors: [404],
    },
    async handle({ gateway, principal, params }) {
      const message = await gateway.messages.get(
        principal.accountId,
        uuidParam(params, 'messageID'),
      );
      return success(200, 'message fetched successfully', toWireMessage(message));
    },
  }),

  deleteById({
    path: '/v1/messages/{messageID}',
    operationId: 'deleteMessage',
    tag: TAG,
    summary: 'Delete a message (its thread is repaired)',
    param: 'messageID',
    remove: (gateway, accountId, id) => gateway.messages.delete(accountId, id),
  }),

  defineRoute({
    method: 'POST',
    path: '/v1/messages/{messageID}/cancel',
    auth: 'user',
    docs: {
      tag: TAG,
      operationId: 'cancelMessage',
      uuids: ['messageID'],
      summary: 'Cancel a message the phone has not taken yet',
      description: 'textport only. 409 when the phone already took the message.',
      success: { status: 200, data: 'Message', description: 'message canceled successfully' },
      errors: [404, 409],
    },
    async handle({ gateway, principal, params }) {
      const message = await gateway.messages.cancel(
        principal.accountId,
        uuidParam(params, 'messageID'),
      );
      return success(200, 'message canceled successfully', toWireMessage(message));
    },
  }),
];
