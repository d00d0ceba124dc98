import { describe, expect, it } from 'vitest';
import { isUuid } from '../../src/gateway/validate.js';
import { systemRandom } from '../../src/index.js';
import { CONTACT, OWNER, setup } from './helpers.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The creation time a UUIDv7 carries: its first 48 bits, in epoch milliseconds. */
function msOf(id: string): number {
  return Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
}

describe('time-ordered ids', () => {
  it('gives new messages UUIDv7 ids that sort in creation order', async () => {
    const t = await setup();
    const before = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const m = await t.gateway.messages.send(t.account.id, {
        from: OWNER,
        to: CONTACT,
        content: `m${i}`,
      });
      ids.push(m.id);
    }
    const after = Date.now();
    for (const id of ids) {
      expect(id).toMatch(V7);
      expect(msOf(id)).toBeGreaterThanOrEqual(before);
      expect(msOf(id)).toBeLessThanOrEqual(after);
    }
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // The other rows a send creates are time-ordered too.
    expect(t.account.id).toMatch(V7);
    expect(t.phone.id).toMatch(V7);
    const [thread] = await t.store.listThreads({
      accountId: t.account.id,
      owner: OWNER,
      isArchived: false,
      skip: 0,
      limit: 1,
    });
    expect(thread?.id).toMatch(V7);
  });

  it('keeps ids created within one millisecond in order', () => {
    const random = systemRandom();
    const ids = Array.from({ length: 2000 }, () => random.uuid());
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every((id) => V7.test(id))).toBe(true);
  });

  it('draws fresh random bits for every id, across refills of the random block', () => {
    const random = systemRandom();
    // 1,000 ids take several blocks of random bytes; the last 48 bits of each are random.
    const tails = Array.from({ length: 1000 }, () => random.uuid().slice(-12));
    expect(new Set(tails).size).toBe(tails.length);
  });

  it('takes version 4 ids (stored before) and version 7 ids as uuids, and no other', () => {
    expect(isUuid('3f0e4b9e-9a7f-4a51-9c1e-2a6d3c1b0e11')).toBe(true);
    expect(isUuid(systemRandom().uuid())).toBe(true);
    expect(isUuid('3f0e4b9e-9a7f-1a51-9c1e-2a6d3c1b0e11')).toBe(false);
    expect(isUuid('3f0e4b9e-9a7f-7a51-7c1e-2a6d3c1b0e11')).toBe(false);
    expect(isUuid('3F0E4B9E-9A7F-7A51-9C1E-2A6D3C1B0E11')).toBe(false);
  });
});
