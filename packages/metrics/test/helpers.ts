import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Principal } from '@textport/core';
import {
  createGateway,
  createMemoryStore,
  FakeTransport,
  ManualClock,
  silentLogger,
} from '@textport/core';

export const OWNER = '+18005550199';
export const CONTACT = '+18005550100';

/** A gateway on a memory store with a manual clock and a fake transport reaching one phone. */
export async function gatewaySetup() {
  const store = createMemoryStore();
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 12, 0, 0));
  const transport = new FakeTransport({ name: 'fake', phones: [] });
  const gateway = createGateway({ store, clock, logger: silentLogger, transports: [transport] });
  const { record: account } = await gateway.accounts.create();
  const phone = await gateway.phones.upsert(account.id, { phoneNumber: OWNER });
  const user: Principal = { accountId: account.id, kind: 'user', keyId: null, phoneNumbers: null };
  const send = () => gateway.messages.send(account.id, { from: OWNER, to: CONTACT, content: 'hi' });
  return { store, clock, transport, gateway, account, phone, user, send };
}

/** Serves `handler` on a local port; `get(path, headers)` answers status and text. */
export async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, next?: () => void) => void,
) {
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    async get(path: string, headers: Record<string, string> = {}, method = 'GET') {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers });
      return { status: response.status, headers: response.headers, text: await response.text() };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The value of one sample of Prometheus text (labels as written, in any order); 0 when absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      found[pair[1] as string] = pair[2] as string;
    }
    const wanted = Object.entries(labels);
    if (Object.keys(found).length !== wanted.length) continue;
    if (wanted.every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return 0;
}
