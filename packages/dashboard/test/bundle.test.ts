import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { defaultAppDir } from '../src/index.js';

/** The budget for everything the browser downloads. */
const BUDGET_GZIP_BYTES = 250 * 1024;

describe('the built app', () => {
  it(`stays within ${BUDGET_GZIP_BYTES / 1024} KB gzipped, with no request off the host`, () => {
    const dir = defaultAppDir();
    const files = ['index.html', ...readdirSync(join(dir, 'assets')).map((f) => `assets/${f}`)];
    let total = 0;
    for (const file of files) {
      const body = readFileSync(join(dir, file));
      const gzipped = gzipSync(body, { level: 9 }).length;
      total += gzipped;
      console.log(`dashboard bundle: ${file} ${body.length} B, ${gzipped} B gzipped`);
      // No CDN: nothing the page loads names another host.
      expect(body.toString('utf8')).not.toMatch(/(src|href)=["']https?:\/\//);
    }
    console.log(`dashboard bundle: ${total} B gzipped in all (budget ${BUDGET_GZIP_BYTES} B)`);
    expect(files.some((f) => f.endsWith('.js'))).toBe(true);
    expect(total).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
  });
});
