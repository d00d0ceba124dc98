/** `GET /v1/messages/search?query`: the fields it matches (httpSMS's rule, and the owner). */
import { makeMessage } from '@textport/core/testing';
import { describe, expect, it } from 'vitest';
import { httpSetup, OWNER } from './helpers.js';

describe('GET /v1/messages/search?query', () => {
  it('matches the failure reason, and the exact id when the query is a UUID', async () => {
    const t = await httpSetup();
    const message = (o: Parameters<typeof makeMessage>[0]) =>
      makeMessage({ accountId: t.account.id, owner: OWNER, ...o });
    const failed = message({ status: 'failed', failureReason: 'RESULT_ERROR_NO_SERVICE' });
    const other = message({ content: 'see you soon' });
    await t.store.insertMessages([failed, other]);
    const search = async (query: string) => {
      const r = await t.call('GET', '/v1/messages/search', { query: { query } });
      expect(r.status).toBe(200);
      return r.json.data.map((m: { id: string }) => m.id);
    };
    expect(await search('no_service')).toEqual([failed.id]);
    expect(await search(other.id)).toEqual([other.id]);
    expect(await search(other.id.toUpperCase())).toEqual([other.id]);
  });
});
