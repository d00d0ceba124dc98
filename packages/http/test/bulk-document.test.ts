/**
 * Bulk documents end to end: CSV and XLSX read by `readBulkDocument`, their rows
 * queued by `gateway.bulk.send` (`sendBulkDocument`, as the route does).
 */
import { GatewayError } from '@textport/core';
import { describe, expect, it } from 'vitest';
import writeXlsxFile from 'write-excel-file/node';
import { sendBulkDocument } from '../src/index.js';
import { CONTACT, OWNER, setup } from './helpers.js';

const SECOND = '+18005550188';
const csv = (rows: string[]) =>
  Buffer.from(
    [
      'FromPhoneNumber,ToPhoneNumber,Content,SendTime(optional),AttachmentURLs(optional)',
      ...rows,
    ].join('\n'),
  );

async function problems(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(GatewayError);
  return (error as GatewayError).fields?.document ?? [];
}

describe('bulk documents', () => {
  it('queues every CSV row with one bulk request id, paced per phone', async () => {
    const t = await setup();
    await t.gateway.phones.upsert(t.account.id, { phoneNumber: SECOND });
    const data = csv([
      `${OWNER},${CONTACT},"Hello, one",,`,
      `${SECOND},${CONTACT},Two,,"https://a.test/x.png,https://a.test/y.png"`,
      `${OWNER},18005550101,Three,,`,
    ]);
    const result = await sendBulkDocument(t.gateway, t.account.id, {
      fileName: 'list.csv',
      contentType: 'text/csv',
      data,
    });
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

  it('reads XLSX: first sheet, header skipped, short rows skipped, naive times in the account zone', async () => {
    const t = await setup();
    await t.store.updateAccount(t.account.id, { timezone: 'Africa/Nairobi' });
    const data = await writeXlsxFile([
      [{ value: 'From' }, { value: 'To' }, { value: 'Content' }, { value: 'SendTime' }],
      [
        { value: OWNER },
        { value: 18005550100 },
        { value: 'Later' },
        { value: '2026-11-25 09:30:00' },
      ],
      [{ value: OWNER }, { value: CONTACT }],
      [null, { value: CONTACT }, { value: 'no sender' }],
    ]).toBuffer();
    const result = await sendBulkDocument(t.gateway, t.account.id, {
      fileName: 'sheet.xlsx',
      contentType: 'application/octet-stream',
      data,
    });
    expect(result.total).toBe(1);
    expect(result.messages[0]?.contact).toBe(CONTACT);
    expect(result.messages[0]?.scheduledSendTime).toBe(Date.parse('2026-11-25T06:30:00Z'));
  });

  it('reports every bad row under document with its line number, and queues nothing', async () => {
    const t = await setup();
    const data = csv([
      `${OWNER},${CONTACT},ok,,`,
      `nope,${CONTACT},${'x'.repeat(1025)},,`,
      `${OWNER},${CONTACT},later,2027-06-01T00:00:00Z,ftp://x`,
    ]);
    const rows = await problems(
      sendBulkDocument(t.gateway, t.account.id, {
        fileName: 'a.csv',
        contentType: 'text/csv',
        data,
      }),
    );
    expect(rows.some((r) => r.startsWith('Row [3]: The FromPhoneNumber field'))).toBe(true);
    expect(rows.some((r) => r.startsWith('Row [3]: The Content field'))).toBe(true);
    expect(
      rows.some((r) => r.startsWith('Row [4]: The SendTime cannot be more than 420 hours')),
    ).toBe(true);
    expect(rows.some((r) => r.startsWith('Row [4]: The AttachmentURLs field'))).toBe(true);
    expect(await t.raw.countMessages(t.account.id)).toBe(0);
  });

  it('refuses unknown senders, other file types, empty and oversized documents', async () => {
    const t = await setup();
    const upload = (fileName: string, contentType: string, data: Buffer) =>
      problems(sendBulkDocument(t.gateway, t.account.id, { fileName, contentType, data }));
    expect((await upload('a.csv', 'text/csv', csv([`+18005550111,${CONTACT},x,,`])))[0]).toContain(
      'no phone found',
    );
    expect(await upload('a.txt', 'text/plain', Buffer.from('x'))).toEqual([
      'The document must be a CSV or an XLSX file',
    ]);
    expect((await upload('a.csv', 'text/csv', csv([])))[0]).toContain('between 1 and 1000');
    expect((await upload('a.csv', 'text/csv', Buffer.alloc(5_000_000)))[0]).toContain(
      'smaller than',
    );
    expect((await upload('a.xlsx', XLSX, Buffer.from('not a zip')))[0]).toContain('XLSX');
    expect((await upload('a.csv', 'text/csv', Buffer.from('a,b\n1,2')))[0]).toContain('columns');
  });
});

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
