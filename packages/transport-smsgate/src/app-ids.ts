/**
 * The ids the SMSGate app knows messages by. A message pulled by the app is known to
 * it, to its reports and to the webhooks it calls itself by the id of its pull item.
 */
import type { GroupRecord, SmsGateStore } from './store/types.js';

/**
 * The id the app knows a message by: the SMSGate id of a one-recipient message, so
 * the app's own webhooks (`sms:sent`, `sms:delivered`, `sms:failed`) and its reports
 * carry the id the client was given; else textport's id of the recipient's message
 * (a message to several recipients is handed off, and pulled, one recipient at a time,
 * each under its own id).
 */
export function appIdOf(message: { id: string }, group: GroupRecord | null): string {
  return group !== null && group.messageIds.length === 1 ? group.id : message.id;
}

/** The textport message an id of the app stands for (see `appIdOf`). */
export async function messageIdOf(
  store: SmsGateStore,
  accountId: string,
  appId: string,
): Promise<string> {
  const group = await store.getGroup(accountId, appId);
  return group !== null && group.messageIds.length === 1 ? (group.messageIds[0] as string) : appId;
}
