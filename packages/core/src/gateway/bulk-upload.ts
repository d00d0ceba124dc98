/**
 * Bulk upload (`POST /v1/bulk-messages` in docs/http-api.md): a CSV or XLSX document with one message a row,
 * validated as a whole (every problem reported under `document` with its row)
 * and queued in one transaction.
 */

import type { MessageRecord, PhoneRecord } from '../domain/records.js';
import { parseTimestamp, toTimestamp } from '../domain/time.js';
import { isValidTimeZone, localToInstant } from '../domain/windows.js';
import { GatewayError } from '../errors.js';
import { MESSAGE_STATUSES, type MessageStatus } from '../lifecycle/status.js';
import type { GatewayContext } from '../uow/context.js';
import { runUnitOfWork } from '../uow/context.js';
import { getAccount } from './accounts.js';
import { enqueueOutgoing, newOutgoingMessage } from './send.js';
import { Checker } from './validate.js';
import { rowCountMessage, scanXlsx, XLSX_LIMITS } from './xlsx-bounds.js';

export interface BulkDocument {
  fileName: string;
  /** The part's content type (`text/csv`, the OOXML spreadsheet type, …). */
  contentType: string;
  data: Uint8Array;
}

export interface BulkUploadResult {
  /** `bulk-…`, shared by every message of the upload. */
  requestId: string;
  total: number;
  messages: MessageRecord[];
}

export interface BulkBatch {
  requestId: string;
  total: number;
  counts: Record<MessageStatus, number>;
  createdAt: number;
}

/** Documents must be smaller than this. */
export const MAX_BULK_DOCUMENT_BYTES = 5_000_000;
const MAX_ROWS = 1000;
const MAX_AHEAD_HOURS = 420;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const CSV_TYPES = new Set(['text/csv', 'application/csv', 'text/comma-separated-values']);
const COLUMNS = ['fromphonenumber', 'tophonenumber', 'content', 'sendtime', 'attachmenturls'];
const NAIVE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})$/;
const BASE62 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** One row as text: from, to, content, send time, attachment URLs (comma-separated). */
const CELL_NAMES = ['FromPhoneNumber', 'ToPhoneNumber', 'Content', 'SendTime', 'AttachmentURLs'];
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
  const { refusal } = scanXlsx(data, { ...XLSX_LIMITS, rows: MAX_ROWS });
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

/** RFC 3339, or a naive `YYYY-MM-DD[T ]HH:MM:SS` read in the account's time zone. */
function parseSendTime(text: string, timeZone: string): number | null {
  const exact = parseTimestamp(text);
  if (exact !== null) return exact;
  const m = NAIVE_TIME.exec(text);
  if (!m) return null;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = m.slice(1).map(Number);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const zone = isValidTimeZone(timeZone) ? timeZone : 'UTC';
  // Years 0000 and 9999 may leave the range once the zone's offset is applied.
  return toTimestamp(
    localToInstant({ year, month, day }, hour * 60 + minute, zone) + second * 1000,
  );
}

interface CheckedRow {
  line: number;
  from: string;
  to: string;
  content: string;
  sendAt: number | null;
  attachments: string[] | null;
}

function checkRows(rows: readonly Row[], timeZone: string, now: number): CheckedRow[] {
  const check = new Checker();
  if (rows.length < 1 || rows.length > MAX_ROWS) {
    throw invalid(rowCountMessage(MAX_ROWS));
  }
  const limit = now + MAX_AHEAD_HOURS * 3600_000;
  const checked = rows.map((cells, i) => {
    const line = i + 2;
    const row = new Checker();
    const [from, to, content, sendTime, urls] = cells.map((cell, c) =>
      row.storable(CELL_NAMES[c] ?? 'document', cell),
    ) as Row;
    const result: CheckedRow = {
      line,
      from: row.phoneNumber('FromPhoneNumber', from),
      to: row.phoneNumber('ToPhoneNumber', to),
      content: row.text('Content', content, 1, 1024),
      sendAt: null,
      attachments: row.urls('AttachmentURLs', urls.split(',')),
    };
    if (sendTime.trim() !== '') {
      result.sendAt = parseSendTime(sendTime.trim(), timeZone);
      if (result.sendAt === null) {
        row.add('SendTime', `The SendTime [${sendTime}] must be RFC 3339 or YYYY-MM-DD HH:MM:SS`);
      } else if (result.sendAt > limit) {
        row.add(
          'SendTime',
          `The SendTime cannot be more than ${MAX_AHEAD_HOURS} hours in the future`,
        );
      }
    }
    for (const messages of Object.values(row.fields)) {
      for (const message of messages) check.add('document', `Row [${line}]: ${message}`);
    }
    return result;
  });
  check.throwIfInvalid();
  return checked;
}

