/**
 * The hand-off follows a wake-up, not the dispatcher's safety poll: with the poll a
 * minute away, a message still reaches the phone well within the wait.
 */
import { WAIT } from '@textport/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { accountWithPhone, CONTACT, gatewayNode, virtualPhone } from './helpers.js';

/** The longest safety poll the gateway accepts: 12 times `WAIT.timeout`. */
const SLOW_POLL = { dispatch: { pollIntervalMs: 60_000 } };

describe('wake-ups over the socket (safety poll a minute away)', () => {
  it('hands the backlog off when the phone connects', async () => {
    const node = await gatewayNode({ gateway: SLOW_POLL });
    const { account, phoneKey, phone } = await accountWithPhone(node);
    const m = await node.gateway.messages.send(account.id, {
      from: phone.phoneNumber,
      to: CONTACT,
      content: 'waiting for the phone',
    });
    const device = virtualPhone({ url: node.url, apiKey: phoneKey });
    await device.connect();
    await vi.waitFor(() => expect(device.sender.sent.map((s) => s.id)).toEqual([m.id]), WAIT);
  });

  it('hands a message off as soon as it is sent to a connected phone', async () => {
    const node = await gatewayNode({ gateway: SLOW_POLL });
    const { account, phoneKey, phone } = await accountWithPhone(node);
    const device = virtualPhone({ url: node.url, apiKey: phoneKey });
    await device.connect();
    const m = await node.gateway.messages.send(account.id, {
      from: phone.phoneNumber,
      to: CONTACT,
      content: 'straight out',
    });
    await vi.waitFor(() => expect(device.sender.sent.map((s) => s.id)).toEqual([m.id]), WAIT);
  });
});
