/**
 * XLSX uploads that would unpack to far more than they weigh (issue #14, item 7):
 * a zip bomb is refused with 413 after at most `unpackedBytes` were inflated, a
 * sheet past 1,000 rows, a row-number gap, a far column or too many parts is 422,
 * and the scan stops there instead of unpacking the rest.
 */
import type { GatewayError } from '@textport/core';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import writeXlsxFile from 'write-excel-file/node';
import { sendBulkDocument } from '../src/index.js';
import {
  type DeflatedEntry as Entry,
  deflated as entry,
  deflatedZeros as zeros,
  zipOf as zip,
} from '../src/testing/index.js';
import { scanXlsx, XLSX_LIMITS } from '../src/xlsx-bounds.js';
import { CONTACT, httpSetup, OWNER, setup } from './helpers.js';

const MIB = 1024 * 1024;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The parts of a valid XLSX written by write-excel-file, with `sheet` as its first sheet when given. */
async function xlsxParts(rows = 2, sheet?: string): Promise<Entry[]> {
  const data = await writeXlsxFile([
    [{ value: 'From' }, { value: 'To' }, { value: 'Content' }],
    ...Array.from({ length: rows }, (_, i) => [
      { value: OWNER },
      { value: CONTACT },
      { value: `hello ${i}` },
    ]),
  ]).toBuffer();
  return Object.entries(unzipSync(new Uint8Array(data))).map(([name, bytes]) =>
    entry(name, name === 'xl/worksheets/sheet1.xml' && sheet ? sheet : bytes),
  );
}

async function sheetXml(): Promise<string> {
  const data = await writeXlsxFile([[{ value: 'From' }]]).toBuffer();
  return Buffer.from(unzipSync(new Uint8Array(data))['xl/worksheets/sheet1.xml'] ?? []).toString();
}

async function upload(data: Buffer) {
  const t = await setup();
  const error = await sendBulkDocument(t.gateway, t.account.id, {
    fileName: 'x.xlsx',
    contentType: XLSX_TYPE,
    data,
  }).then(
    () => null,
    (e: unknown) => e,
  );
  return { error: error as GatewayError | null, stored: await t.raw.countMessages(t.account.id) };
}

describe('XLSX bounds', () => {
  it('a zip bomb (three 1 GiB parts in 3 MB) is 413 after at most the limit was inflated', async () => {
    const parts = await xlsxParts();
    const bomb = zip([
      ...parts,
      zeros('xl/a.xml', 1024),
      zeros('xl/b.xml', 1024),
      zeros('c.bin', 1024),
    ]);
    expect(bomb.length).toBeLessThan(5_000_000);
    const scan = scanXlsx(bomb);
    expect(scan.refusal?.code).toBe('payload_too_large');
    expect(scan.inflatedBytes).toBeGreaterThan(XLSX_LIMITS.unpackedBytes);
    expect(scan.inflatedBytes).toBeLessThanOrEqual(XLSX_LIMITS.unpackedBytes + 2 * MIB);

    const { error, stored } = await upload(bomb);
    expect(error?.code).toBe('payload_too_large');
    expect(stored).toBe(0);
  });

  it('answers the bomb 413 in the envelope over HTTP', async () => {
    const t = await httpSetup();
    const bomb = zip([...(await xlsxParts()), zeros('xl/a.xml', 64)]);
    const boundary = 'xlsx-bomb';
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="document"; filename="x.xlsx"\r\nContent-Type: ${XLSX_TYPE}\r\n\r\n`,
      ),
      bomb,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const r = await t.api.handle({
      method: 'POST',
      path: '/v1/bulk-messages',
      headers: {
        'x-api-key': t.apiKey,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      body,
    });
    expect(r?.status).toBe(413);
    expect(JSON.parse(String(r?.body))).toMatchObject({
      status: 'error',
      message: expect.stringContaining('unpacks to more than'),
    });
  });

  it('stops at the first value past row 1,001 (header + 1,000) with the row-count 422', async () => {
    const parts = await xlsxParts(5000);
    const scan = scanXlsx(zip(parts));
    expect(scan.refusal?.fields).toEqual({
      document: ['The document must contain between 1 and 1000 messages'],
    });
    const sheet = parts.find((p) => p.name === 'xl/worksheets/sheet1.xml');
    const total = parts.reduce((sum, p) => sum + p.size, 0);
    expect(sheet?.size).toBeGreaterThan(200_000);
    expect(scan.inflatedBytes).toBeLessThan(total / 2);
  });

  it('refuses a row-number gap that read-excel-file would fill with empty rows', async () => {
    const xml = (await sheetXml()).replace('</sheetData>', '<row r="1000000"></row></sheetData>');
    const { error, stored } = await upload(zip(await xlsxParts(2, xml)));
    expect(error?.fields?.document?.[0]).toMatch(/rows numbered above 65536/);
    expect(stored).toBe(0);
  });

  it('refuses a value far to the right, which would pad every row', async () => {
    const xml = (await sheetXml()).replace(
      '</sheetData>',
      '<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
    );
    const { error } = await upload(zip(await xlsxParts(2, xml)));
    expect(error?.fields?.document?.[0]).toMatch(/beyond column 256/);
  });

  it('refuses more parts than a spreadsheet has', async () => {
    const parts = await xlsxParts();
    const many = Array.from({ length: 1001 }, (_, i) => entry(`xl/extra/${i}.xml`, '<x/>'));
    const { error } = await upload(zip([...parts, ...many]));
    expect(error?.fields?.document?.[0]).toMatch(/more than 1000 parts/);
  });

  it('still reads a full sheet of 1,000 messages', async () => {
    const t = await setup();
    const data = zip(await xlsxParts(1000));
    expect(scanXlsx(data).refusal).toBeNull();
    const result = await sendBulkDocument(t.gateway, t.account.id, {
      fileName: 'x.xlsx',
      contentType: XLSX_TYPE,
      data,
    });
    expect(result.total).toBe(1000);
  });
});
