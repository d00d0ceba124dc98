/** `GET /v1/messages/search` with `after` and `before` (textport only). */
import { makeMessage } from '@textport/core/testing';
import { describe, expect, it } from 'vitest';
import { httpSetup, OWNER } from './helpers.js';

describe('GET /v1/messages/search?after&before', () => {
  it('keeps the messages whose latest activity is in the range; 422 for a time it cannot read', async () => {
    const t = await httpSetup();
    const at = (iso: string) =>
      makeMessage({ accountId: t.account.id, owner: OWNER, orderTimestamp: Date.parse(iso) });
    const [early, middle, late] = [
      at('2026-11-20T08:00:00Z'),
      at('2026-11-21T08:00:00Z'),
      at('2026-11-22T08:00:00Z'),
    ];
    await t.store.insertMessages([early!, middle!, late!]);
    const search = (query: Record<string, string>) =>
      t.call('GET', '/v1/messages/search', { query });
    const r = await search({ after: '2026-11-21T00:00:00Z', before: '2026-11-22T00:00:00Z' });
    expect(r.status).toBe(200);
    expect(r.json.data.map((m: { id: string }) => m.id)).toEqual([middle!.id]);
    const since = await search({ after: '2026-11-21T00:00:00+00:00' });
    expect(since.json.data.map((m: { id: string }) => m.id)).toEqual([late!.id, middle!.id]);
    const bad = await search({ after: 'yesterday', before: '2026-13-01T00:00:00Z' });
    expect(bad.status).toBe(422);
    expect(bad.json.data).toEqual({
      after: ['The after field must be an RFC 3339 time'],
      before: ['The before field must be an RFC 3339 time'],
    });
  });
});
