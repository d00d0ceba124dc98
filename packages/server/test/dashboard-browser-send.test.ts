/**
 * The dashboard's bulk send in a real browser (Debian's Chromium, driven by playwright-core)
 * against the standalone server with its virtual phone: a 3-row CSV with one bad row is checked
 * row by row and cannot be queued; the corrected document is queued as one batch. axe-core scans
 * the page (no serious or critical violation); `UPDATE_SCREENSHOTS=1` writes its PNG into
 * docs/dashboard/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityProblems,
  type BrowserRun,
  haveChromium,
  screenshot,
  startBrowserRun,
  stopBrowserRun,
  title,
  WAIT,
} from './dashboard-browser-kit.js';

const HEADER = 'FromPhoneNumber,ToPhoneNumber,Content,SendTime(optional)';
const csv = (rows: string[]) => Buffer.from([HEADER, ...rows].join('\r\n'));
/** Two days ahead at 09:00 UTC: within the 420 hours a bulk row may look ahead. */
const later = new Date(Date.now() + 2 * 86_400_000);
const day = later.toISOString().slice(0, 10);
const shown = `${later.getUTCMonth() + 1}/${later.getUTCDate()}/${later.getUTCFullYear()}, 9:00:00 AM`;

describe.skipIf(!haveChromium)(`${title}: bulk send`, () => {
  let run: BrowserRun;
  let page: Page;

  const h1 = (name: string) => page.getByRole('heading', { level: 1, name, exact: true });
  const rowsOf = (phone: string, second: string) => [
    `${phone},+18005550101,First of three,`,
    `${phone},${second},Second of three,`,
    `${phone},+18005550103,Third of three,${day} 09:00:00`,
  ];

  beforeAll(async () => {
    run = await startBrowserRun();
    page = run.page;
    await page.goto(`${run.server.url}/`);
    await page.getByLabel('API key').fill(run.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await h1('Overview').waitFor(WAIT);
  }, 60_000);

  afterAll(() => stopBrowserRun(run));

  it('checks a 3-row CSV row by row, shows the bad row with its error and queues nothing', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Send' })
      .click();
    await page.getByRole('link', { name: 'Upload a CSV or XLSX file' }).click();
    await h1('Bulk send').waitFor(WAIT);
    await page.getByLabel('Document').setInputFiles({
      name: 'three.csv',
      mimeType: 'text/csv',
      buffer: csv(rowsOf(run.phone, 'call-me-maybe')),
    });
    await page.getByText('2 of 3 rows can be queued').waitFor(WAIT);
    const table = page.getByRole('table');
    const row = (n: number) =>
      table
        .getByRole('row')
        .filter({ has: page.getByRole('rowheader', { name: String(n), exact: true }) });
    expect(await row(2).getByRole('cell').last().textContent()).toBe('OK');
    expect(await row(3).getByRole('cell').last().textContent()).toMatch(
      /^The ToPhoneNumber field must be a valid E\.164 phone number/,
    );
    expect(await row(4).getByRole('cell').last().textContent()).toBe('OK');
    // The naive SendTime is read in the account's time zone (UTC) and shown in the browser's (UTC).
    await row(4).getByText(shown).waitFor(WAIT);
    await page.getByRole('alert').getByText('1 row has problems').waitFor(WAIT);
    expect(await page.getByRole('button', { name: 'Queue 3 messages' }).isDisabled()).toBe(true);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'bulk');
    const batches = await fetch(`${run.server.url}/v1/bulk-messages`, {
      headers: { 'x-api-key': run.apiKey },
    });
    expect(((await batches.json()) as { data: unknown[] }).data).toEqual([]);
  });

  it('queues the corrected document as one batch', async () => {
    await page.getByLabel('Document').setInputFiles({
      name: 'fixed.csv',
      mimeType: 'text/csv',
      buffer: csv(rowsOf(run.phone, '+18005550102')),
    });
    await page.getByText('3 of 3 rows can be queued').waitFor(WAIT);
    await page.getByRole('button', { name: 'Queue 3 messages' }).click();
    await page.getByRole('status').getByText('Queued 3 messages from fixed.csv.').waitFor(WAIT);
    const response = await fetch(`${run.server.url}/v1/bulk-messages`, {
      headers: { 'x-api-key': run.apiKey },
    });
    const { data } = (await response.json()) as { data: { request_id: string; total: number }[] };
    expect(data).toHaveLength(1);
    expect(data[0]?.total).toBe(3);
    expect(data[0]?.request_id).toMatch(/-fixed\.csv$/);
  });

  it('counts the batch on the overview by status and in the current hour, live', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Overview' })
      .click();
    await h1('Overview').waitFor(WAIT);
    const count = (status: string) => page.locator(`.counts li[data-status="${status}"] strong`);
    // The two rows due now are delivered by the virtual phone; the third is pending until its time.
    await page
      .locator('.counts li[data-status="delivered"] strong')
      .getByText('2', { exact: true })
      .waitFor(WAIT);
    expect(await count('pending').textContent()).toBe('1');
    expect(await count('failed').textContent()).toBe('0');
    const hours = page.locator('figure.chart table tbody tr');
    expect(await hours.count()).toBe(24);
    // Summed over the hours: the batch may straddle the turn of an hour.
    const cells = await hours.evaluateAll((rows) =>
      rows.map((row) => [...row.querySelectorAll('td')].map((td) => Number(td.textContent))),
    );
    const sums = cells.reduce((a, row) => a.map((v, i) => v + (row[i] ?? 0)), [0, 0, 0, 0]);
    expect(sums).toEqual([2, 2, 0, 0]);
    expect(await page.getByRole('img').getAttribute('aria-label')).toMatch(
      /^2 sent and 0 received in the last 24 hours/,
    );
    await page.getByText('Webhook deliveries: 0 failed, 0 being retried.').waitFor(WAIT);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'overview-activity');
  });
});
