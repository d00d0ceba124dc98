/**
 * The rows of a bulk-message upload's document (`POST /v1/bulk-messages` in docs/http-api.md): a CSV file by its header
 * row, or the first sheet of an XLSX file, scanned within `XLSX_LIMITS` before
 * it is unpacked. The rows go to `gateway.bulk.send`, which validates them.
 */
import {
  type BulkRow,
  type BulkSendResult,
  type Gateway,
  GatewayError,
  MAX_BULK_ROWS,
} from '@textport/core';
import { scanXlsx, XLSX_LIMITS } from './xlsx-bounds.js';

export interface BulkDocument {
  fileName: string;
  /** The part's content type (`text/csv`, the OOXML spreadsheet type, …). */
  contentType: string;
  data: Uint8Array;
}

/** Documents must be smaller than this. */
export const MAX_BULK_DOCUMENT_BYTES = 5_000_000;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const CSV_TYPES = new Set(['text/csv', 'application/csv', 'text/comma-separated-values']);
const COLUMNS = ['fromphonenumber', 'tophonenumber', 'content', 'sendtime', 'attachmenturls'];

/** One row as text: from, to, content, send time, attachment URLs (comma-separated). */
type Row = [string, string, string, string, string];

function invalid(message: string): GatewayError {
  return GatewayError.validation({ document: [message] });
}

function documentKind(doc: BulkDocument): 'csv' | 'xlsx' | null {
  const type = (doc.contentType.split(';')[0] ?? '').trim().toLowerCase();
  const name = doc.fileName.toLowerCase();
  if (CSV_TYPES.has(type) || (type !== XLSX_TYPE && name.endsWith('.csv'))) return 'csv';
  if (type === XLSX_TYPE || name.endsWith('.xlsx')) return 'xlsx';
  return null;
}

/** CSV columns are found by their header (`SendTime(optional)` or `SendTime`, any case). */
async function csvRows(data: Uint8Array): Promise<Row[]> {
  const { parse: parseCsv } = await import('csv-parse/sync');
  let records: string[][];
  try {
    records = parseCsv(Buffer.from(data), {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
    });
  } catch (error) {
    throw invalid(`cannot parse the CSV document: ${(error as Error).message}`);
  }
  const header = (records[0] ?? []).map((h) =>
    h
      .replace(/\(optional\)/i, '')
      .trim()
      .toLowerCase(),
  );
  const index = COLUMNS.map((name) => header.indexOf(name));
  if (index.slice(0, 3).some((i) => i < 0)) {
    throw invalid('The CSV document needs the columns FromPhoneNumber, ToPhoneNumber and Content');
  }
  return records.slice(1).map((r) => index.map((i) => (i < 0 ? '' : (r[i] ?? ''))) as Row);
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    // A date cell the spreadsheet cannot place in time (a huge serial) is no time at all.
    return Number.isNaN(value.getTime()) ? String(value) : value.toISOString().slice(0, 19);
  }
  return String(value);
}

/**
 * XLSX: the first sheet, header row skipped, columns A–E; rows with fewer than 3 cells or an
 * empty A are skipped. The zip is scanned within `XLSX_LIMITS` before it is unpacked.
 */
async function xlsxRows(data: Uint8Array): Promise<Row[]> {
  const { refusal } = scanXlsx(data, { ...XLSX_LIMITS, rows: MAX_BULK_ROWS });
  if (refusal) throw refusal;
  const { readSheet } = await import('read-excel-file/node');
  let sheet: unknown[][];
  try {
    sheet = await readSheet(Buffer.from(data));
  } catch (error) {
    throw invalid(`cannot read the XLSX document: ${(error as Error).message}`);
  }
  const rows: Row[] = [];
  for (const raw of sheet.slice(1)) {
    const cells = raw.slice(0, 5).map(cellText);
    while (cells.length > 0 && cells[cells.length - 1]?.trim() === '') cells.pop();
    if (cells.length < 3 || cells[0]?.trim() === '') continue;
    rows.push([0, 1, 2, 3, 4].map((i) => cells[i] ?? '') as Row);
  }
  return rows;
}

/** Reads the rows of a document (CSV or XLSX), without validating them. */
export async function readBulkDocument(doc: BulkDocument): Promise<BulkRow[]> {
  if (doc.data.length >= MAX_BULK_DOCUMENT_BYTES) {
    throw invalid(`The document must be smaller than ${MAX_BULK_DOCUMENT_BYTES} bytes`);
  }
  const kind = documentKind(doc);
  if (kind === null) throw invalid('The document must be a CSV or an XLSX file');
  const rows = kind === 'csv' ? await csvRows(doc.data) : await xlsxRows(doc.data);
  return rows.map(([from, to, content, sendTime, attachmentUrls]) => ({
    from,
    to,
    content,
    sendTime,
    attachmentUrls,
  }));
}

/** Reads the document's rows and queues them with `gateway.bulk.send` (none when a row is bad). */
export async function sendBulkDocument(
  gateway: Gateway,
  accountId: string,
  doc: BulkDocument,
): Promise<BulkSendResult> {
  const rows = await readBulkDocument(doc);
  return gateway.bulk.send(accountId, rows, { fileName: doc.fileName });
}
