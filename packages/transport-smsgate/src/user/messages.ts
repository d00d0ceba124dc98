/**
 * Reading and canceling SMSGate messages: `GET /messages/{id}`, `GET /messages`,
 * `DELETE /messages/{id}` (each also under the legacy `/message`).
 *
 * Cancel: textport cancels a recipient the phone has not taken at once, so the
 * reply says `Cancelled` where SMSGate's server says `Cancelling` (a state that
 * waits for the phone's confirmation; here the phone never got the message).
 */
import { GatewayError } from '@textport/core';
import type { RequestContext } from '../http/io.js';
import { badRequest, conflict, notFound, sendJson } from '../http/io.js';
import type { GroupListQuery } from '../store/types.js';
import { SMSGATE_STATES, type SmsGateState, stateOf } from '../wire.js';
import { queryBool, queryDate, queryInt } from './check.js';
import type { MessageState } from './state.js';
import { findMessage, loadGroup, messageState } from './state.js';
import type { UserApiContext } from './types.js';

/**
 * With a `state` filter the states are computed, so the list looks at the newest
 * (or oldest, by `sort`) this many messages of the time range only.
 */
export const STATE_FILTER_SCAN = 1_000;
const PAGE = 100;

export async function getMessage(ctx: UserApiContext, accountId: string, rc: RequestContext) {
  const message = await findMessage(ctx, accountId, rc.params.id ?? '');
  if (!message) throw notFound('message not found');
  sendJson(rc.res, 200, messageState(message, true));
}

interface ListParams {
  query: Omit<GroupListQuery, 'skip' | 'limit'>;
  state: SmsGateState | null;
  offset: number;
  limit: number;
  includeContent: boolean;
}

function listParams(accountId: string, q: URLSearchParams): ListParams {
  const from = queryDate(q, 'from');
  const to = queryDate(q, 'to');
  const state = q.get('state');
  if (state !== null && state !== '' && !(SMSGATE_STATES as readonly string[]).includes(state)) {
    throw badRequest(`state must be one of ${SMSGATE_STATES.join(', ')}`);
  }
  const deviceId = q.get('deviceId');
  if (deviceId !== null && deviceId !== '' && deviceId.length !== 21) {
    throw badRequest('deviceId must be exactly 21 characters');
  }
  // No store keeps a NUL (Postgres refuses it in text).
  if (deviceId?.includes('\u0000')) throw badRequest('deviceId must not contain NUL');
  const sort = q.get('sort') ?? '-created_at';
  if (sort !== 'created_at' && sort !== '-created_at' && sort !== '') {
    throw badRequest('sort must be created_at or -created_at');
  }
  const offset = queryInt(q, 'offset', 0);
  if (offset < 0) throw badRequest('offset must not be negative');
  return {
    query: {
      accountId,
      deviceId: deviceId || null,
      from,
      to,
      order: sort === 'created_at' ? 'asc' : 'desc',
    },
    state: (state || null) as SmsGateState | null,
    offset,
    limit: Math.min(100, Math.max(1, queryInt(q, 'limit', 50))),
    includeContent: queryBool(q, 'includeContent', false),
  };
}

export async function listMessages(ctx: UserApiContext, accountId: string, rc: RequestContext) {
  const p = listParams(accountId, rc.query);
  const store = ctx.link.store;
  let total: number;
  let page: MessageState[];
  if (p.state === null) {
    const found = await store.listGroups({ ...p.query, skip: p.offset, limit: p.limit });
    total = found.total;
    page = [];
    for (const g of found.groups)
      page.push(messageState(await loadGroup(ctx, g), p.includeContent));
  } else {
    const matching: MessageState[] = [];
    for (let skip = 0; skip < STATE_FILTER_SCAN; skip += PAGE) {
      const found = await store.listGroups({ ...p.query, skip, limit: PAGE });
      for (const g of found.groups) {
        const state = messageState(await loadGroup(ctx, g), p.includeContent);
        if (state.state === p.state) matching.push(state);
      }
      if (found.groups.length < PAGE) break;
    }
    total = matching.length;
    page = matching.slice(p.offset, p.offset + p.limit);
  }
  sendJson(rc.res, 200, page, { 'x-total-count': String(total) });
}

export async function cancelMessage(ctx: UserApiContext, accountId: string, rc: RequestContext) {
  const id = rc.params.id ?? '';
  const message = await findMessage(ctx, accountId, id);
  if (!message) throw notFound('message not found');
  let canceled = 0;
  for (const m of message.messages) {
    if (stateOf(m) !== 'Pending') continue;
    try {
      const after = await ctx.gateway.messages.cancel(accountId, m.id);
      if (after.status === 'canceled') canceled += 1;
    } catch (error) {
      // Taken by the phone meanwhile: that recipient goes on.
      if (!(error instanceof GatewayError && error.code === 'invalid_transition')) throw error;
    }
  }
  if (canceled === 0) throw conflict('message is not pending');
  // The device hears of each canceled message from the transport (`tellCanceled`).
  const reloaded = (await findMessage(ctx, accountId, id)) ?? message;
  sendJson(rc.res, 200, messageState(reloaded, true));
}
