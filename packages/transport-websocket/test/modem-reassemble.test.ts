import { describe, expect, it } from 'vitest';
import { decodePdu, encodeDeliver } from '../src/client/drivers/modem/pdu.js';
import { type Fragment, Reassembler } from '../src/client/drivers/modem/reassemble.js';

const HOUR = 60 * 60 * 1000;

function fragment(
  part: number,
  text: string,
  extra: Partial<Fragment<number>> = {},
): Fragment<number> {
  return {
    from: '+4915112345678',
    concat: { reference: 7, total: 3, part },
    text,
    timestamp: new Date(Date.UTC(2024, 0, 1, 12, 0, part)),
    tag: part * 10,
    ...extra,
  };
}

function clock(start = 0) {
  const state = { now: start };
  return { state, now: () => state.now };
}

describe('Reassembler.add', () => {
  it('completes a group in any order, text and tags in part order, timestamp of part 1', () => {
    const reassembler = new Reassembler<number>();
    expect(reassembler.add(fragment(3, 'three'))).toBeNull();
    expect(reassembler.add(fragment(1, 'one '))).toBeNull();
    expect(reassembler.size).toBe(1);
    expect(reassembler.add(fragment(2, 'two '))).toEqual({
      from: '+4915112345678',
      text: 'one two three',
      timestamp: new Date(Date.UTC(2024, 0, 1, 12, 0, 1)),
      tags: [10, 20, 30],
    });
    expect(reassembler.size).toBe(0);
  });

  it('a repeated part replaces the earlier one and both tags are returned', () => {
    const reassembler = new Reassembler<number>();
    reassembler.add(fragment(1, 'one '));
    reassembler.add(fragment(2, 'stale ', { tag: 21 }));
    reassembler.add(fragment(2, 'two ', { tag: 22 }));
    expect(reassembler.add(fragment(3, 'three'))).toMatchObject({
      text: 'one two three',
      tags: [10, 21, 22, 30],
    });
  });

  it('keeps groups apart by sender, reference and total', () => {
    const reassembler = new Reassembler<number>();
    reassembler.add(fragment(1, 'a'));
    reassembler.add(fragment(1, 'b', { from: '+4915100000000' }));
    reassembler.add(fragment(1, 'c', { concat: { reference: 8, total: 3, part: 1 } }));
    reassembler.add(fragment(1, 'd', { concat: { reference: 7, total: 2, part: 1 } }));
    expect(reassembler.size).toBe(4);
    const done = reassembler.add(fragment(2, 'e', { concat: { reference: 7, total: 2, part: 2 } }));
    expect(done).toMatchObject({ from: '+4915112345678', text: 'de', tags: [10, 20] });
    expect(reassembler.size).toBe(3);
  });

  it('a single-part group completes at once', () => {
    const reassembler = new Reassembler<string>();
    const done = reassembler.add({
      from: 'Bank',
      concat: { reference: 1, total: 1, part: 1 },
      text: 'hi',
      timestamp: new Date(0),
      tag: 'x',
    });
    expect(done).toEqual({ from: 'Bank', text: 'hi', timestamp: new Date(0), tags: ['x'] });
    expect(reassembler.size).toBe(0);
  });

  it('rejects a part number outside 1…total and a total outside 1…255', () => {
    const reassembler = new Reassembler<number>();
    for (const concat of [
      { reference: 1, total: 3, part: 0 },
      { reference: 1, total: 3, part: 4 },
      { reference: 1, total: 0, part: 0 },
      { reference: 1, total: 256, part: 1 },
      { reference: 1, total: 2, part: 1.5 },
    ]) {
      expect(() => reassembler.add(fragment(1, 'x', { concat })), JSON.stringify(concat)).toThrow(
        RangeError,
      );
    }
    expect(reassembler.size).toBe(0);
  });
});

