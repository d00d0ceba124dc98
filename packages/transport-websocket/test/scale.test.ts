import { once } from 'node:events';
import { makePhone, WAIT } from '@textport/core/testing';
import { describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { CONTACT, gatewayNode, onCleanup } from './helpers.js';

const PHONES = 1000;
const BATCH = 100;

describe('many phones on one node', () => {
  it('serves 1,000 connected phones, each with its own socket', async () => {
    const node = await gatewayNode();
    const { record: account, apiKey } = await node.gateway.accounts.create();
    const phones = Array.from({ length: PHONES }, (_, i) =>
      makePhone({
        accountId: account.id,
        phoneNumber: `+1202555${String(i).padStart(4, '0')}`,
        messagesPerMinute: 0,
      }),
    );
    for (const phone of phones) await node.store.insertPhone(phone);

    const sockets: WebSocket[] = [];
    const pushes = new Map<string, string[]>();
    onCleanup(async () => {
      for (const ws of sockets) ws.terminate();
    });
    for (let start = 0; start < PHONES; start += BATCH) {
      const batch = phones.slice(start, start + BATCH).map(async (phone) => {
        const ws = new WebSocket(node.url, { headers: { 'x-api-key': apiKey } });
        sockets.push(ws);
        const welcomed = new Promise<void>((resolve) => {
          ws.on('message', (data) => {
            const frame = JSON.parse(data.toString());
            if (frame.type === 'welcome') resolve();
            if (frame.type === 'message') {
              pushes.set(phone.id, [...(pushes.get(phone.id) ?? []), frame.message.id]);
            }
          });
        });
        await once(ws, 'open');
        ws.send(
          JSON.stringify({ v: 1, type: 'hello', id: 'h', phone_numbers: [phone.phoneNumber] }),
        );
        await welcomed;
      });
      await Promise.all(batch);
    }
    expect(node.transport.stats()).toMatchObject({ sockets: PHONES, phones: PHONES });
    expect(new Set(node.transport.reach().phoneIds)).toEqual(new Set(phones.map((p) => p.id)));

    const targets = [phones[0], phones[499], phones[999]].filter((p) => p !== undefined);
    const sent = await Promise.all(
      targets.map((p) =>
        node.gateway.messages.send(account.id, { from: p.phoneNumber, to: CONTACT, content: 'x' }),
      ),
    );
    await vi.waitFor(() => {
      expect(targets.map((p) => pushes.get(p.id))).toEqual(sent.map((m) => [m.id]));
    }, WAIT);
    expect(pushes.size).toBe(3);
  });
});
