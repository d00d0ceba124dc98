import type { Notifier } from '@textport/core';
import { createLocalNotifier, createMemoryStore } from '@textport/core';
import { WAIT } from '@textport/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { CLOSE_CODES } from '../src/index.js';
import { accountWithPhone, gatewayNode, rawSocket } from './helpers.js';
import { revocationTests } from './revocation-cases.js';

/** Two gateway nodes on one store and one notifier. */
async function twoNodes(notifier: Notifier = createLocalNotifier(), keyCheckIntervalMs?: number) {
  const store = createMemoryStore();
  const transport = keyCheckIntervalMs === undefined ? {} : { keyCheckIntervalMs };
  const a = await gatewayNode({ store, gateway: { notifier, nodeId: 'node-a' } });
  const b = await gatewayNode({ store, transport, gateway: { notifier, nodeId: 'node-b' } });
  return { a, b };
}

describe('revoking a key closes its open sockets', () => {
  revocationTests(() => twoNodes());

  it('keeps a socket that serves two numbers open when one is unbound, and stops serving that one', async () => {
    const { a, b } = await twoNodes();
    const f = await accountWithPhone(a);
    const second = '+18005550188';
    const principal = await a.gateway.accounts.authenticate(f.phoneKey);
    if (!principal) throw new Error('the phone key does not resolve');
    const other = await a.gateway.phoneApi.updateFcmToken(principal, {
      phoneNumber: second,
      fcmToken: null,
      sim: 'SIM2',
    });
    const socket = await rawSocket(b.url, { 'x-api-key': f.phoneKey });
    socket.send({ type: 'hello', id: 'h', phone_numbers: [f.phone.phoneNumber, second] });
    await vi.waitFor(() => expect(socket.frames).toHaveLength(1), WAIT);
    const [key] = await a.gateway.accounts.listPhoneKeys(f.account.id);
    await a.gateway.accounts.removePhoneFromKey(f.account.id, key?.id as string, other.id);
    await vi.waitFor(() => expect(b.transport.reach().phoneIds).toEqual([f.phone.id]), WAIT);
    socket.send({ type: 'heartbeat', id: 'b', phone_numbers: [second] });
    await vi.waitFor(() => expect(socket.frames).toHaveLength(2), WAIT);
    expect(socket.frames[1]).toMatchObject({ type: 'error', id: 'b', code: 'unauthorized' });
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
  });

  it('closes a revoked key’s socket on the periodic check when the notification is lost', async () => {
    const local = createLocalNotifier();
    const lossy: Notifier = {
      publish: (topic) => (topic === 'keys' ? Promise.resolve() : local.publish(topic)),
      subscribe: (topic, listener) => local.subscribe(topic, listener),
    };
    const { a, b } = await twoNodes(lossy, 50);
    const f = await accountWithPhone(a);
    const socket = await rawSocket(b.url, { 'x-api-key': f.phoneKey });
    socket.send({ type: 'hello', id: 'h' });
    await vi.waitFor(() => expect(socket.frames).toHaveLength(1), WAIT);
    const [key] = await a.gateway.accounts.listPhoneKeys(f.account.id);
    await a.gateway.accounts.deletePhoneKey(f.account.id, key?.id as string);
    expect((await socket.closed).code).toBe(CLOSE_CODES.unauthorized);
  });
});

describe('a key revoked while its socket says hello', () => {
  it('gets no welcome when its header key was revoked before the hello', async () => {
    let resolved = 0;
    const node = await gatewayNode({
      host: (host) => ({
        ...host,
        authenticate: async (key) => {
          const principal = await host.authenticate(key);
          resolved++;
          return principal;
        },
      }),
    });
    const f = await accountWithPhone(node);
    const socket = await rawSocket(node.url, { 'x-api-key': f.phoneKey });
    // The header key was resolved when the socket opened; then it is deleted.
    await vi.waitFor(() => expect(resolved).toBe(1), WAIT);
    const [key] = await node.gateway.accounts.listPhoneKeys(f.account.id);
    await node.gateway.accounts.deletePhoneKey(f.account.id, key?.id as string);
    socket.send({ type: 'hello', id: 'h' });
    expect((await socket.closed).code).toBe(CLOSE_CODES.unauthorized);
    expect(socket.frames).toEqual([expect.objectContaining({ type: 'error', id: 'h' })]);
    expect(node.transport.reach().phoneIds).toEqual([]);
  });

  it('gets no welcome when its user key is rotated while the hello registers a number', async () => {
    let rotate = async () => {};
    const node = await gatewayNode({
      host: (host) => ({
        ...host,
        phoneApi: {
          ...host.phoneApi,
          updateFcmToken: async (principal, input) => {
            const phone = await host.phoneApi.updateFcmToken(principal, input);
            await rotate();
            return phone;
          },
        },
      }),
    });
    const f = await accountWithPhone(node);
    rotate = async () => void (await node.gateway.accounts.rotateApiKey(f.account.id));
    const socket = await rawSocket(node.url, { 'x-api-key': f.userKey });
    socket.send({ type: 'hello', id: 'h', phone_numbers: ['+18005550177'], register: true });
    await vi.waitFor(() => expect(socket.frames).toHaveLength(1), WAIT);
    expect(socket.frames[0]).toMatchObject({ type: 'error', id: 'h', code: 'unauthorized' });
    expect((await socket.closed).code).toBe(CLOSE_CODES.unauthorized);
  });
});
