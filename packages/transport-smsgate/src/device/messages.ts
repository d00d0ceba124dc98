/**
 * `GET /message` (the pull, §2.5) and `PATCH /message` (state reports, §2.6). The
 * pull answers what the dispatcher handed off to the device's phones and takes
 * each (→ `sending`); a lost answer is covered by textport's expiry and retry under
 * the same id, which the app dedupes. Reports become phone events of the lifecycle,
 * which ignores repeats and late ones, so reports are idempotent in any order.
 */
import type { MessageRecord, PhoneEventInput, Principal } from '@textport/core';
import { isGatewayError, isServerFault } from '@textport/core';
import { appIdOf, messageIdOf } from '../app-ids.js';
import type { RequestContext } from '../http/io.js';
import { badRequest, readJson, sendEmpty, sendJson } from '../http/io.js';
import type { GroupRecord } from '../store/types.js';
import type { SmsGateState } from '../wire.js';
import { formatDate, parseDate, SMSGATE_STATES } from '../wire.js';
import type { AuthedDevice } from './auth.js';
import type { MobileContext } from './context.js';
import { requireDevice } from './context.js';

/** The order a pull answers in: `lifo` (the default) newest first, `fifo` oldest first. */
export function parseOrder(value: string | null): 'lifo' | 'fifo' {
  if (value === null || value === 'lifo') return 'lifo';
  if (value === 'fifo') return 'fifo';
  throw badRequest('order must be lifo or fifo');
}

/** One message in the app's shape (§2.5). */
export function pulledItem(
  message: MessageRecord,
  device: AuthedDevice['device'],
  group: GroupRecord | null,
): Record<string, unknown> {
  const index = device.phoneNumbers.indexOf(message.owner);
  const item: Record<string, unknown> = {
    id: appIdOf(message, group),
    message: message.content,
    textMessage: { text: message.content },
    phoneNumbers: [message.contact],
    simNumber: group?.simNumber ?? (index >= 0 ? index + 1 : 1),
    withDeliveryReport: group?.withDeliveryReport ?? true,
    priority: group?.priority ?? 0,
    state: 'Pending',
    createdAt: formatDate(message.createdAt),
  };
  if (group?.validUntil != null) item.validUntil = formatDate(group.validUntil);
  if (message.encrypted) item.isEncrypted = true;
  return item;
}

/** Content end-to-end encrypted in SMSGate's format (§6.3), which the app decrypts. */
export function isSmsGateCipher(content: string): boolean {
  return content.startsWith('$aes-256-cbc/pbkdf2-sha1$');
}

const FOREIGN_CIPHER =
  'the message is encrypted with the httpSMS scheme, which the SMSGate app cannot decrypt; send it unencrypted or encrypted for SMSGate';

/**
 * Hand-off order; messages handed off and created in the same millisecond keep
 * their creation order by id (time-ordered ids).
 */
