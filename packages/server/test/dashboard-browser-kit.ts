/**
 * What the dashboard's browser tests share: Debian's Chromium (playwright-core), a standalone
 * server on a fresh SQLite database with its virtual phone, signing in, the axe-core scan (serious
 * and critical findings) and the screenshots written with `UPDATE_SCREENSHOTS=1`.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { readConfig } from '../src/config.js';
import { type RunningServer, startServer } from '../src/server.js';

/** Debian's package (`.ci/run` installs it); never a downloaded browser. */
export const CHROMIUM = process.env.TEXTPORT_CHROMIUM ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(
    `dashboard browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`,
  );
}
const SCREENSHOTS = fileURLToPath(new URL('../../../docs/dashboard/', import.meta.url));
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export const WAIT = { timeout: 20_000 };
/**
 * For a send that may queue behind others: the virtual phone sends 60 a minute, and the paging
 * test's 20 messages may still be ahead.
 */
export const QUEUED = { timeout: 60_000 };

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** axe-core's serious and critical findings on the page as it is now. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's CSP forbids inline scripts, rightly.
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run(): Promise<{ violations: unknown[]; passes: unknown[] }> };
      }
    ).axe;
    const { violations, passes } = await axe.run();
    return { violations, passes: passes.length };
  });
  expect(result.passes).toBeGreaterThan(0);
  return (result.violations as AxeViolation[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) => `${v.impact} ${v.id}: ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`,
    );
}

export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

export const title = haveChromium
  ? 'the dashboard in Chromium'
  : `the dashboard in Chromium (skipped: no Chromium at ${CHROMIUM}; apt-get install chromium)`;

export interface BrowserRun {
  dir: string;
  server: RunningServer;
  apiKey: string;
  browser: Browser;
  page: Page;
  /** The demo (virtual) phone's number. */
  phone: string;
  /** What the page's Content-Security-Policy blocked (console errors): must stay empty. */
  cspViolations: string[];
}

/** A standalone server on a fresh SQLite file and a Chromium page (UTC, en-US, 1200×800). */
export async function startBrowserRun(): Promise<BrowserRun> {
  const dir = mkdtempSync(join(tmpdir(), 'textport-dashboard-browser-'));
  const config = readConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
    LOG_LEVEL: 'silent',
  });
  const server = await startServer(config, () => {});
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
  const context = await browser.newContext({
    locale: 'en-US',
    timezoneId: 'UTC',
    viewport: { width: 1200, height: 800 },
  });
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  const phone = readConfig({}).TEXTPORT_DEMO_PHONE;
  return { dir, server, apiKey: server.newApiKey ?? '', browser, page, phone, cspViolations };
}

/** Closes the run; fails when the page's Content-Security-Policy blocked anything the app did. */
export async function stopBrowserRun(run: BrowserRun | undefined): Promise<void> {
  await run?.browser.close();
  await run?.server.close();
  if (run?.dir) rmSync(run.dir, { recursive: true, force: true });
  expect(run?.cspViolations ?? []).toEqual([]);
}
