/**
 * `DATABASE_URL=mysql://…` (or `mariadb://…`): the standalone server's store on
 * MySQL/MariaDB, migrated on open, with no notifier (other nodes poll). Runs when
 * `TEXTPORT_TEST_MYSQL_URL` names a server; each run works in a database of its own.
 */
import { createGateway, silentLogger } from '@textport/core';
import knex from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.js';
import { openDatabase } from '../src/database.js';

const MYSQL_URL = process.env.TEXTPORT_TEST_MYSQL_URL;

describe('DATABASE_URL in the configuration', () => {
  it('accepts mysql:// and mariadb:// URLs', () => {
    for (const url of ['mysql://root@127.0.0.1:3306/textport', 'mariadb://u:p@db/textport']) {
      expect(readConfig({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
    }
  });

  it('still refuses other schemes', () => {
    expect(() => readConfig({ DATABASE_URL: 'mssql://db/textport' })).toThrow(/mysql:\/\//);
  });
});

describe.skipIf(!MYSQL_URL)(
  `a MySQL database${MYSQL_URL ? '' : ' (skipped: TEXTPORT_TEST_MYSQL_URL is not set)'}`,
  () => {
    const name = `textport_x_${globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
    const admin = knex({ client: 'mysql2', connection: MYSQL_URL ?? '', pool: { min: 0, max: 1 } });
    const url = new URL(MYSQL_URL ?? 'mysql://localhost/x');
    url.pathname = `/${name}`;

    beforeAll(async () => {
      await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
    });
    afterAll(async () => {
      await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.destroy();
    });

    it('opens migrated, without a notifier, and keeps what the gateway writes', async () => {
      const db = await openDatabase(url.toString().replace(/^mysql:/, 'mariadb:'));
      try {
        expect(db.describe).toBe(`MySQL ${url.host}/${name}`);
        expect(db.notifier).toBeUndefined();
        expect(db.store.capabilities).toEqual({
          skipLocked: true,
          listenNotify: false,
          multiProcess: true,
        });
        expect(await db.store.ping()).toEqual({ pendingMigrations: [] });
        const gateway = createGateway({ store: db.store });
        const { record, apiKey } = await gateway.accounts.create({ email: 'ops@example.com' });
        expect((await gateway.accounts.authenticate(apiKey))?.accountId).toBe(record.id);
      } finally {
        await db.close();
      }
    });

    it('names the server it cannot reach', async () => {
      await expect(openDatabase('mysql://root@127.0.0.1:1/textport', silentLogger)).rejects.toThrow(
        /cannot open the database \(MySQL 127\.0\.0\.1:1\/textport\).*Check DATABASE_URL/,
      );
    });
  },
);
