/** CheckCache: key checks remembered for a while, forgotten when keys change, never brought back by a check under way then. */
import { describe, expect, it } from 'vitest';
import { CheckCache } from '../../src/index.js';

function setup(keep?: (value: string | null) => boolean) {
  let now = 0;
  const clock = { now: () => now };
  const cache = new CheckCache<string | null>({ ttlMs: 5000, clock, limit: 3, keep });
  let answer: string | null = 'a';
  let calls = 0;
  const check = async () => {
    calls += 1;
    return answer;
  };
  return {
    cache,
    check,
    calls: () => calls,
    answer: (value: string | null) => {
      answer = value;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('CheckCache', () => {
  it('remembers an answer for ttlMs, and asks again after it or when told to', async () => {
    const t = setup();
    expect(await t.cache.get('k', t.check)).toBe('a');
    t.answer('b');
    t.advance(4999);
    expect(await t.cache.get('k', t.check)).toBe('a');
    expect(await t.cache.get('k', t.check, true)).toBe('b');
    t.answer('c');
    t.advance(5000);
    expect(await t.cache.get('k', t.check)).toBe('c');
    expect(t.calls()).toBe(3);
  });

  it('forgets every entry, or those whose answer matches', async () => {
    const t = setup();
    await t.cache.get('x', t.check);
    t.answer('b');
    await t.cache.get('y', t.check);
    t.cache.forget((value) => value === 'a');
    t.answer('z');
    expect(await t.cache.get('x', t.check)).toBe('z');
    expect(await t.cache.get('y', t.check)).toBe('b');
    t.cache.forget();
    expect(await t.cache.get('y', t.check)).toBe('z');
  });

  it('does not remember a check that was under way when entries were forgotten', async () => {
    const t = setup();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = async () => {
      const value = await t.check();
      await gate;
      return value;
    };
    const before = t.cache.get('k', slow);
    await Promise.resolve();
    t.answer(null); // revoked meanwhile
    t.cache.forget();
    release();
    expect(await before).toBe('a');
    expect(await t.cache.get('k', t.check)).toBeNull();
  });

  it('keeps only the answers `keep` allows, holds at most `limit`, and nothing with ttlMs 0', async () => {
    const t = setup((value) => value !== null);
    t.answer(null);
    await t.cache.get('k', t.check);
    await t.cache.get('k', t.check);
    expect(t.calls()).toBe(2);
    t.answer('a');
    for (const key of ['1', '2', '3', '4']) await t.cache.get(key, t.check);
    await t.cache.get('1', t.check);
    expect(t.calls()).toBe(7);
    let calls = 0;
    const off = new CheckCache<number>({ ttlMs: 0, clock: { now: () => 0 } });
    await off.get('k', async () => ++calls);
    expect(await off.get('k', async () => ++calls)).toBe(2);
  });
});
