/**
 * Bulk send (`POST /v1/bulk-messages` in docs/http-api.md): one message a row, the rows
 * of a CSV or XLSX upload as `@textport/http` reads them, validated as a whole (every
 * problem reported under `document` with its row) and queued in one transaction.
 */

import type { MessageRecord, PhoneRecord } from '../domain/records.js';
import { parseTimestamp, toTimestamp } from '../domain/time.js';
import { isValidTimeZone, localToInstant } from '../domain/windows.js';
import { GatewayError } from '../errors.js';
import { MESSAGE_STATUSES, type MessageStatus } from '../lifecycle/status.js';
import type { GatewayContext } from '../uow/context.js';
import { runUnitOfWork } from '../uow/context.js';
import { getAccount } from './accounts.js';
import { withholdOptedOut } from './opt-outs.js';
import { checkQuota } from './quota.js';
import { enqueueOutgoing, newOutgoingMessage } from './send.js';
import { Checker } from './validate.js';

/**
 * One row of a bulk document, as text. Problems are reported as `Row [n]`, `n` being the
 * row's index plus 2 (its line in a document with a header row).
 */
export interface BulkRow {
  /** FromPhoneNumber: one of the account's phones. */
  from: string;
  /** ToPhoneNumber. */
  to: string;
  content: string;
  /** SendTime: RFC 3339, or `YYYY-MM-DD HH:MM:SS` in the account's time zone; empty for now. */
  sendTime?: string;
  /** AttachmentURLs, comma-separated. */
  attachmentUrls?: string;
}

export interface BulkSendOptions {
  /** The uploaded document's name, kept (safe characters only) in the request id. */
  fileName?: string;
}

export interface BulkSendResult {
  /** `bulk-…`, shared by every message of the batch. */
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

/** A bulk send holds at least 1 and at most this many rows. */
export const MAX_BULK_ROWS = 1000;
const MAX_AHEAD_HOURS = 420;
const NAIVE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})$/;
const BASE62 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** The cells of a row in column order: from, to, content, send time, attachment URLs. */
const CELL_NAMES = ['FromPhoneNumber', 'ToPhoneNumber', 'Content', 'SendTime', 'AttachmentURLs'];
type Cells = [string, string, string, string, string];

/** The 422 message (under `document`) for a batch of no rows or more than `max`. */
export function bulkRowCountMessage(max = MAX_BULK_ROWS): string {
  return `The document must contain between 1 and ${max} messages`;
}

function invalid(message: string): GatewayError {
  return GatewayError.validation({ document: [message] });
}

function cellText(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

function cellsOf(row: BulkRow): Cells {
  const { from, to, content, sendTime, attachmentUrls } = row ?? ({} as BulkRow);
  return [from, to, content, sendTime, attachmentUrls].map(cellText) as Cells;
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

/** Every row read and checked: each row's problems, without the `Row [n]: ` prefix. */
interface InspectedRow extends CheckedRow {
  problems: string[];
}

function inspectRows(rows: readonly BulkRow[], timeZone: string, now: number): InspectedRow[] {
  if (!Array.isArray(rows) || rows.length < 1 || rows.length > MAX_BULK_ROWS) {
    throw invalid(bulkRowCountMessage());
  }
  const limit = now + MAX_AHEAD_HOURS * 3600_000;
  return rows.map((input, i) => {
    const row = new Checker();
    const [from, to, content, sendTime, urls] = cellsOf(input).map((cell, c) =>
      row.storable(CELL_NAMES[c] ?? 'document', cell),
    ) as Cells;
    const result: CheckedRow = {
      line: i + 2,
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
    return { ...result, problems: Object.values(row.fields).flat() };
  });
}

function checkRows(rows: readonly BulkRow[], timeZone: string, now: number): CheckedRow[] {
  const check = new Checker();
  const inspected = inspectRows(rows, timeZone, now);
  for (const row of inspected) {
    for (const problem of row.problems) check.add('document', `Row [${row.line}]: ${problem}`);
  }
  check.throwIfInvalid();
  return inspected;
}

/** A row of a preview: what would be queued, and why it cannot be. */
export interface BulkPreviewRow {
  /** The row's line in the document (header on line 1). */
  line: number;
  from: string;
  to: string;
  content: string;
  sendAt: number | null;
  /** Empty when the row would be queued. */
  problems: string[];
}

export interface BulkPreview {
  total: number;
  /** Rows without problems. */
  valid: number;
  rows: BulkPreviewRow[];
}

function unknownPhone(from: string): string {
  return `no phone found with the FromPhoneNumber [${from}]`;
}

/**
 * Checks every row as `sendBulkRows` would, and reports the problems row by row instead of
 * refusing the batch; writes nothing.
 */
export async function previewBulkRows(
  ctx: GatewayContext,
  accountId: string,
  input: readonly BulkRow[],
): Promise<BulkPreview> {
  const account = await getAccount(ctx, accountId);
  const rows = inspectRows(input, account.timezone, ctx.clock.now());
  const known = new Map<string, boolean>();
  for (const row of rows) {
    if (row.from === '' || row.problems.length > 0 || known.has(row.from)) continue;
    known.set(row.from, (await ctx.store.findPhoneByNumber(accountId, row.from)) !== null);
  }
  const preview = rows.map(({ line, from, to, content, sendAt, problems }) => ({
    line,
    from,
    to,
    content,
    sendAt,
    problems: known.get(from) === false ? [...problems, unknownPhone(from)] : problems,
  }));
  const valid = preview.filter((row) => row.problems.length === 0).length;
  return { total: preview.length, valid, rows: preview };
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

/** Validates every row, then queues all messages in one transaction (none when any row is bad). */
export async function sendBulkRows(
  ctx: GatewayContext,
  accountId: string,
  input: readonly BulkRow[],
  options: BulkSendOptions = {},
): Promise<BulkSendResult> {
  const account = await getAccount(ctx, accountId);
  const rows = checkRows(input, account.timezone, ctx.clock.now());
  const requestId = bulkRequestId(options.fileName ?? '', ctx.clock.now());
  const source = '/v1/bulk-messages';
  const from = [...new Set(rows.map((row) => row.from))];
  await checkQuota(ctx, { accountId, messages: rows.length, from, source });
  const messages = await runUnitOfWork(ctx, async (uow) => {
    const phones = new Map<string, PhoneRecord | null>();
    const check = new Checker();
    for (const row of rows) {
      if (phones.has(row.from)) continue;
      const phone = await uow.tx.findPhoneByNumber(accountId, row.from);
      phones.set(row.from, phone);
      if (!phone) {
        check.add('document', `Row [${row.line}]: ${unknownPhone(row.from)}`);
      }
    }
    check.throwIfInvalid();
    const nextIndex = new Map<string, number>();
    const now = uow.now;
    const drafts = rows.map((row) => {
      const phone = phones.get(row.from) as PhoneRecord;
      const bulkIndex = row.sendAt === null ? (nextIndex.get(phone.id) ?? 0) : 0;
      if (row.sendAt === null) nextIndex.set(phone.id, bulkIndex + 1);
      const fields = { ...row, id: uow.uuid(), contact: row.to, encrypted: false, requestId };
      return newOutgoingMessage(phone, { ...fields, bulkIndex }, now);
    });
    // A row to a contact that opted out is stored failed (`OPTED_OUT`): reported per row.
    const created = await withholdOptedOut(uow.tx, drafts, now);
    await enqueueOutgoing(uow, created, source);
    return created;
  });
  return { requestId, total: rows.length, messages };
}

/** The latest bulk batches (at most `limit`), newest first, with a count per status. */
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
