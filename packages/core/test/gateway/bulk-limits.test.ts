/**
 * Bulk sends at the edges of what the stores hold: NUL in a cell, times outside
 * years 0000–9999 (issue #14, items 8 and 10).
 */
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/index.js';
import { CONTACT, OWNER, setup } from './helpers.js';

async function problems(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(GatewayError);
  return (error as GatewayError).fields?.document ?? [];
}

describe('bulk send: text and times every store can hold', () => {
  it('refuses a NUL in a cell under document, with its row; queues nothing', async () => {
    const t = await setup();
    const send = t.gateway.bulk.send(
      t.account.id,
      [
        { from: OWNER, to: CONTACT, content: 'fine' },
        { from: OWNER, to: CONTACT, content: 'a\u0000b' },
      ],
      { fileName: 'x.csv' },
    );
    expect(await problems(send)).toEqual([
      'Row [3]: The Content field must not contain the NUL character (\\u0000)',
    ]);
    expect(await t.raw.countMessages(t.account.id)).toBe(0);
  });

  it('refuses a send time before year 0000 once its offset is applied (it used to be stored)', async () => {
    const t = await setup();
    const send = t.gateway.bulk.send(t.account.id, [
      { from: OWNER, to: CONTACT, content: 'early', sendTime: '0000-01-01T00:00:00+00:01' },
      { from: OWNER, to: CONTACT, content: 'late', sendTime: '9999-12-31T23:59:59-23:59' },
    ]);
    const found = await problems(send);
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^Row \[2\]: The SendTime/);
    expect(found[1]).toMatch(/^Row \[3\]: The SendTime/);
    expect(await t.raw.countMessages(t.account.id)).toBe(0);
  });
});
