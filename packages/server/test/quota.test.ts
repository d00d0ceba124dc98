/** The standalone's monthly limit: counted from the store per account and calendar month, 402 beyond. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStore } from '@textport/core';
import { makeMessage } from '@textport/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../src/config.js';
import { monthlyQuota, monthStart } from '../src/quota.js';
import { startServer } from '../src/server.js';

const dir = mkdtempSync(join(tmpdir(), 'textport-quota-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NOW = Date.UTC(2026, 11, 6, 23, 0, 0);

describe('monthly limit', () => {
  it('reads TEXTPORT_MONTHLY_MESSAGE_LIMIT: unset is no limit, a bad value is named', () => {
    expect(readConfig({}).TEXTPORT_MONTHLY_MESSAGE_LIMIT).toBeUndefined();
    expect(
      readConfig({ TEXTPORT_MONTHLY_MESSAGE_LIMIT: ' 500 ' }).TEXTPORT_MONTHLY_MESSAGE_LIMIT,
    ).toBe(500);
    for (const bad of ['0', '1.5', 'lots']) {
      expect(() => readConfig({ TEXTPORT_MONTHLY_MESSAGE_LIMIT: bad })).toThrow(ConfigError);
    }
  });

  it('counts the outgoing messages of the account since the month began', async () => {
    const store = createMemoryStore();
    const accountId = crypto.randomUUID();
    const lastMonth = monthStart(NOW) - 1;
    expect(monthStart(NOW)).toBe(Date.UTC(2026, 11, 1));
    await store.insertMessages([
      makeMessage({ accountId, requestReceivedAt: monthStart(NOW) }),
      makeMessage({ accountId, requestReceivedAt: NOW, status: 'failed' }),
      makeMessage({ accountId, requestReceivedAt: lastMonth }),
      makeMessage({ accountId, requestReceivedAt: NOW, type: 'mobile-originated' }),
      makeMessage({ requestReceivedAt: NOW }),
    ]);
    const quota = monthlyQuota(store, 3, () => NOW);
    const ask = (messages: number) => quota({ accountId, messages, from: [], source: 'test' });
    expect(await ask(1)).toBe(true);
    expect(await ask(2)).toEqual({
      allowed: false,
      message: 'the monthly limit of 3 messages is reached: 2 sent this month, 2 more asked',
    });
  });

  it('answers 402 over HTTP once the account has used its month', async () => {
    const server = await startServer(
      readConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
        TEXTPORT_MONTHLY_MESSAGE_LIMIT: '1',
      }),
      () => {},
    );
    try {
      const key = server.newApiKey ?? '';
      const send = () =>
        fetch(`${server.url}/v1/messages/send`, {
          method: 'POST',
          headers: { 'x-api-key': key, 'content-type': 'application/json' },
          body: JSON.stringify({ from: '+18005550199', to: '+18005550100', content: 'hi' }),
        });
      expect((await send()).status).toBe(200);
      const refused = await send();
      expect(refused.status).toBe(402);
      expect(await refused.json()).toEqual({
        status: 'error',
        message: 'the monthly limit of 1 message is reached: 1 sent this month, 1 more asked',
      });
      expect(await server.gateway.store.getOutgoingCount(server.accountId, 0)).toBe(1);
    } finally {
      await server.close();
    }
  });
});
