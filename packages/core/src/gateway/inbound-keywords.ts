/**
 * Opt-out, opt-in and help keywords in inbound messages (docs/routing.md): an
 * inbound message that is exactly a keyword updates the suppression list, in the
 * receive's unit of work, and may be answered with the configured confirmation.
 */
import { matchKeyword } from '../domain/keywords.js';
import type { MessageRecord, PhoneRecord, SuppressionRecord } from '../domain/records.js';
import type { GatewayContext, UnitOfWork } from '../uow/context.js';
import { contactEventData, stoppingOwners } from './opt-outs.js';
import { enqueueOutgoing, newOutgoingMessage } from './send.js';

/** Queues a confirmation to the contact, past the suppression list (it may just have opted out). */
async function confirm(
  uow: UnitOfWork,
  phone: PhoneRecord | null,
  inbound: MessageRecord,
  text: string | null,
  source: string,
): Promise<void> {
  if (!phone || text === null) return;
  const reply = newOutgoingMessage(
    phone,
    {
      id: uow.uuid(),
      contact: inbound.contact,
      content: text,
      attachments: null,
      encrypted: false,
      requestId: `keyword-reply-${inbound.id}`,
      sendAt: null,
      bulkIndex: 0,
    },
    uow.now,
  );
  await enqueueOutgoing(uow, [reply], source);
}

/**
 * Acts on an inbound message that is exactly an opt-out, opt-in or help keyword,
 * in the receive's unit of work: suppress the sender (`contact.opted_out`), lift
 * its suppressions (`contact.opted_in`), and send the configured confirmation.
 */
export async function applyKeyword(
  ctx: GatewayContext,
  uow: UnitOfWork,
  inbound: MessageRecord,
  phone: PhoneRecord | null,
): Promise<void> {
  const options = ctx.optOut;
  if (!options.enabled || inbound.encrypted) return;
  const match = matchKeyword(inbound.content, options);
  if (!match) return;
  const source = '/v1/messages/receive';
  const { accountId, owner, contact } = inbound;
  if (match.kind === 'opt-out') {
    const record: SuppressionRecord = {
      id: uow.uuid(),
      accountId,
      owner: options.scope === 'account' ? '' : owner,
      contact,
      source: 'keyword',
      keyword: match.keyword,
      createdAt: uow.now,
    };
    const stored = await uow.tx.addSuppression(record);
    if (stored.id === record.id) {
      const data = contactEventData(stored, owner, 'keyword', match.keyword, uow.now);
      uow.event('contact.opted_out', accountId, owner, source, data);
    }
    await confirm(uow, phone, inbound, options.replies.optOut, source);
  } else if (match.kind === 'opt-in') {
    const owners = options.scope === 'account' ? stoppingOwners(owner) : [owner];
    const lifted = await uow.tx.deleteSuppressions({ accountId, contacts: [contact], owners });
    for (const s of lifted) {
      const data = contactEventData(s, owner, 'keyword', match.keyword, uow.now);
      uow.event('contact.opted_in', accountId, owner, source, data);
    }
    await confirm(uow, phone, inbound, options.replies.optIn, source);
  } else {
    await confirm(uow, phone, inbound, options.replies.help, source);
  }
}
