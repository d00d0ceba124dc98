/**
 * `gateway.bulk.send`: rows of text (as `@textport/http` reads them from a CSV or
 * XLSX upload) validated as a whole and queued in one transaction.
 */
import { describe, expect, it } from 'vitest';
import { bulkRequestId } from '../../src/gateway/bulk-send.js';
import { GatewayError } from '../../src/index.js';
import { CONTACT, OWNER, setup } from './helpers.js';

const SECOND = '+18005550188';

async function problems(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(GatewayError);
  return (error as GatewayError).fields?.document ?? [];
}

describe('bulk send', () => {
  it('queues every row with one bulk request id, paced per phone', async () => {
    const t = await setup();
    await t.gateway.phones.upsert(t.account.id, { phoneNumber: SECOND });
    const result = await t.gateway.bulk.send(
      t.account.id,
      [
        { from: OWNER, to: CONTACT, content: 'Hello, one' },
        {
          from: SECOND,
          to: CONTACT,
          content: 'Two',
          sendTime: '',
          attachmentUrls: 'https://a.test/x.png,https://a.test/y.png',
        },
        { from: OWNER, to: '18005550101', content: 'Three' },
      ],
      { fileName: 'list.csv' },
    );
    expect(result.total).toBe(3);
    expect(result.requestId).toMatch(/^bulk-[0-9A-Za-z]+-list\.csv$/);
    expect(result.messages.map((m) => [m.owner, m.contact, m.content, m.bulkIndex])).toEqual([
      [OWNER, CONTACT, 'Hello, one', 0],
      [SECOND, CONTACT, 'Two', 0],
      [OWNER, '+18005550101', 'Three', 1],
    ]);
    expect(result.messages[1]?.attachments).toEqual([
      'https://a.test/x.png',
      'https://a.test/y.png',
    ]);
    const [batch] = await t.gateway.bulk.list(t.account.id);
    expect(batch).toMatchObject({ requestId: result.requestId, total: 3 });
    expect(batch?.counts.pending).toBe(3);
  });

  it('reads a naive send time in the account zone; no file name leaves the request id without one', async () => {
    const t = await setup();
    await t.store.updateAccount(t.account.id, { timezone: 'Africa/Nairobi' });
    const result = await t.gateway.bulk.send(t.account.id, [
      { from: OWNER, to: '18005550100', content: 'Later', sendTime: '2026-11-25 09:30:00' },
    ]);
    expect(result.requestId).toMatch(/^bulk-[0-9A-Za-z]+-$/);
    expect(result.messages[0]?.contact).toBe(CONTACT);
    expect(result.messages[0]?.scheduledSendTime).toBe(Date.parse('2026-11-25T06:30:00Z'));
  });

  it('reports every bad row under document with its line number, and queues nothing', async () => {
    const t = await setup();
    const rows = await problems(
      t.gateway.bulk.send(t.account.id, [
        { from: OWNER, to: CONTACT, content: 'ok' },
        { from: 'nope', to: CONTACT, content: 'x'.repeat(1025) },
        {
          from: OWNER,
          to: CONTACT,
          content: 'later',
          sendTime: '2027-06-01T00:00:00Z',
          attachmentUrls: 'ftp://x',
        },
      ]),
    );
    expect(rows.some((r) => r.startsWith('Row [3]: The FromPhoneNumber field'))).toBe(true);
    expect(rows.some((r) => r.startsWith('Row [3]: The Content field'))).toBe(true);
    expect(
      rows.some((r) => r.startsWith('Row [4]: The SendTime cannot be more than 420 hours')),
    ).toBe(true);
    expect(rows.some((r) => r.startsWith('Row [4]: The AttachmentURLs field'))).toBe(true);
    expect(await t.raw.countMessages(t.account.id)).toBe(0);
  });

  it('refuses unknown senders, and batches of no rows or more than 1000', async () => {
    const t = await setup();
    const row = { from: OWNER, to: CONTACT, content: 'x' };
    expect(
      (await problems(t.gateway.bulk.send(t.account.id, [{ ...row, from: '+18005550111' }])))[0],
    ).toContain('no phone found');
    expect(await problems(t.gateway.bulk.send(t.account.id, []))).toEqual([
      'The document must contain between 1 and 1000 messages',
    ]);
    const many = Array.from({ length: 1001 }, () => row);
    expect((await problems(t.gateway.bulk.send(t.account.id, many)))[0]).toContain(
      'between 1 and 1000',
    );
    expect(await t.raw.countMessages(t.account.id)).toBe(0);
  });

  it('builds request ids from safe file-name characters, cut in the middle', () => {
    expect(bulkRequestId('my list (final).csv', 62 * 62 + 61)).toBe('bulk-10Z-my list final.csv');
    const long = bulkRequestId(`${'a'.repeat(20)}${'b'.repeat(20)}.csv`, 0);
    expect(long).toBe(`bulk-0-${'a'.repeat(14)}...${'b'.repeat(11)}.csv`);
  });
});
