/**
 * Zip bombs against the standalone server (a child process on SQLite): XLSX uploads
 * of 3 MB that would unpack to 3 GiB each, several at once and again. What must
 * hold: every one is refused with 413 in the httpSMS envelope, nothing is queued,
 * the server keeps serving, and its peak resident memory (the kernel's high-water
 * mark, `VmHWM`) stays under 300 MB.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflated, deflatedZeros, zipOf } from '@textport/http/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { StandaloneNode, USER_KEY } from './crash/node.js';
import { api } from './crash/sender.js';
import { freePort, size } from './support.js';

const BOMBS = size('FAULT_ZIP_BOMBS', 6);
const MB = 1_000_000;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const dir = mkdtempSync(join(tmpdir(), 'textport-fault-zip-'));
let node: StandaloneNode | undefined;

afterAll(async () => {
  await node?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Peak resident memory of a process, in bytes (Linux). */
function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  if (!kb) throw new Error(`no VmHWM for process ${pid}`);
  return Number(kb) * 1024;
}

/** The parts of a minimal XLSX, then three entries of 1 GiB of zeros each. */
function bomb(): Buffer {
  const sheet =
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>From</t></is></c></row></sheetData></worksheet>';
  return zipOf([
    deflated('[Content_Types].xml', '<?xml version="1.0"?><Types/>'),
    deflated('xl/workbook.xml', '<?xml version="1.0"?><workbook/>'),
    deflated('xl/worksheets/sheet1.xml', sheet),
    deflatedZeros('xl/a.xml', 1024),
    deflatedZeros('xl/b.xml', 1024),
    deflatedZeros('xl/c.xml', 1024),
  ]);
}

function upload(url: string, document: Buffer) {
  const boundary = 'textport-zip-bomb';
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="document"; filename="messages.xlsx"\r\nContent-Type: ${XLSX_TYPE}\r\n\r\n`,
    ),
    document,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return fetch(`${url}/v1/bulk-messages`, {
    method: 'POST',
    headers: { 'x-api-key': USER_KEY, 'content-type': `multipart/form-data; boundary=${boundary}` },
    body,
    signal: AbortSignal.timeout(120_000),
  });
}

describe('zip bombs', () => {
  it(`${BOMBS} XLSX bombs of 3 GiB each, ${Math.min(BOMBS, 3)} at a time: 413, nothing queued, peak RSS under 300 MB`, async () => {
    node = new StandaloneNode({
      name: 'standalone',
      port: await freePort(),
      databaseUrl: `sqlite:${join(dir, 'db.sqlite')}`,
      cwd: dir,
    });
    await node.startAndWait();
    const pid = node.pid ?? 0;
    const document = bomb();
    expect(document.length).toBeLessThan(5 * MB);
    const before = peakRss(pid);

    for (let sent = 0; sent < BOMBS; sent += 3) {
      const answers = await Promise.all(
        Array.from({ length: Math.min(3, BOMBS - sent) }, () => upload(node?.url ?? '', document)),
      );
      for (const answer of answers) {
        expect(answer.status).toBe(413);
        const body = (await answer.json()) as { status: string; message: string; data?: unknown };
        expect(body.status).toBe('error');
        expect(JSON.stringify(body)).toContain('unpacks to more than');
      }
    }

    const peak = peakRss(pid);
    console.log(
      `zip-bomb: ${BOMBS} bombs of ${(document.length / MB).toFixed(1)} MB; server peak RSS ${(before / MB).toFixed(0)} MB before, ${(peak / MB).toFixed(0)} MB after`,
    );
    expect(peak).toBeLessThan(300 * MB);
    const batches = await api<{ data: unknown[] }>(node.url, '/v1/bulk-messages');
    expect(batches.data).toEqual([]);
    expect(node.unexpectedExits).toEqual([]);
  });
});
