/**
 * The suppression list API (`/v1/suppressions` in docs/http-api.md): list, add and
 * remove the contacts an account must not send to. Adding and removing tell
 * `contact.opted_out` and `contact.opted_in` (source `api`), like a keyword does.
 */
import type { SuppressionRecord } from '../domain/records.js';
import { GatewayError } from '../errors.js';
import type { GatewayContext } from '../uow/context.js';
import { runUnitOfWork } from '../uow/context.js';
import { contactEventData } from './opt-outs.js';
import { Checker } from './validate.js';

export interface SuppressionInput {
  /** The contact not to send to. */
  contact: string;
  /** The sending number the suppression concerns; absent or null: every number of the account. */
  owner?: string | null;
}

export interface SuppressionListInput {
  /** Substring of the contact or the owner. */
  query?: string | null;
  skip?: number;
  limit?: number;
}

export interface AddedSuppression {
  suppression: SuppressionRecord;
  /** False when the contact was already suppressed for that owner (the existing row is returned). */
  created: boolean;
}

const SOURCE = '/v1/suppressions';

function notFound(id: string): GatewayError {
  return GatewayError.notFound(`cannot find suppression with ID [${id}]`);
}

export function listSuppressions(
  ctx: GatewayContext,
  accountId: string,
  input: SuppressionListInput = {},
): Promise<SuppressionRecord[]> {
  const check = new Checker();
  const query = check.text('query', input.query ?? '', 0, 100, false);
  check.throwIfInvalid();
  return ctx.store.listSuppressions({
    accountId,
    query: query || null,
    skip: Math.max(0, input.skip ?? 0),
    limit: Math.max(0, input.limit ?? 20),
  });
}

export async function addSuppression(
  ctx: GatewayContext,
  accountId: string,
  input: SuppressionInput,
): Promise<AddedSuppression> {
  const check = new Checker();
  const contact = check.contactNumber('contact', input?.contact);
  const owner =
    input?.owner === undefined || input.owner === null || input.owner === ''
      ? ''
      : check.phoneNumber('owner', input.owner);
  check.throwIfInvalid();
  // A suppression for one number is for one of the account's own phones.
  if (owner !== '' && !(await ctx.store.findPhoneByNumber(accountId, owner))) {
    check.add('owner', `The owner field must be one of your phone numbers; [${owner}] is not`);
    check.throwIfInvalid();
  }
  return runUnitOfWork(ctx, async (uow) => {
    const record: SuppressionRecord = {
      id: uow.uuid(),
      accountId,
      owner,
      contact,
      source: 'api',
      keyword: null,
      createdAt: uow.now,
    };
    const suppression = await uow.tx.addSuppression(record);
    const created = suppression.id === record.id;
    if (created) {
      const data = contactEventData(suppression, owner, 'api', null, uow.now);
      uow.event('contact.opted_out', accountId, owner, SOURCE, data);
    }
    return { suppression, created };
  });
}

export async function removeSuppression(
  ctx: GatewayContext,
  accountId: string,
  id: string,
): Promise<SuppressionRecord> {
  // Ids are opaque: anything that is not one of the account's suppressions is a 404.
  if (id.length > 255) throw notFound(id.slice(0, 64));
  return runUnitOfWork(ctx, async (uow) => {
    const removed = await uow.tx.deleteSuppression(accountId, id);
    if (!removed) throw notFound(id);
    const data = contactEventData(removed, removed.owner, 'api', null, uow.now);
    uow.event('contact.opted_in', accountId, removed.owner, `${SOURCE}/${id}`, data);
    return removed;
  });
}