describe('Reassembler.expire', () => {
  it('hands out a group older than maxAgeMs as it is, with the missing parts', () => {
    const time = clock();
    const reassembler = new Reassembler<number>({ maxAgeMs: HOUR, now: time.now });
    reassembler.add(fragment(3, 'three'));
    time.state.now = HOUR / 2;
    reassembler.add(fragment(2, 'two '));
    time.state.now = HOUR;
    expect(reassembler.expire()).toEqual([]);
    time.state.now = HOUR + 1;
    expect(reassembler.expire()).toEqual([
      {
        from: '+4915112345678',
        text: 'two three',
        // Part 1 is missing: the lowest part present gives the time.
        timestamp: new Date(Date.UTC(2024, 0, 1, 12, 0, 2)),
        tags: [20, 30],
        missing: [1],
      },
    ]);
    expect(reassembler.size).toBe(0);
    expect(reassembler.expire()).toEqual([]);
  });

  it('expires only the groups that are old enough, oldest first', () => {
    const time = clock();
    const reassembler = new Reassembler<number>({ maxAgeMs: HOUR, now: time.now });
    reassembler.add(fragment(1, 'a', { from: 'first' }));
    time.state.now = 10;
    reassembler.add(fragment(1, 'b', { from: 'second' }));
    time.state.now = 20;
    reassembler.add(fragment(1, 'c', { from: 'third' }));
    time.state.now = HOUR + 15;
    expect(reassembler.expire().map((group) => group.from)).toEqual(['first', 'second']);
    expect(reassembler.size).toBe(1);
  });

  it('pushes out the oldest groups beyond maxGroups', () => {
    const reassembler = new Reassembler<number>({ maxGroups: 2, now: () => 0 });
    for (const from of ['a', 'b', 'c', 'd']) reassembler.add(fragment(2, from, { from }));
    expect(reassembler.size).toBe(4);
    const expired = reassembler.expire();
    expect(expired.map((group) => [group.from, group.text, group.missing])).toEqual([
      ['a', 'a', [1, 3]],
      ['b', 'b', [1, 3]],
    ]);
    expect(reassembler.size).toBe(2);
    // The groups kept still complete.
    reassembler.add(fragment(1, '1', { from: 'c' }));
    expect(reassembler.add(fragment(3, '3', { from: 'c' }))).toMatchObject({ text: '1c3' });
  });

  it('a completed group is not expired later', () => {
    const time = clock();
    const reassembler = new Reassembler<number>({ maxAgeMs: HOUR, now: time.now });
    for (const part of [1, 2, 3]) reassembler.add(fragment(part, String(part)));
    time.state.now = 2 * HOUR;
    expect(reassembler.expire()).toEqual([]);
  });

  it('rejects bad bounds', () => {
    expect(() => new Reassembler({ maxGroups: 0 })).toThrow(RangeError);
    expect(() => new Reassembler({ maxGroups: 1.5 })).toThrow(RangeError);
    expect(() => new Reassembler({ maxAgeMs: 0 })).toThrow(RangeError);
    expect(() => new Reassembler({ maxAgeMs: Number.NaN })).toThrow(RangeError);
  });
});

describe('decoded multipart SMS-DELIVERs reassemble', () => {
  function roundTrip(text: string, order: (count: number) => number[]) {
    const pdus = encodeDeliver({
      smsc: '+4917000000',
      from: '+4915112345678',
      text,
      timestamp: new Date('2024-06-30T21:45:10Z'),
      timeZoneQuarters: 8,
      reference: 200,
    });
    const reassembler = new Reassembler<number>();
    const results = order(pdus.length).map((index) => {
      const pdu = decodePdu(pdus[index]!);
      if (pdu.type !== 'deliver' || pdu.concat === null)
        throw new Error('expected a multipart deliver');
      const { from, concat, timestamp } = pdu;
      return reassembler.add({ from, concat, text: pdu.text, timestamp, tag: index });
    });
    return { count: pdus.length, results };
  }

  it('GSM-7 with an escape at the 153rd septet, parts in reverse', () => {
    const text = `${'a'.repeat(152)}€${'b'.repeat(200)}`;
    const { count, results } = roundTrip(text, (n) => [...Array(n).keys()].reverse());
    expect(count).toBe(3);
    expect(results.slice(0, -1)).toEqual([null, null]);
    expect(results.at(-1)).toEqual({
      from: '+4915112345678',
      text,
      timestamp: new Date('2024-06-30T21:45:10Z'),
      tags: [0, 1, 2],
    });
  });

  it('UCS-2 with an emoji at the 67th unit', () => {
    const text = `${'я'.repeat(66)}😀${'я'.repeat(70)}`;
    const { count, results } = roundTrip(text, (n) => [1, 0, ...[...Array(n).keys()].slice(2)]);
    expect(count).toBe(3);
    expect(results.at(-1)).toMatchObject({ text, tags: [0, 1, 2] });
  });
});
