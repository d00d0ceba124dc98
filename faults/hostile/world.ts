/**
 * The world the hostile requests run against: two accounts, each with phones, a
 * user key, a phone key bound to a phone and a spare one, messages in every state,
 * threads, a webhook and a send schedule; and keys that once worked (a rotated user
 * key, a deleted phone key).
 */
import type { Gateway } from '@textport/core';

/** Numbers nobody in the store has. */
export const FRESH_NUMBERS = ['+4915112345678', '+33612345678', '+61412345678'];
/** Contacts: the other ends of seeded messages and of generated ones. */
export const CONTACTS = ['+18005550142', '+447700900456', '12345', '+4915112345679'];

export interface Side {
  id: string;
  userKey: string;
  /** Bound to `numbers[0]` by an FCM-token login. */
  phoneKey: string;
  phoneKeyId: string;
  /** A phone key bound to no phone. */
  spareKey: string;
  spareKeyId: string;
  numbers: string[];
  phoneIds: string[];
  /** Pending, sending, sent, received and missed-call messages. */
  messageIds: string[];
  receivedId: string;
  threadIds: string[];
  webhookId: string;
  scheduleId: string;
}

export interface World {
  a: Side;
  b: Side;
  /** A rotated user key and a deleted phone key. */
  revoked: string[];
}

async function seedSide(gateway: Gateway, email: string, numbers: string[]): Promise<Side> {
  const { record: account, apiKey: userKey } = await gateway.accounts.create({ email });
  const id = account.id;
  const schedule = await gateway.schedules.create(id, {
    name: 'Office hours',
    timezone: 'Europe/Berlin',
    windows: [{ dayOfWeek: 1, startMinute: 480, endMinute: 1020 }],
  });
  const phoneIds: string[] = [];
  for (const phoneNumber of numbers) {
    const phone = await gateway.phones.upsert(id, { phoneNumber, sendScheduleId: schedule.id });
    phoneIds.push(phone.id);
  }
  const owner = numbers[0] ?? '';
  const bound = await gateway.accounts.createPhoneKey(id, { name: 'phone' });
  const unbound = await gateway.accounts.authenticate(bound.apiKey);
  if (!unbound) throw new Error('the phone key does not authenticate');
  await gateway.phoneApi.updateFcmToken(unbound, { phoneNumber: owner, fcmToken: `fcm-${id}` });
  const principal = await gateway.accounts.authenticate(bound.apiKey);
  if (!principal) throw new Error('the phone key does not authenticate');
  const spare = await gateway.accounts.createPhoneKey(id, { name: 'spare' });
  const webhook = await gateway.webhooks.create(id, {
    url: 'https://hooks.example.com/textport',
    events: ['message.phone.received', 'message.phone.sent', 'message.send.failed'],
    phoneNumbers: numbers,
  });
  const send = (content: string) =>
    gateway.messages.send(id, { from: owner, to: CONTACTS[0] ?? '', content });
  const pending = await send('still pending');
  const sending = await send('taken by the phone');
  await gateway.phoneApi.takeOutstanding(principal, sending.id);
  const sent = await send('sent already');
  await gateway.phoneApi.takeOutstanding(principal, sent.id);
  await gateway.phoneApi.reportEvent(principal, sent.id, { event: 'SENT' });
  const received = await gateway.phoneApi.receive(principal, {
    from: CONTACTS[1] ?? '',
    to: owner,
    content: 'hello from outside',
  });
  const missed = await gateway.phoneApi.missedCall(principal, {
    from: CONTACTS[3] ?? '',
    to: owner,
  });
  await gateway.phoneApi.heartbeat(principal, { phoneNumbers: [owner], charging: true });
  const threads = await gateway.threads.list(id, { owner });
  return {
    id,
    userKey,
    phoneKey: bound.apiKey,
    phoneKeyId: bound.record.id,
    spareKey: spare.apiKey,
    spareKeyId: spare.record.id,
    numbers,
    phoneIds,
    messageIds: [pending.id, sending.id, sent.id, received.id, missed.id],
    receivedId: received.id,
    threadIds: threads.map((t) => t.id),
    webhookId: webhook.id,
    scheduleId: schedule.id,
  };
}

export async function seedWorld(gateway: Gateway): Promise<World> {
  const a = await seedSide(gateway, 'a@example.com', ['+18005550100']);
  const b = await seedSide(gateway, 'b@example.com', ['+18005550199', '+447700900123']);
  const { record: c, apiKey: rotated } = await gateway.accounts.create({ email: 'c@example.com' });
  await gateway.accounts.rotateApiKey(c.id);
  const deleted = await gateway.accounts.createPhoneKey(a.id, { name: 'deleted' });
  await gateway.accounts.deletePhoneKey(a.id, deleted.record.id);
  return { a, b, revoked: [rotated, deleted.apiKey] };
}
