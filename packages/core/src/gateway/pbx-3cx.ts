/**
 * The 3CX integration (`/v1/integration/3cx` in docs/http-api.md): a 3CX PBX set up
 * with textport as its generic SMS provider sends SMS through the account's phones
 * (`POST /v1/integration/3cx/messages`, httpSMS's route and shapes), and incoming SMS
 * are POSTed to the PBX's webhook URL (one per account; httpSMS keeps it in its
 * database with no route, textport sets it with `PUT /v1/integration/3cx`).
 */
import type { Integration3cxRecord, MessageRecord } from '../domain/records.js';
import { GatewayError } from '../errors.js';
import type { GatewayContext } from '../uow/context.js';
import { sendMessages } from './send.js';
import { Checker, isHttpUrl } from './validate.js';

/** What 3CX POSTs to send one SMS. */
export interface Pbx3cxMessageInput {
  from: string;
  to: string;
  text: string;
}

export interface Pbx3cxInput {
  webhookUrl: string;
}

export const PBX_3CX_SOURCE = '/v1/integration/3cx/messages';

export async function getIntegration3cx(
  ctx: GatewayContext,
  accountId: string,
): Promise<Integration3cxRecord> {
  const found = await ctx.store.getIntegration3cx(accountId);
  if (!found) throw GatewayError.notFound('the account has no 3CX integration');
  return found;
}

export function putIntegration3cx(
  ctx: GatewayContext,
  accountId: string,
  input: Pbx3cxInput,
): Promise<Integration3cxRecord> {
  const check = new Checker();
  const webhookUrl = check.text('webhook_url', input?.webhookUrl?.trim(), 1, 1024);
  if (webhookUrl !== '' && !isHttpUrl(webhookUrl)) {
    check.add('webhook_url', 'The webhook_url field must be a valid http or https URL');
  }
  check.throwIfInvalid();
  const now = ctx.clock.now();
  return ctx.store.putIntegration3cx({
    id: ctx.random.uuid(),
    accountId,
    webhookUrl,
    createdAt: now,
    updatedAt: now,
  });
}

export async function deleteIntegration3cx(ctx: GatewayContext, accountId: string): Promise<void> {
  if (!(await ctx.store.deleteIntegration3cx(accountId))) {
    throw GatewayError.notFound('the account has no 3CX integration');
  }
}

/** Sends the SMS 3CX asks for, as `POST /v1/messages/send` would (same checks, quota, events). */
export async function send3cxMessage(
  ctx: GatewayContext,
  accountId: string,
  input: Pbx3cxMessageInput,
): Promise<MessageRecord> {
  const [message] = await sendMessages(
    ctx,
    accountId,
    {
      from: input?.from ?? '',
      to: input?.to ?? '',
      content: input?.text ?? '',
      requestId: 'integration-3cx',
    },
    false,
    { source: PBX_3CX_SOURCE },
  );
  if (!message) throw new GatewayError('internal', 'the send returned no message');
  return message;
}
