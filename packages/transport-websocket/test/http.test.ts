/** The httpSMS API over real HTTP and the phone socket on one `http.Server`, one port. */
import { WAIT } from '@textport/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { accountWithPhone, CONTACT, gatewayNode, virtualPhone } from './helpers.js';

describe('API over HTTP, phone over WebSocket, same server', () => {
  it('POST /v1/messages/send reaches the phone; the API then shows it delivered', async () => {
    const node = await gatewayNode({ api: true });
    const { userKey, phoneKey, phone } = await accountWithPhone(node);
    const device = virtualPhone({ url: node.url, apiKey: phoneKey, deliver: true });
    await device.connect();

    const api = `http://127.0.0.1:${node.port}`;
    const response = await fetch(`${api}/v1/messages/send`, {
      method: 'POST',
      headers: { 'x-api-key': userKey, 'content-type': 'application/json' },
      body: JSON.stringify({ from: phone.phoneNumber, to: CONTACT, content: 'over HTTP' }),
    });
    expect(response.status).toBe(200);
    const sent = (await response.json()) as { data: { id: string; status: string } };
    expect(sent.data.status).toBe('pending');

    await vi.waitFor(async () => {
      const res = await fetch(`${api}/v1/messages/${sent.data.id}`, {
        headers: { 'x-api-key': userKey },
      });
      const body = (await res.json()) as { data: { status: string } };
      expect(body.data.status).toBe('delivered');
    }, WAIT);
    expect(device.sender.sent.map((s) => [s.id, s.content])).toEqual([[sent.data.id, 'over HTTP']]);
  });

  it('leaves other upgrade paths and plain requests to the host', async () => {
    const node = await gatewayNode({ api: true });
    // A plain GET of the socket path is the host's: the API answers it as any unknown route.
    const res = await fetch(`http://127.0.0.1:${node.port}/v1/phones/ws`);
    expect(res.status).toBe(404);
    expect(res.headers.get('upgrade')).toBeNull();
    expect(await res.json()).toEqual({ status: 'error', message: 'Cannot GET /v1/phones/ws' });
    const { phoneKey } = await accountWithPhone(node);
    const wrongPath = virtualPhone({
      url: `ws://127.0.0.1:${node.port}/elsewhere`,
      apiKey: phoneKey,
      reconnect: { minDelayMs: 5000, maxDelayMs: 5000 },
    });
    const closed = new Promise<number>((resolve) =>
      wrongPath.once('disconnected', (info) => resolve(info.code)),
    );
    void wrongPath.connect().catch(() => {});
    expect(await closed).toBe(1006);
    expect(node.transport.stats().sockets).toBe(0);
  });
});
