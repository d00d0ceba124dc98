import { createVirtualPhone } from '@textport/transport-websocket/client';
import knex from 'knex';
import { afterAll, describe, expect, it } from 'vitest';
import { startCluster } from '../src/cluster.js';

const URL = process.env.TEXTPORT_TEST_DATABASE_URL;
const SKIP = URL ? null : 'TEXTPORT_TEST_DATABASE_URL is not set';
const schema = `textport_cluster_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

describe.skipIf(SKIP !== null)(`cluster example${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  it('three nodes on one Postgres: a send on any node reaches a phone on any node', async () => {
    const cluster = await startCluster({ databaseUrl: URL ?? '', nodes: 3, schema });
    cleanup.push(async () => {
      const admin = knex({ client: 'pg', connection: URL });
      await admin.raw(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.destroy();
    });
    cleanup.push(() => cluster.close());
    const [a, b, c] = cluster.nodes;
    if (!a || !b || !c) throw new Error('three nodes expected');
    const { record: account, apiKey } = await a.gateway.accounts.create();
    const numbers = ['+18005550101', '+18005550102'];
    for (const phoneNumber of numbers) {
      await a.gateway.phones.upsert(account.id, { phoneNumber, messagesPerMinute: 0 });
    }
    // Phone 1 connects to node b, phone 2 to node c.
    const phones = [
      { node: b, number: numbers[0] ?? '' },
      { node: c, number: numbers[1] ?? '' },
    ].map(({ node, number }) => {
      const phone = createVirtualPhone({
        url: `${node.url.replace('http', 'ws')}/v1/phones/ws`,
        apiKey,
        phoneNumbers: [number],
        deliver: true,
      });
      cleanup.push(() => phone.close());
      return phone;
    });
    await Promise.all(phones.map((p) => p.connect()));

    const sent: string[] = [];
    for (const [node, from] of [
      [a, numbers[0]],
      [c, numbers[0]],
      [a, numbers[1]],
      [b, numbers[1]],
    ] as const) {
      const response = await fetch(`${node.url}/v1/messages/send`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ from, to: '+18005550100', content: `via ${node.nodeId}` }),
      });
      expect(response.status).toBe(200);
      sent.push(((await response.json()) as { data: { id: string } }).data.id);
    }
    await expect
      .poll(
        async () =>
          Promise.all(
            sent.map(async (id) => (await a.gateway.messages.get(account.id, id)).status),
          ),
        { timeout: 15_000 },
      )
      .toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
    expect(phones[0]?.sender.sent.map((m) => m.id).sort()).toEqual([sent[0], sent[1]].sort());
    expect(phones[1]?.sender.sent.map((m) => m.id).sort()).toEqual([sent[2], sent[3]].sort());
  });
});
