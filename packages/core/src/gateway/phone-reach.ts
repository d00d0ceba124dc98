/**
 * Which of this node's transports can hand messages to each phone of an account right now (a
 * WebSocket or SMSGate link held here, an FCM token, a modem): the dashboard's "Transport"
 * column. Links are per node, so in a cluster another node may reach a phone this one does not.
 */
import type { GatewayContext } from '../uow/context.js';

export interface PhoneReach {
  phoneId: string;
  phoneNumber: string;
  /** Names of the transports that reach the phone through this node; empty when none does. */
  transports: string[];
}

/** The account's phones (at most 1,000) and the transports reaching each. */
export async function phoneReach(ctx: GatewayContext, accountId: string): Promise<PhoneReach[]> {
  const phones = await ctx.store.listPhones({ accountId, skip: 0, limit: 1000 });
  const reaches = ctx.transports.flatMap((t) => {
    try {
      return [{ name: t.name, reach: t.reach() }];
    } catch {
      // A transport that cannot say (not started) reaches nothing yet.
      return [];
    }
  });
  return phones.map((phone) => ({
    phoneId: phone.id,
    phoneNumber: phone.phoneNumber,
    transports: reaches.filter((r) => r.reach.has(phone)).map((r) => r.name),
  }));
}
