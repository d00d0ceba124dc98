import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import type { GatewayConfig } from '../../src/index.js';
import { createGateway, type ManualClock, silentLogger } from '../../src/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { makeOutbox, makeWebhook } from '../../src/testing/fixtures.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function closeServer(server: ReturnType<typeof createServer>) {
  return () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

/**
 * A receiver that holds every request until `answerAll` (or answers at once after
 * `open`), counting what arrived: the paths and the event id of each POST.
 */
export async function holdingReceiver() {
  const held: ServerResponse[] = [];
  const paths: string[] = [];
  const eventIds: string[] = [];
  let openStatus: number | null = null;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      paths.push(req.url ?? '');
      eventIds.push(String(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}').id));
      if (openStatus === null) held.push(res);
      else res.writeHead(openStatus).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const close = closeServer(server);
  closers.push(close);
  return {
    url: `http://127.0.0.1:${port}/hook`,
    paths,
    eventIds,
    answerAll(status = 200) {
      for (const res of held.splice(0)) res.writeHead(status).end();
    },
    /** Answers what is held and, from now on, every request at once. */
    open(status = 200) {
      openStatus = status;
      for (const res of held.splice(0)) res.writeHead(status).end();
    },
    close,
  };
}

/** A receiver answering 200 at once; its URL. */
export async function prompt() {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  closers.push(closeServer(server));
  return `http://127.0.0.1:${port}/hook`;
}

export async function gatewayWith(webhooks: GatewayConfig['webhooks'], clock?: ManualClock) {
  const store = createMemoryStore();
  const gateway = createGateway({
    store,
    logger: silentLogger,
    webhooks,
    ...(clock ? { clock } : {}),
  });
  closers.push(() => gateway.stop());
  const { record: account } = await gateway.accounts.create();
  const now = clock?.now() ?? Date.now();
  const hook = async (url: string, accountId = account.id) => {
    const record = makeWebhook({ accountId, url, createdAt: now, updatedAt: now });
    await store.insertWebhook(record);
    return record.id;
  };
  /** `count` due rows for a webhook, `age` ms old (older rows are claimed first). */
  const rows = async (webhookId: string, count: number, age: number, accountId = account.id) => {
    const at = now - age;
    const made = Array.from({ length: count }, () =>
      makeOutbox({ accountId, webhookId, nextAttemptAt: at, createdAt: at, updatedAt: at }),
    );
    await store.insertOutbox(made);
    return made;
  };
  const statuses = async (webhookId: string, accountId = account.id) =>
    (await store.listOutbox({ accountId, webhookId, skip: 0, limit: 100 })).map((r) => r.status);
  /** Whether every row of the account's webhooks was delivered. */
  const allDelivered = async (accountId = account.id) =>
    (await store.listOutbox({ accountId, skip: 0, limit: 100 })).every(
      (r) => r.status === 'delivered',
    );
  return { store, gateway, account, hook, rows, statuses, allDelivered };
}
