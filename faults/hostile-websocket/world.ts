/**
 * The world the hostile WebSocket phones run against: an account whose phone key
 * serves two numbers, another account with a phone and a message of its own, keys
 * that once worked (a rotated user key, a deleted phone key), and an account with
 * 300 phones that the flood's sockets share out.
 */
import type { Gateway } from '@textport/core';

export const CONTACT = '+18005550142';
export const MINE = ['+18005550100', '+18005550101'];
export const THEIRS = '+447700900123';
export const FRESH = '+4915112345678';
export const bigNumbers = Array.from({ length: 300 }, (_, i) => `+1800555${String(2000 + i)}`);

export interface World {
  userKey: string;
  phoneKey: string;
  otherKey: string;
  revoked: string[];
  /** A message of the other account (its phone may not ack it). */
  theirMessage: string;
  /** A user key of an account with 300 phones (`bigNumbers`), shared out among the flood's sockets. */
  bigKey: string;
}

export async function seedWorld(gateway: Gateway): Promise<World> {
  const { record: me, apiKey: userKey } = await gateway.accounts.create({ email: 'a@example.com' });
  const key = await gateway.accounts.createPhoneKey(me.id, { name: 'phone' });
  for (const [i, phoneNumber] of MINE.entries()) {
    const principal = await gateway.accounts.authenticate(key.apiKey);
    if (!principal) throw new Error('the phone key does not authenticate');
    await gateway.phoneApi.updateFcmToken(principal, {
      phoneNumber,
      fcmToken: null,
      sim: i === 0 ? 'SIM1' : 'SIM2',
    });
  }
  const { record: them } = await gateway.accounts.create({ email: 'b@example.com' });
  const other = await gateway.accounts.createPhoneKey(them.id, { name: 'theirs' });
  const principal = await gateway.accounts.authenticate(other.apiKey);
  if (!principal) throw new Error('the other phone key does not authenticate');
  await gateway.phoneApi.updateFcmToken(principal, { phoneNumber: THEIRS, fcmToken: null });
  const theirs = await gateway.messages.send(them.id, { from: THEIRS, to: CONTACT, content: 'x' });
  const { record: rotated, apiKey: oldKey } = await gateway.accounts.create({});
  await gateway.accounts.rotateApiKey(rotated.id);
  const deleted = await gateway.accounts.createPhoneKey(me.id, { name: 'deleted' });
  await gateway.accounts.deletePhoneKey(me.id, deleted.record.id);
  const { record: big, apiKey: bigKey } = await gateway.accounts.create({});
  for (const phoneNumber of bigNumbers) await gateway.phones.upsert(big.id, { phoneNumber });
  return {
    userKey,
    phoneKey: key.apiKey,
    otherKey: other.apiKey,
    revoked: [oldKey, deleted.apiKey],
    theirMessage: theirs.id,
    bigKey,
  };
}
