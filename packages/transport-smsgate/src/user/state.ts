/**
 * SMSGate's MessageState (§5.3) computed from textport messages: one recipient per
 * textport message, the message state by the phone's aggregation rule (§6.2), and
 * the `states` timestamps from the messages' own times.
 */
import type { MessageRecord } from '@textport/core';
import type { DeviceRecord, GroupRecord } from '../store/types.js';
import type { SmsGateState } from '../wire.js';
import { aggregateState, errorOf, formatDate, stateOf } from '../wire.js';
import type { UserApiContext } from './types.js';

export interface RecipientState {
  phoneNumber: string;
  state: SmsGateState;
  error?: string;
}

export interface MessageState {
  id: string;
  deviceId: string;
  state: SmsGateState;
  isHashed: false;
  isEncrypted: boolean;
  recipients: RecipientState[];
  states: Partial<Record<SmsGateState, string>>;
  textMessage?: { text: string };
}

/** An SMSGate message as the user API sees it: a group, or a lone textport message. */
export interface SmsGateMessage {
  accountId: string;
  id: string;
  deviceId: string;
  /** In recipient order; a recipient whose textport message was deleted is left out. */
  messages: MessageRecord[];
  group: GroupRecord | null;
}

/** The earliest of the non-null values. */
function earliest(values: readonly (number | null)[]): number | null {
  let min: number | null = null;
  for (const v of values) if (v !== null && (min === null || v < min)) min = v;
  return min;
}

/**
 * When the message first entered each state: Pending at creation, Processed when
 * a phone first took a recipient, Sent / Delivered / Failed / Cancelled when the
 * first recipient got there (a message-level entry, like the phone's, not one a
 * recipient).
 */
export function statesOf(messages: readonly MessageRecord[]): MessageState['states'] {
  const states: MessageState['states'] = {};
  const put = (state: SmsGateState, at: number | null) => {
    if (at !== null) states[state] = formatDate(at);
  };
  put('Pending', earliest(messages.map((m) => m.createdAt)));
  put('Processed', earliest(messages.map((m) => m.lastAttemptedAt)));
  put('Sent', earliest(messages.map((m) => m.sentAt)));
  put('Delivered', earliest(messages.map((m) => m.deliveredAt)));
  put(
    'Failed',
    earliest(messages.map((m) => (stateOf(m) === 'Failed' ? (m.failedAt ?? m.expiredAt) : null))),
  );
  put('Cancelled', earliest(messages.map((m) => m.canceledAt)));
  return states;
}

export function messageState(message: SmsGateMessage, includeContent: boolean): MessageState {
  const recipients = message.messages.map((m): RecipientState => {
    const state = stateOf(m);
    const error = errorOf(m);
    return error === undefined
      ? { phoneNumber: m.contact, state }
      : { phoneNumber: m.contact, state, error };
  });
  const result: MessageState = {
    id: message.id,
    deviceId: message.deviceId,
    state: aggregateState(recipients.map((r) => r.state)),
    isHashed: false,
    isEncrypted: message.messages.some((m) => m.encrypted),
    recipients,
    states: statesOf(message.messages),
  };
  const first = message.messages[0];
  if (includeContent && first) result.textMessage = { text: first.content };
  return result;
}

/** The group's textport messages in recipient order. */
export async function loadGroup(ctx: UserApiContext, group: GroupRecord): Promise<SmsGateMessage> {
  const rows = await ctx.gateway.store.getMessages(group.accountId, group.messageIds);
  const byId = new Map(rows.map((m) => [m.id, m]));
  const messages = group.messageIds
    .map((id) => byId.get(id))
    .filter((m): m is MessageRecord => m !== undefined);
  return { accountId: group.accountId, id: group.id, deviceId: group.deviceId, messages, group };
}

/** The device sending for a textport number, if any ("" otherwise). */
function deviceFor(devices: readonly DeviceRecord[], owner: string): string {
  return devices.find((d) => d.phoneNumbers.includes(owner))?.id ?? '';
}

/**
 * An SMSGate message by id: the group with this SMSGate id, else an outgoing
 * textport message with this id (sent through the httpSMS API, say) as a
 * one-recipient message. Null when neither exists (or none of the group's
 * textport messages is left).
 */
export async function findMessage(
  ctx: UserApiContext,
  accountId: string,
  id: string,
): Promise<SmsGateMessage | null> {
  const group = await ctx.link.store.getGroup(accountId, id);
  if (group) {
    // A group whose textport messages were all deleted (httpSMS API) is gone too.
    const loaded = await loadGroup(ctx, group);
    return loaded.messages.length > 0 ? loaded : null;
  }
  const message = await ctx.gateway.store.getMessage(accountId, id);
  if (message?.type !== 'mobile-terminated') return null;
  const devices = await ctx.link.store.listDevices(accountId);
  return {
    accountId,
    id: message.id,
    deviceId: deviceFor(devices, message.owner),
    messages: [message],
    group: null,
  };
}
