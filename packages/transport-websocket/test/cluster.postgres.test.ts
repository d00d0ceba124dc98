/**
 * Two gateway nodes on one Postgres schema with the LISTEN/NOTIFY notifier: a
 * message sent through node A reaches the phone whose socket is on node B, and a
 * key revoked through node A closes its socket on node B. Each node has its own
 * Knex pool and notifier connection, as two processes would.
 */
import type { PgNotifier } from '@textport/store-knex';
import { createKnexStore, createPgNotifier } from '@textport/store-knex';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { accountWithPhone, CONTACT, gatewayNode, virtualPhone } from './helpers.js';
import { revocationTests } from './revocation-cases.js';

const DATABASE_URL = process.env.TEXTPORT_TEST_DATABASE_URL;
const SKIP = DATABASE_URL ? null : 'TEXTPORT_TEST_DATABASE_URL is not set';

describe.skipIf(SKIP !== null)(
  `several gateway nodes on Postgres${SKIP ? ` (skipped: ${SKIP})` : ''}`,
  () => {
    const suffix = globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 12);
    const schema = `textport_ws_${suffix}`;
    const pools: Knex[] = [];
    const notifiers: PgNotifier[] = [];
    let admin: Knex;

    function pool(): Knex {
      const knex = knexFactory({
        client: 'pg',
        connection: DATABASE_URL,
        searchPath: [schema],
        pool: { min: 0, max: 5 },
      });
      pools.push(knex);
      return knex;
    }

    async function node(nodeId: string) {
      const knex = pool();
      const notifier = createPgNotifier(knex, { channelPrefix: `tp_${suffix}_` });
      notifiers.push(notifier);
      const store = createKnexStore(knex);
      const n = await gatewayNode({ store, gateway: { notifier, nodeId } });
      await notifier.ready();
      return n;
    }

    beforeAll(async () => {
      admin = knexFactory({ client: 'pg', connection: DATABASE_URL, pool: { min: 0, max: 1 } });
      await admin.raw(`CREATE SCHEMA "${schema}"`);
      await createKnexStore(pool()).migrate();
    });

    afterAll(async () => {
      for (const notifier of notifiers) await notifier.close();
      for (const knex of pools) await knex.destroy();
      await admin?.raw(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin?.destroy();
    });

    it('a message sent through node A reaches the phone connected to node B', async () => {
      const a = await node('node-a');
      const b = await node('node-b');
      const { account, phoneKey, phone } = await accountWithPhone(a);
      const device = virtualPhone({ url: b.url, apiKey: phoneKey, deliver: true });
      await device.connect();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const m = await a.gateway.messages.send(account.id, {
          from: phone.phoneNumber,
          to: CONTACT,
          content: `over Postgres ${i}`,
        });
        ids.push(m.id);
      }
      await vi.waitFor(
        async () => {
          const rows = await a.store.getMessages(account.id, ids);
          expect(rows.map((r) => r.status)).toEqual(ids.map(() => 'delivered'));
        },
        { timeout: 10_000 },
      );
      expect(device.sender.sent.map((s) => s.id)).toEqual(ids);
      expect(a.transport.reach().phoneIds).toEqual([]);
    });

    revocationTests(async () => ({ a: await node('node-a'), b: await node('node-b') }));
  },
);
