/**
 * Two gateway nodes on one Postgres schema with the LISTEN/NOTIFY notifier, each
 * with its own SMSGate transport. The app holds its stream on node A; a message
 * sent through node B wakes A, the app pulls from A and reports to B. Each node
 * has its own Knex pool, notifier connection and Knex SMSGate store on the same
 * schema, as two processes would.
 */
import type { PgNotifier } from '@textport/store-knex';
import { createKnexStore, createPgNotifier } from '@textport/store-knex';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SmsGateTransportOptions } from '../src/index.js';
import { knexStore } from '../src/store/knex.js';
import { FakeSmsGateApp } from './app.js';
import {
  accountWithKey,
  CONTACT,
  OWNER,
  onCleanup,
  type SmsGateNode,
  smsgateNode,
  userApiOn,
} from './helpers.js';

const DATABASE_URL = process.env.TEXTPORT_TEST_DATABASE_URL;
const SKIP = DATABASE_URL ? null : 'TEXTPORT_TEST_DATABASE_URL is not set';

describe.skipIf(SKIP !== null)(
  `the SMSGate app against two nodes on Postgres${SKIP ? ` (skipped: ${SKIP})` : ''}`,
  () => {
    const suffix = globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 12);
    const schema = `textport_smsgate_${suffix}`;
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

    async function node(nodeId: string, transport: SmsGateTransportOptions = {}) {
      const notifier = createPgNotifier(pool(), { channelPrefix: `tp_${suffix}_` });
      notifiers.push(notifier);
      const knex = pool();
      const store = createKnexStore(knex);
      const n = await smsgateNode({
        store,
        gateway: { notifier, nodeId },
        transport: { ...transport, store: knexStore(knex, store) },
      });
      await notifier.ready();
      return n;
    }

    beforeAll(async () => {
      admin = knexFactory({ client: 'pg', connection: DATABASE_URL, pool: { min: 0, max: 1 } });
      await admin.raw(`CREATE SCHEMA "${schema}"`);
      const knex = pool();
      const store = createKnexStore(knex);
      await store.migrate();
      await knexStore(knex, store).migrate();
    });

    afterAll(async () => {
      for (const notifier of notifiers) await notifier.close();
      for (const knex of pools) await knex.destroy();
      await admin?.raw(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin?.destroy();
    });

    it('a message sent through node B reaches the app streaming from node A; reports go to B', async () => {
      const a = await node('node-a');
      const b = await node('node-b');
      const { account, phoneKey } = await accountWithKey(b);
      const app = new FakeSmsGateApp({
        baseUrl: a.mobile,
        reportBaseUrl: b.mobile,
        reconnectDelayMs: 50,
      });
      onCleanup(() => app.close());
      expect(await app.register(phoneKey)).toBe(201);
      await b.gateway.phones.upsert(account.id, { phoneNumber: OWNER, messagesPerMinute: 0 });
      expect(await app.connect()).toBe(200);
      await app.idle();
      expect(b.transport.reach().phoneIds).toEqual([]);

      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const m = await b.gateway.messages.send(account.id, {
          from: OWNER,
          to: CONTACT,
          content: `over Postgres ${i}`,
        });
        ids.push(m.id);
      }
      await vi.waitFor(() => expect([...app.messages.keys()].sort()).toEqual([...ids].sort()), {
        timeout: 10_000,
      });
      for (const id of ids) await app.deliver(id);
      const rows = await b.store.getMessages(account.id, ids);
      expect(rows.map((r) => r.status)).toEqual(ids.map(() => 'delivered'));
      expect(app.reportErrors).toEqual([]);
    });

    it('a phone key revoked through node B ends the stream on node A', async () => {
      const a = await node('node-a');
      const b = await node('node-b');
      const { account, phoneKey, key } = await accountWithKey(b);
      const app = new FakeSmsGateApp({ baseUrl: a.mobile, reconnectDelayMs: 50 });
      onCleanup(() => app.close());
      expect(await app.register(phoneKey)).toBe(201);
      expect(await app.connect()).toBe(200);
      expect(a.transport.stats().streams).toBe(1);
      await b.gateway.accounts.deletePhoneKey(account.id, key.id);
      await vi.waitFor(() => expect(a.transport.stats().streams).toBe(0), { timeout: 10_000 });
      expect((await app.call('PATCH', '/device', { id: app.deviceId })).status).toBe(401);
    });

    /**
     * Node A holds the app's stream, node B serves the user API. Neither node polls
     * the event log or checks keys in the test's time: what reaches A goes through
     * the 'transport' signal.
     */
    async function twoNodes() {
      const quiet = { eventPollMs: 60_000, keyCheckIntervalMs: 24 * 3_600_000 };
      const a = await node('node-a', quiet);
      const b = await node('node-b', quiet);
      const { account, phoneKey } = await accountWithKey(b);
      await b.gateway.phones.upsert(account.id, { phoneNumber: OWNER, messagesPerMinute: 0 });
      const app = new FakeSmsGateApp({ baseUrl: a.mobile, reconnectDelayMs: 50 });
      onCleanup(() => app.close());
      expect(await app.register(phoneKey)).toBe(201);
      expect(await app.connect()).toBe(200);
      await app.idle();
      const user = await userApiOn(b as SmsGateNode, account.id);
      return { a, b, account, app, user };
    }

    const named = (app: FakeSmsGateApp, name: string) => app.events.filter((e) => e.name === name);

    it('a webhook and settings changed through the user API of node B reach the stream on node A', async () => {
      const { app, user } = await twoNodes();
      const hook = await user('POST', '/webhooks', {
        url: 'https://hooks.example/sms',
        event: 'sms:received',
      });
      expect(hook.status).toBe(201);
      await vi.waitFor(() => expect(named(app, 'WebhooksUpdated')).toHaveLength(1), {
        timeout: 10_000,
      });
      expect((await user('PATCH', '/settings', { logs: { lifetime_days: 3 } })).status).toBe(200);
      await vi.waitFor(() => expect(named(app, 'SettingsUpdated')).toHaveLength(1), {
        timeout: 10_000,
      });
      expect(named(app, 'SettingsUpdated')[0]?.data).toBeNull();
      expect(named(app, 'WebhooksUpdated')).toHaveLength(1);
    });

    it('a message canceled on node B is MessageCancelled on the stream held by node A', async () => {
      const { a, b, account, app } = await twoNodes();
      app.paused = true;
      const m = await b.gateway.messages.send(account.id, {
        from: OWNER,
        to: CONTACT,
        content: 'never pulled',
      });
      await vi.waitFor(() => expect(named(app, 'MessageEnqueued')).not.toHaveLength(0), {
        timeout: 10_000,
      });
      expect(app.pulls.flat()).toEqual([]);
      expect(a.transport.reach().phoneIds).not.toEqual([]);
      const canceled = await b.gateway.messages.cancel(account.id, m.id);
      expect(canceled.status).toBe('canceled');
      await vi.waitFor(
        () =>
          expect(named(app, 'MessageCancelled')).toEqual([
            { name: 'MessageCancelled', data: { messageId: m.id } },
          ]),
        { timeout: 10_000 },
      );
    });

    it('a device deleted through node B has its stream on node A closed at once, not on the next key check', async () => {
      const { a, app, user } = await twoNodes();
      expect(a.transport.stats().streams).toBe(1);
      expect((await user('DELETE', `/devices/${app.deviceId}`)).status).toBe(204);
      await vi.waitFor(() => expect(a.transport.stats().streams).toBe(0), { timeout: 10_000 });
      expect(await app.connect()).toBe(401);
    });
  },
);
