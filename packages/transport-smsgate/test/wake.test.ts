/**
 * The hand-off follows a wake-up, not the dispatcher's safety poll: with the poll a
 * minute away, the app is still nudged and pulls well within the wait.
 */
import { WAIT } from '@textport/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { accountWithKey, CONTACT, fakeApp, OWNER, registeredApp, smsgateNode } from './helpers.js';

/** The longest safety poll the gateway accepts: 12 times `WAIT.timeout`. */
const SLOW_POLL = { dispatch: { pollIntervalMs: 60_000 } };

describe('wake-ups over the SMSGate event stream (safety poll a minute away)', () => {
  it('hands the backlog off when the app opens its stream', async () => {
    const node = await smsgateNode({ gateway: SLOW_POLL });
    const { account, phoneKey } = await accountWithKey(node);
    const app = fakeApp(node);
    expect(await app.register(phoneKey)).toBe(201);
    await node.gateway.phones.upsert(account.id, { phoneNumber: OWNER, messagesPerMinute: 0 });
    const m = await node.gateway.messages.send(account.id, {
      from: OWNER,
      to: CONTACT,
      content: 'waiting for the stream',
    });
    expect(await app.connect()).toBe(200);
    await vi.waitFor(() => expect([...app.messages.keys()]).toEqual([m.id]), WAIT);
  });

  it('hands a message off as soon as it is sent to a streaming app', async () => {
    const node = await smsgateNode({ gateway: SLOW_POLL });
    const { account, app } = await registeredApp(node);
    const m = await node.gateway.messages.send(account.id, {
      from: OWNER,
      to: CONTACT,
      content: 'straight out',
    });
    await vi.waitFor(() => expect([...app.messages.keys()]).toEqual([m.id]), WAIT);
  });
});
