/**
 * End to end with a GSM modem: a send over the HTTP API → the gateway → the phone
 * socket → `textport-phone --driver modem` (runPhoneCli, in-process) → an SMS-SUBMIT
 * PDU on the emulated modem's serial line → a status report → `delivered`, with
 * the webhooks a receiver gets; and an SMS the modem receives, the other way.
 */

import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WAIT } from '@textport/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { encodeSubmit } from '../src/client/drivers/modem/pdu.js';
import { runPhoneCli } from '../src/phone-cli.js';
import { accountWithPhone, CONTACT, gatewayNode, listen, onCleanup } from './helpers.js';
import { ModemEmulator } from './modem-emulator.js';

/** A webhook receiver: the event types it was sent, in order. */
async function webhookReceiver() {
  const events: { type: string; data: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as {
        data: Record<string, unknown>;
      };
      events.push({ type: String(req.headers['x-event-type']), data: body.data });
      res.statusCode = 200;
      res.end();
    });
  });
  const port = await listen(server);
  onCleanup(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });
  return { url: `http://127.0.0.1:${port}/hook`, events };
}

describe('textport-phone --driver modem, end to end', () => {
  it('HTTP send → PDU on the serial line → status report → delivered, webhooks sent', async () => {
    const node = await gatewayNode({ api: true });
    const { account, userKey, phoneKey, phone } = await accountWithPhone(node);
    const receiver = await webhookReceiver();
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${node.api}${path}`, {
        method,
        headers: { 'x-api-key': userKey, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const hook = await api('POST', '/v1/webhooks', {
      url: receiver.url,
      signing_key: 'e2e-secret',
      events: ['message.phone.sent', 'message.phone.delivered', 'message.phone.received'],
      phone_numbers: [phone.phoneNumber],
    });
    expect(hook.status).toBe(201);

    const modem = new ModemEmulator({ pin: '1234', firstReference: 41 });
    const dir = mkdtempSync(join(tmpdir(), 'textport-e2e-modem-'));
    onCleanup(async () => rmSync(dir, { recursive: true, force: true }));
    const lines: string[] = [];
    const run = await runPhoneCli(
      ['--url', node.url, '--driver', 'modem', '--port', modem.path, '--state-dir', dir],
      {
        env: { TEXTPORT_API_KEY: phoneKey, TEXTPORT_MODEM_PIN: '1234' },
        out: (l) => lines.push(l),
        err: (l) => lines.push(l),
        openModemPort: () => modem.openPort(),
      },
    );
    if (!run) throw new Error('no run');
    onCleanup(() => run.stop());
    expect(modem.commands).toContain('AT+CPIN="1234"');

    const content = 'Grüße from textport: 1 modem, 0 apps';
    const response = await api('POST', '/v1/messages/send', {
      from: phone.phoneNumber,
      to: CONTACT,
      content,
    });
    expect(response.status).toBe(200);
    const { id } = ((await response.json()) as { data: { id: string } }).data;
    const status = async () => (await node.gateway.messages.get(account.id, id)).status;

    await vi.waitFor(async () => expect(await status()).toBe('sent'), WAIT);
    // Exactly the PDU the 3GPP encoding gives, once: GSM-7 (ü and ß are in the alphabet).
    const [expected] = encodeSubmit({ to: CONTACT, text: content });
    expect(modem.submitted.map((s) => [s.hex, s.length, s.to, s.text])).toEqual([
      [expected?.hex, expected?.length, CONTACT, content],
    ]);
    expect(modem.submitted[0]?.statusReport).toBe(true);

    modem.statusReport(41, 0, { recipient: CONTACT });
    await vi.waitFor(async () => expect(await status()).toBe('delivered'), WAIT);

    modem.deliverText(CONTACT, 'a reply through the modem');
    await vi.waitFor(async () => {
      const thread = await node.gateway.messages.list(account.id, {
        owner: phone.phoneNumber,
        contact: CONTACT,
      });
      expect(thread.some((m) => m.content === 'a reply through the modem')).toBe(true);
    }, WAIT);
    // Stored, so the modem's copy was deleted.
    await vi.waitFor(() => expect(modem.storage.size).toBe(0), WAIT);

    await vi.waitFor(
      () =>
        expect(receiver.events.map((e) => e.type)).toEqual([
          'message.phone.sent',
          'message.phone.delivered',
          'message.phone.received',
        ]),
      WAIT,
    );
    expect(receiver.events[1]?.data).toMatchObject({
      id,
      owner: phone.phoneNumber,
      contact: CONTACT,
    });
    expect(receiver.events[2]?.data).toMatchObject({ content: 'a reply through the modem' });

    // The heartbeat carries what the modem says of its signal.
    await run.phone.heartbeat();
    const [beat] = await node.gateway.phones.heartbeats(account.id, { owner: phone.phoneNumber });
    expect(beat).toMatchObject({
      signalDbm: -113 + 2 * modem.signal,
      networkRegistration: 'home',
      networkOperator: 'Emulated Net',
    });
  });
});
