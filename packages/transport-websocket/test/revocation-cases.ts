/**
 * The revocation scenarios, run on two nodes sharing a store and a notifier
 * (memory in `revocation.test.ts`, Postgres LISTEN/NOTIFY in
 * `cluster.postgres.test.ts`): a socket held by node B while its key is revoked
 * through node A is closed with 4401, and nothing reaches or leaves it after.
 */

import type { PhoneRecord } from '@textport/core';
import { WAIT } from '@textport/core/testing';
import { expect, it, vi } from 'vitest';
import { CLOSE_CODES } from '../src/index.js';
import type { GatewayNode } from './helpers.js';
import { accountWithPhone, CONTACT, rawSocket } from './helpers.js';

type Fixture = Awaited<ReturnType<typeof accountWithPhone>>;

interface Revocation {
  name: string;
  /** The key the socket says hello with. */
  key(f: Fixture): string;
  revoke(a: GatewayNode, f: Fixture): Promise<void>;
}

async function phoneKeyId(node: GatewayNode, f: Fixture): Promise<string> {
  const keys = await node.gateway.accounts.listPhoneKeys(f.account.id, { limit: 10 });
  return keys[0]?.id as string;
}

export const REVOCATIONS: readonly Revocation[] = [
  {
    name: 'its phone key is deleted',
    key: (f) => f.phoneKey,
    revoke: async (a, f) => a.gateway.accounts.deletePhoneKey(f.account.id, await phoneKeyId(a, f)),
  },
  {
    name: 'the user key it said hello with is rotated',
    key: (f) => f.userKey,
    revoke: async (a, f) => void (await a.gateway.accounts.rotateApiKey(f.account.id)),
  },
  {
    name: 'its number is unbound from its phone key',
    key: (f) => f.phoneKey,
    revoke: async (a, f) =>
      void (await a.gateway.accounts.removePhoneFromKey(
        f.account.id,
        await phoneKeyId(a, f),
        f.phone.id,
      )),
  },
];

async function receivedCount(node: GatewayNode, f: Fixture): Promise<number> {
  const found = await node.gateway.messages.search(f.account.id, {
    types: ['mobile-originated'],
    limit: 1000,
  });
  return found.length;
}

/** Registers one test per revocation; `twoNodes` builds nodes A and B on one store. */
export function revocationTests(twoNodes: () => Promise<{ a: GatewayNode; b: GatewayNode }>) {
  for (const revocation of REVOCATIONS) {
    it(`closes a socket on node B with 4401 when ${revocation.name} through node A`, async () => {
      const { a, b } = await twoNodes();
      const f = await accountWithPhone(a);
      const phone: PhoneRecord = f.phone;
      const socket = await rawSocket(b.url, { 'x-api-key': revocation.key(f) });
      socket.send({ type: 'hello', id: 'h', phone_numbers: [phone.phoneNumber] });
      await vi.waitFor(() => expect(socket.frames).toHaveLength(1), WAIT);
      expect(socket.frames[0]).toMatchObject({ type: 'welcome' });
      expect(b.transport.reach().phoneIds).toEqual([phone.id]);

      // Reports keep coming while the key is revoked, until the socket closes.
      let sent = 0;
      const report = () =>
        socket.send({
          type: 'received',
          id: `r${sent++}`,
          from: CONTACT,
          to: phone.phoneNumber,
          content: 'hi',
        });
      const reporting = setInterval(report, 2);
      try {
        await vi.waitFor(() => expect(sent).toBeGreaterThan(3), WAIT);
        await revocation.revoke(a, f);
        const closed = await socket.closed;
        expect(closed.code).toBe(CLOSE_CODES.unauthorized);
      } finally {
        clearInterval(reporting);
      }
      // The revocation is the last frame: every report stored was answered before it.
      const last = socket.frames.at(-1);
      expect(last).toMatchObject({ type: 'error', id: null, code: 'unauthorized' });
      const results = socket.frames.filter((frame) => frame.type === 'result');
      expect(await receivedCount(a, f)).toBe(results.length);
      expect(b.transport.reach().phoneIds).toEqual([]);

      // A message sent now is not pushed to it.
      await a.gateway.messages.send(f.account.id, {
        from: phone.phoneNumber,
        to: CONTACT,
        content: 'after the revocation',
      });
      b.transport.notify(phone, []).catch(() => undefined);
      expect(b.transport.reach().has(phone)).toBe(false);
      expect(socket.frames.some((frame) => frame.type === 'message')).toBe(false);
    });
  }
}
