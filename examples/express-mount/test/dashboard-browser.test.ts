/**
 * The dashboard embedded behind the host app's own auth, in a real browser (Debian's Chromium,
 * driven by playwright-core): the host's credential (here its bearer header, sent with every
 * request as a session cookie would be) signs the dashboard in — no API key is asked for — and
 * each team sees only its own messages.
 */
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type Team } from '../src/app.js';

const CHROMIUM = process.env.TEXTPORT_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const title = haveChromium
  ? 'the embedded dashboard in Chromium'
  : `the embedded dashboard in Chromium (skipped: no Chromium at ${CHROMIUM}; apt-get install chromium)`;
const WAIT = { timeout: 20_000 };

describe.skipIf(!haveChromium)(title, () => {
  let server: Server;
  let base: string;
  let browser: Browser;
  let teams: Team[];

  beforeAll(async () => {
    const made = await createApp();
    teams = made.teams;
    const [a] = teams;
    if (!a) throw new Error('no team');
    await made.gateway.phones.upsert(a.accountId, { phoneNumber: '+18005550123' });
    await made.gateway.messages.send(a.accountId, {
      from: '+18005550123',
      to: '+18005550100',
      content: 'Only team a sees this',
    });
    server = made.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  /** A page whose every request carries the team's credential, as a host session would. */
  async function pageAs(team: Team | null) {
    const context = await browser.newContext({
      locale: 'en-US',
      timezoneId: 'UTC',
      extraHTTPHeaders: team ? { authorization: `Bearer ${team.token}` } : {},
    });
    return context.newPage();
  }

  it("signs in with the host's session, no API key asked, and shows the team's messages", async () => {
    const page = await pageAs(teams[0] ?? null);
    await page.goto(`${base}/sms/admin/`);
    await page.getByRole('heading', { level: 1, name: 'Overview', exact: true }).waitFor(WAIT);
    await page.getByText('Signed in by the host app').waitFor(WAIT);
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Messages' })
      .click();
    await page.getByText('Only team a sees this').waitFor(WAIT);
    expect(page.url()).toBe(`${base}/sms/admin/messages`);
    await page.getByRole('status').getByText('Live').waitFor(WAIT);
  });

  it("shows another team only its own messages, and nothing to a caller the host doesn't know", async () => {
    const other = await pageAs(teams[1] ?? null);
    await other.goto(`${base}/sms/admin/messages`);
    await other.getByRole('heading', { level: 1, name: 'Messages', exact: true }).waitFor(WAIT);
    await other.getByText('No messages match.').waitFor(WAIT);
    expect(await other.getByText('Only team a sees this').count()).toBe(0);

    const stranger = await pageAs(null);
    const response = await stranger.goto(`${base}/sms/admin/`);
    expect(response?.status()).toBe(401);
    expect(await stranger.locator('#root').count()).toBe(0);
  });
});
