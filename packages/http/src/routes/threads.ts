/** Message threads: one per (your number, contact); archive, mark read, delete. */

import { toWireThread } from '@textport/core/wire';
import { z } from 'zod';
import { fetched, success } from '../envelope.js';
import {
  flagParam,
  pageOf,
  pageParams,
  phoneNumberParam,
  requiredParam,
  uuidParam,
} from '../params.js';
import { defineRoute } from '../route.js';
import { flag, optional } from '../schemas.js';
import { deleteById, saveRoute } from './common.js';

const TAG = 'Message threads';

const threadBody = z.object({
  is_archived: optional(flag, 'Archive or unarchive.'),
  is_read: optional(flag, 'Mark read or unread.'),
});

export const threadRoutes = [
  defineRoute({
    method: 'GET',
    path: '/v1/message-threads',
    auth: 'user',
    query: z.object({
      owner: requiredParam('owner', 'Your phone number (E.164).'),
      is_archived: flagParam(
        'is_archived',
        'Archived threads instead of the inbox (default false).',
      ),
      ...pageParams(20, 'Substring of the last message, the owner or the contact (≤100 bytes).'),
    }),
    docs: {
      tag: TAG,
      operationId: 'listMessageThreads',
      summary: 'Threads of one of your numbers, newest first',
      success: { status: 200, data: ['MessageThread'], description: 'fetched N message threads' },
    },
    async handle({ gateway, principal, query }) {
      const owner = phoneNumberParam('owner', query.owner);
      const isArchived = query.is_archived;
      const page = pageOf(query, 100);
      const threads = await gateway.threads.list(principal.accountId, {
        owner,
        isArchived,
        ...page,
      });
      return success(200, fetched(threads.length, 'message thread'), threads.map(toWireThread));
    },
  }),

  saveRoute({
    method: 'PUT',
    path: '/v1/message-threads/{messageThreadID}',
    operationId: 'updateMessageThread',
    uuids: ['messageThreadID'],
    tag: TAG,
    summary: 'Archive, unarchive, mark read or unread',
    body: threadBody,
    status: 200,
    message: 'message thread updated successfully',
    data: 'MessageThread',
    errors: [404],
    async save(gateway, accountId, body, params) {
      const id = uuidParam(params, 'messageThreadID');
      const thread = await gateway.threads.update(accountId, id, {
        ...(typeof body.is_archived === 'boolean' ? { isArchived: body.is_archived } : {}),
        ...(typeof body.is_read === 'boolean' ? { isRead: body.is_read } : {}),
      });
      return toWireThread(thread);
    },
  }),

  deleteById({
    path: '/v1/message-threads/{messageThreadID}',
    operationId: 'deleteMessageThread',
    tag: TAG,
    summary: 'Delete a thread and every message between its owner and contact',
    param: 'messageThreadID',
    remove: (gateway, accountId, id) => gateway.threads.delete(accountId, id),
  }),
];
