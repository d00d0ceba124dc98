import { describe, expect, it } from 'vitest';
import writeXlsxFile from 'write-excel-file/node';
import { appSetup, CONTACT, OWNER } from './helpers.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const csv = (rows: string[]) =>
  Buffer.from(
    [
      'FromPhoneNumber,ToPhoneNumber,Content,SendTime(optional),AttachmentURLs(optional)',
      ...rows,
    ].join('\r\n'),
  );

describe('POST /v1/bulk-messages', () => {
  it('queues a CSV upload (202, no data) and lists the batch', async () => {
    const t = await appSetup();
    expect((await t.call('get', '/v1/bulk-messages')).body).toEqual({
      status: 'success',
      message: 'fetched 0 bulk messages',
      data: [],
    });
    const r = await t
      .call('post', '/v1/bulk-messages')
      .attach(
        'document',
        csv([`${OWNER},${CONTACT},one,,`, `${OWNER},${CONTACT},two,2026-11-24T18:00:00Z,`]),
        {
          filename: 'march.csv',
          contentType: 'text/csv',
        },
      );
    expect(r.status).toBe(202);
    expect(r.body).toEqual({
      status: 'success',
      message: 'Added 2 out of 2 messages to the queue',
    });
    expect(await t.raw.countMessages(t.account.id)).toBe(2);
    const list = await t.call('get', '/v1/bulk-messages');
    expect(list.body.message).toBe('fetched 1 bulk message');
    expect(list.body.data[0]).toMatchObject({
      total: 2,
      pending_count: 2,
      created_at: '2026-11-24T12:00:00Z',
    });
    expect(list.body.data[0].request_id).toMatch(/^bulk-.+-march\.csv$/);
  });

  it('queues an XLSX upload told by its file name', async () => {
    const t = await appSetup();
    const data = await writeXlsxFile([
      [{ value: 'From' }, { value: 'To' }, { value: 'Content' }],
      [{ value: OWNER }, { value: CONTACT }, { value: 'from a sheet' }],
    ]).toBuffer();
    const r = await t
      .call('post', '/v1/bulk-messages')
      .attach('document', data, { filename: 'list.xlsx', contentType: XLSX });
    expect(r.status).toBe(202);
    expect(r.body.message).toBe('Added 1 out of 1 messages to the queue');
  });

  it('422 for bad rows or a missing document, 400 without multipart, 413 past the size limit', async () => {
    const t = await appSetup();
    const bad = await t
      .call('post', '/v1/bulk-messages')
      .attach('document', csv([`${OWNER},nope,,,`]), {
        filename: 'a.csv',
        contentType: 'text/csv',
      });
    expect(bad.status).toBe(422);
    expect(bad.body.data.document[0]).toMatch(/^Row \[2\]: /);
    const missing = await t.call('post', '/v1/bulk-messages').field('other', 'x');
    expect(missing.status).toBe(422);
    expect(missing.body.data).toEqual({ document: ['The document field is required'] });
    const json = await t.call('post', '/v1/bulk-messages').send({ document: 'x' });
    expect(json.status).toBe(400);
    const huge = await t
      .call('post', '/v1/bulk-messages')
      .attach('document', Buffer.alloc(5_400_000, 'a'), {
        filename: 'a.csv',
        contentType: 'text/csv',
      });
    expect(huge.status).toBe(413);
    const large = await t
      .call('post', '/v1/bulk-messages')
      .attach('document', Buffer.alloc(5_100_000, 'a'), {
        filename: 'a.csv',
        contentType: 'text/csv',
      });
    expect(large.status).toBe(422);
    expect(large.body.data.document[0]).toContain('smaller than 5000000 bytes');
  });
});