function handoffOrder(a: MessageRecord, b: MessageRecord): number {
  return (
    (a.scheduledAt ?? 0) - (b.scheduledAt ?? 0) ||
    a.createdAt - b.createdAt ||
    a.bulkIndex - b.bulkIndex ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** `GET /message`: the device's handed-off messages, taken, up to `pullLimit`. */
export async function pullMessages(mc: MobileContext, ctx: RequestContext): Promise<void> {
  const authed = await requireDevice(mc, ctx.req);
  const order = parseOrder(ctx.query.get('order'));
  const host = mc.host();
  const { device, principal } = authed;
  const waiting: MessageRecord[] = [];
  for (const number of principal.phoneNumbers ?? []) {
    const phone = await host.lookups.phoneByNumber(device.accountId, number);
    if (phone) waiting.push(...(await host.lookups.handedOff(phone)));
  }
  waiting.sort(handoffOrder);
  if (order === 'lifo') waiting.reverse();
  const items: Record<string, unknown>[] = [];
  for (const message of waiting) {
    if (items.length >= mc.options.pullLimit) break;
    let taken: MessageRecord;
    try {
      taken = await host.phoneApi.takeOutstanding(principal, message.id);
    } catch (error) {
      // Canceled or taken meanwhile: not the device's to send.
      if (!isGatewayError(error)) throw error;
      continue;
    }
    if (taken.encrypted && !isSmsGateCipher(taken.content)) {
      await host.phoneApi.reportEvent(principal, taken.id, {
        event: 'FAILED',
        reason: FOREIGN_CIPHER,
        final: true,
      });
      continue;
    }
    const group = await mc.store.findGroupByMessageId(device.accountId, taken.id);
    items.push(pulledItem(taken, device, group));
  }
  if (waiting.length > items.length) mc.backlog.add(device.id);
  else mc.backlog.delete(device.id);
  sendJson(ctx.res, 200, items);
}

export interface StateReport {
  id: string;
  state: string;
  recipients: { phoneNumber: string; state: string; error?: string }[];
  states: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** A `PATCH /message` body: an array (≤100) of snapshots; 400 when it is not. */
export function parseReports(body: unknown): StateReport[] {
  if (!Array.isArray(body)) throw badRequest('request body must be an array of message states');
  if (body.length > 100) throw badRequest('at most 100 message states per request');
  return body.map((raw, i) => {
    const bad = (what: string) => badRequest(`[${i}]: ${what}`);
    if (!isObject(raw)) throw bad('must be an object');
    if (typeof raw.id !== 'string' || raw.id === '' || raw.id.length > 36) {
      throw bad('id must be a string of 1 to 36 characters');
    }
    if (typeof raw.state !== 'string') throw bad('state is required');
    if (!Array.isArray(raw.recipients)) throw bad('recipients must be an array');
    const recipients = raw.recipients.map((r, j) => {
      if (!isObject(r) || typeof r.phoneNumber !== 'string' || typeof r.state !== 'string') {
        throw bad(`recipients[${j}] must have a phoneNumber and a state`);
      }
      const error = typeof r.error === 'string' ? r.error : undefined;
      return { phoneNumber: r.phoneNumber, state: r.state, ...(error ? { error } : {}) };
    });
    if (raw.states !== undefined && raw.states !== null && !isObject(raw.states)) {
      throw bad('states must be an object');
    }
    return { id: raw.id, state: raw.state, recipients, states: raw.states ?? {} };
  });
}

/** The phone events one snapshot stands for, in order (SENT before DELIVERED). */
export function eventsOf(report: StateReport): 'take' | PhoneEventInput[] | null {
  const recipient = report.recipients[0];
  const state = (recipient?.state ?? report.state) as SmsGateState;
  if (!SMSGATE_STATES.includes(state)) return null;
  const at = (name: SmsGateState) => parseDate(report.states[name]);
  const sent: PhoneEventInput = { event: 'SENT', timestamp: at('Sent') ?? at('Delivered') };
  switch (state) {
    case 'Pending':
    case 'Processed':
      return 'take';
    case 'Sent':
      return [sent];
    case 'Delivered':
      return [sent, { event: 'DELIVERED', timestamp: at('Delivered') }];
    case 'Failed': {
      // The app never sends an id again, so a retry could not be sent: the failure is final.
      const failed: PhoneEventInput = {
        event: 'FAILED',
        timestamp: at('Failed'),
        reason: recipient?.error ?? 'Failed',
        final: true,
      };
      return at('Sent') === null ? [failed] : [{ event: 'SENT', timestamp: at('Sent') }, failed];
    }
    case 'Cancelled':
      // Canceled in textport: the lifecycle ignores it; else the phone gave up on it.
      return [
        {
          event: 'FAILED',
          timestamp: at('Cancelled'),
          reason: 'Cancelled on the phone',
          final: true,
        },
      ];
    default:
      return null;
  }
}

/** Applies one snapshot; errors stay with it. */
async function applyReport(
  mc: MobileContext,
  principal: Principal,
  report: StateReport,
): Promise<void> {
  const host = mc.host();
  const events = eventsOf(report);
  try {
    if (events === null) return;
    const id = await messageIdOf(mc.store, principal.accountId, report.id);
    if (events === 'take') {
      await host.phoneApi.takeOutstanding(principal, id).catch(() => null);
      return;
    }
    for (const input of events) await host.phoneApi.reportEvent(principal, id, input);
  } catch (error) {
    // Unknown ids, another device's messages and bad timestamps are not the app's to retry.
    if (isGatewayError(error) && !isServerFault(error)) {
      host.logger.debug({ err: error, messageId: report.id }, 'SMSGate state report ignored');
      return;
    }
    host.logger.warn(
      { err: error, messageId: report.id },
      'could not apply an SMSGate state report',
    );
  }
}

/** `PATCH /message`: 204 for every well-formed body, whatever became of each item. */
export async function reportStates(mc: MobileContext, ctx: RequestContext): Promise<void> {
  const { device, principal } = await requireDevice(mc, ctx.req);
  const reports = parseReports(await readJson(ctx.req, mc.options.maxBodyBytes));
  for (const report of reports) await applyReport(mc, principal, report);
  sendEmpty(ctx.res, 204);
  // The last pull left messages behind: have the app pull again.
  if (mc.backlog.delete(device.id)) mc.streams.send(device.id, 'MessageEnqueued');
}
