/**
 * Bounds on an XLSX upload before read-excel-file unpacks it (issue #14, item 7).
 * An XLSX file is a zip of XML parts; read-excel-file inflates every part whole
 * and fills the gaps between row and column numbers with empty cells, so a 3 MB
 * upload can ask for gigabytes. `scanXlsx` streams the zip through fflate's
 * `Unzip` in small pieces, counting entries and inflated bytes and reading the
 * row and cell numbers of the XML as it goes, and stops at the first bound
 * passed: nothing past `unpackedBytes` (plus one piece) is ever inflated.
 */

import { bulkRowCountMessage, GatewayError } from '@textport/core';
import { Unzip, type UnzipFile, UnzipInflate } from 'fflate';

export interface XlsxLimits {
  /** Zip entries of any kind. */
  entries: number;
  /** Inflated bytes of every entry together. */
  unpackedBytes: number;
  /** Rows holding a value after the header row (a bulk send's message limit). */
  rows: number;
  /** Row numbers of any row or cell, empty ones too (read-excel-file fills the gaps). */
  rowNumbers: number;
  /** Columns holding a value (read-excel-file pads every row to the widest). */
  columns: number;
}

export const XLSX_LIMITS: XlsxLimits = Object.freeze({
  entries: 1000,
  unpackedBytes: 32 * 1024 * 1024,
  rows: 1000,
  rowNumbers: 65_536,
  columns: 256,
});

export interface XlsxScan {
  entries: number;
  /** Bytes inflated by the scan, at most one piece's worth past `unpackedBytes`. */
  inflatedBytes: number;
  /** Why the document is refused (413 or 422 under `document`), or null. */
  refusal: GatewayError | null;
}

/** Compressed bytes handed to the inflater at a time: at most ~1 MiB comes out of each. */
const PIECE = 1024;
/** No tag of a spreadsheet part is this long; a longer one could hide a row number. */
const MAX_TAG = 64 * 1024;
const TAG = /<(?:[A-Za-z_][\w.-]*:)?(row|c|v|is)(?=[\s/>])([^>]*)>/g;
const R_ATTRIBUTE = /(?:^|\s)r\s*=\s*(["'])(.*?)\1/;

function refuse(message: string): GatewayError {
  return GatewayError.validation({ document: [message] });
}

/** read-excel-file's reading of `r="AB12"`: letters before the first digit in base 26, then the row. */
function cellAddress(ref: string): [row: number, column: number] {
  let column = 0;
  for (let i = 0; i < ref.length; i += 1) {
    const code = ref.charCodeAt(i);
    if (code >= 48 && code <= 57) return [Number(ref.slice(i)), column];
    column = column * 26 + code - 64;
  }
  return [0, column];
}

/** Row and cell numbers of one XML part, read tag by tag across inflated pieces. */
class PartReader {
  private carry = '';
  private lastRow = 0;
  private cell: [number, number] | null = null;

  constructor(
    private readonly limits: XlsxLimits,
    private readonly stop: (refusal: GatewayError) => void,
  ) {}

  read(chunk: Uint8Array): void {
    const text =
      this.carry + Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length).toString('latin1');
    const open = text.lastIndexOf('<');
    const cut = open >= 0 && text.indexOf('>', open) < 0 ? open : text.length;
    this.carry = text.slice(cut);
    if (this.carry.length > MAX_TAG) {
      this.stop(refuse(`cannot read the XLSX document: a tag longer than ${MAX_TAG} bytes`));
      return;
    }
    TAG.lastIndex = 0;
    const body = cut === text.length ? text : text.slice(0, cut);
    for (let m = TAG.exec(body); m !== null; m = TAG.exec(body)) {
      if (!this.tag(m[1] ?? '', m[2] ?? '')) return;
    }
  }

  /** False once a bound is passed. */
  private tag(name: string, attributes: string): boolean {
    const { limits } = this;
    const r = R_ATTRIBUTE.exec(attributes)?.[2];
    if (name === 'row') {
      this.lastRow = r === undefined ? this.lastRow + 1 : Number(r);
      this.cell = null;
      return this.rowNumber(this.lastRow);
    }
    if (name === 'c') {
      this.cell = r === undefined ? null : cellAddress(r);
      return this.cell === null || this.rowNumber(this.cell[0]);
    }
    // A <v> or <is> inside a cell: the cell holds a value.
    if (this.cell === null) return true;
    const [row, column] = this.cell;
    if (row > limits.rows + 1) {
      this.stop(refuse(bulkRowCountMessage(limits.rows)));
      return false;
    }
    if (column > limits.columns) {
      this.stop(refuse(`The document must not have values beyond column ${limits.columns}`));
      return false;
    }
    return true;
  }

  private rowNumber(row: number): boolean {
    if (!(row > this.limits.rowNumbers)) return true;
    this.stop(refuse(`The document must not have rows numbered above ${this.limits.rowNumbers}`));
    return false;
  }
}

/**
 * Streams the zip in `data` and reports the first bound it passes: too many
 * entries or rows (422), too many inflated bytes (413). A document fflate
 * cannot read is refused as unreadable (422).
 */
export function scanXlsx(data: Uint8Array, limits: XlsxLimits = XLSX_LIMITS): XlsxScan {
  const scan: XlsxScan = { entries: 0, inflatedBytes: 0, refusal: null };
  const stop = (refusal: GatewayError) => {
    scan.refusal ??= refusal;
  };
  const files: UnzipFile[] = [];
  const unzip = new Unzip((file) => {
    scan.entries += 1;
    if (scan.entries > limits.entries) {
      stop(refuse(`The XLSX document must not have more than ${limits.entries} parts`));
      return;
    }
    const part = new PartReader(limits, stop);
    file.ondata = (error, chunk) => {
      if (scan.refusal) return;
      if (error) {
        stop(refuse(`cannot read the XLSX document: ${error.message}`));
        return;
      }
      scan.inflatedBytes += chunk.length;
      if (scan.inflatedBytes > limits.unpackedBytes) {
        const detail = `the XLSX document unpacks to more than ${limits.unpackedBytes} bytes`;
        stop(new GatewayError('payload_too_large', detail, { detail }));
        return;
      }
      if (/\.xml$/i.test(file.name)) part.read(chunk);
    };
    files.push(file);
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    for (let at = 0; at < data.length && !scan.refusal; at += PIECE) {
      unzip.push(data.subarray(at, at + PIECE), at + PIECE >= data.length);
    }
  } catch (error) {
    stop(refuse(`cannot read the XLSX document: ${(error as Error).message}`));
  }
  if (scan.refusal) for (const file of files) file.terminate();
  return scan;
}
