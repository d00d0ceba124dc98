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

describe('POST /v1/bulk-messages/preview', () => {
  it('reports every row with its own problems and queues nothing', async () => {
    const t = await appSetup();
    const r = await t
      .call('post', '/v1/bulk-messages/preview')
      .attach(
        'document',
        csv([
          `${OWNER},${CONTACT},one,,`,
          `${OWNER},not-a-number,two,,`,
          `+18005550111,${CONTACT},three,2026-11-24 20:00:00,`,
          `${OWNER},${CONTACT},,tomorrow,`,
        ]),
        { filename: 'rows.csv', contentType: 'text/csv' },
      );
    expect(r.status).toBe(200);
    expect(r.body.message).toBe('Checked 4 rows');
    expect(r.body.data.total).toBe(4);
    expect(r.body.data.valid_count).toBe(1);
    const rows = r.body.data.rows;
    expect(rows.map((row: { row: number }) => row.row)).toEqual([2, 3, 4, 5]);
    expect(rows[0]).toEqual({
      row: 2,
      from: OWNER,
      to: CONTACT,
      content: 'one',
      send_time: null,
      errors: [],
    });
    expect(rows[1].errors).toEqual([expect.stringMatching(/ToPhoneNumber/)]);
    expect(rows[2].errors).toEqual(['no phone found with the FromPhoneNumber [+18005550111]']);
    expect(rows[2].send_time).toBe('2026-11-24T20:00:00Z');
    expect(rows[3].errors).toEqual([
      expect.stringMatching(/Content field is required/),
      expect.stringMatching(/SendTime \[tomorrow\]/),
    ]);
    expect(await t.raw.countMessages(t.account.id)).toBe(0);
  });

  it('422 for a document with no rows or without the columns, as the upload', async () => {
    const t = await appSetup();
    const empty = await t
      .call('post', '/v1/bulk-messages/preview')
      .attach('document', csv([]), { filename: 'a.csv', contentType: 'text/csv' });
    expect(empty.status).toBe(422);
    expect(empty.body.data.document).toEqual([
      'The document must contain between 1 and 1000 messages',
    ]);
    const missing = await t.call('post', '/v1/bulk-messages/preview').field('other', 'x');
    expect(missing.status).toBe(422);
    expect(missing.body.data).toEqual({ document: ['The document field is required'] });
  });
});