function base62(value: number): string {
  let n = Math.max(0, Math.floor(value));
  let out = '';
  do {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out;
}

/** `bulk-<base62 ms>-<file name, safe characters, at most 32 (middle cut)>`. */
export function bulkRequestId(fileName: string, now: number): string {
  let name = fileName.replace(/[^A-Za-z0-9.\-_: ]/g, '');
  if (name.length > 32) name = `${name.slice(0, 14)}...${name.slice(-15)}`;
  return `bulk-${base62(now)}-${name}`;
}

/** Reads the rows of a document (CSV or XLSX), without validating them. */
export async function readBulkDocument(doc: BulkDocument): Promise<Row[]> {
  if (doc.data.length >= MAX_BULK_DOCUMENT_BYTES) {
    throw invalid(`The document must be smaller than ${MAX_BULK_DOCUMENT_BYTES} bytes`);
  }
  const kind = documentKind(doc);
  if (kind === null) throw invalid('The document must be a CSV or an XLSX file');
  return kind === 'csv' ? csvRows(doc.data) : xlsxRows(doc.data);
}

/** Validates every row, then queues all messages in one transaction (none when any row is bad). */
export async function sendBulkDocument(
  ctx: GatewayContext,
  accountId: string,
  doc: BulkDocument,
): Promise<BulkUploadResult> {
  const account = await getAccount(ctx, accountId);
  const rows = checkRows(await readBulkDocument(doc), account.timezone, ctx.clock.now());
  const requestId = bulkRequestId(doc.fileName, ctx.clock.now());
  const messages = await runUnitOfWork(ctx, async (uow) => {
    const phones = new Map<string, PhoneRecord | null>();
    const check = new Checker();
    for (const row of rows) {
      if (phones.has(row.from)) continue;
      const phone = await uow.tx.findPhoneByNumber(accountId, row.from);
      phones.set(row.from, phone);
      if (!phone) {
        check.add(
          'document',
          `Row [${row.line}]: no phone found with the FromPhoneNumber [${row.from}]`,
        );
      }
    }
    check.throwIfInvalid();
    const nextIndex = new Map<string, number>();
    const now = uow.now;
    const created = rows.map((row) => {
      const phone = phones.get(row.from) as PhoneRecord;
      const bulkIndex = row.sendAt === null ? (nextIndex.get(phone.id) ?? 0) : 0;
      if (row.sendAt === null) nextIndex.set(phone.id, bulkIndex + 1);
      const fields = { ...row, id: uow.uuid(), contact: row.to, encrypted: false, requestId };
      return newOutgoingMessage(phone, { ...fields, bulkIndex }, now);
    });
    await enqueueOutgoing(uow, created, '/v1/bulk-messages');
    return created;
  });
  return { requestId, total: rows.length, messages };
}

/** The latest bulk uploads (at most `limit`), newest first, with a count per status. */
export async function listBulkBatches(
  ctx: GatewayContext,
  accountId: string,
  limit = 10,
): Promise<BulkBatch[]> {
  const rows = await ctx.store.searchMessages({
    accountId,
    query: 'bulk-',
    skip: 0,
    limit: 10_000,
  });
  const batches = new Map<string, BulkBatch>();
  for (const m of rows) {
    if (!m.requestId?.startsWith('bulk-')) continue;
    let batch = batches.get(m.requestId);
    if (!batch) {
      const counts = Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, 0]));
      batch = { requestId: m.requestId, total: 0, counts, createdAt: m.createdAt } as BulkBatch;
      batches.set(m.requestId, batch);
    }
    batch.total += 1;
    batch.counts[m.status] += 1;
    batch.createdAt = Math.min(batch.createdAt, m.createdAt);
  }
  return [...batches.values()].sort((a, b) => b.createdAt - a.createdAt).slice(0, limit);
}
