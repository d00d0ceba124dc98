/**
 * The dashboard in a real browser (Debian's Chromium, driven by playwright-core) against the
 * standalone server with its virtual phone: sign in, the overview updating live, a message sent
 * from the form becoming `delivered`, search, a conversation and its reply, phone API keys, the
 * rotation of the user key, and an axe-core scan of every page (no serious or critical
 * violation). `UPDATE_SCREENSHOTS=1` (`npm run screenshots:dashboard`) also writes a
 * PNG of each page into docs/dashboard/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/server.js';
import {
  accessibilityProblems,
  type BrowserRun,
  haveChromium,
  QUEUED,
  screenshot,
  startBrowserRun,
  stopBrowserRun,
  title,
  WAIT,
} from './dashboard-browser-kit.js';

describe.skipIf(!haveChromium)(title, () => {
  let run: BrowserRun;
  let phone: string;
  let server: RunningServer;
  let apiKey: string;
  let page: Page;

  const sendByApi = async (content: string) => {
    const response = await fetch(`${server.url}/v1/messages/send`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ from: phone, to: '+18005550100', content }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { data: { id: string } }).data.id;
  };

  beforeAll(async () => {
    run = await startBrowserRun();
    ({ phone, server, apiKey, page } = run);
  }, 60_000);

  afterAll(() => stopBrowserRun(run));

  it('signs in with the API key, refusing a wrong one, and keeps it in the tab only', async () => {
    await page.goto(`${server.url}/`);
    await expect
      .poll(
        () => page.getByRole('heading', { name: 'Sign in to textport', exact: true }).count(),
        WAIT,
      )
      .toBe(1);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'sign-in');

    await page.getByLabel('API key').fill('uk_not_a_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('That API key does not work.').waitFor(WAIT);

    await page.getByLabel('API key').fill(apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview', exact: true }).waitFor(WAIT);
    expect(await page.evaluate("sessionStorage.getItem('textport.apiKey')")).toBe(apiKey);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    expect(await page.evaluate('document.cookie')).toBe('');
  });

  it('shows the phones and new messages on the overview as they happen, without a reload', async () => {
    await page.getByRole('status').getByText('Live').waitFor(WAIT);
    const phones = page.getByRole('region', { name: 'Phones' });
    const phoneRow = phones.getByRole('row').filter({ hasText: phone });
    await phoneRow.getByRole('cell', { name: 'online', exact: true }).waitFor(WAIT);
    expect(await phones.getByText(/1 online, 0 offline/).count()).toBe(1);
    await page.getByText('No messages yet.').waitFor(WAIT);
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));

    await sendByApi('Hello from the API, seen live');
    const recent = page.getByRole('region', { name: 'Recent messages' });
    const row = recent.getByRole('row').filter({ hasText: 'Hello from the API, seen live' });
    await row.getByText('delivered', { exact: true }).waitFor(WAIT);
    expect(navigations).toEqual([]);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'overview');
  });

  it('sends a message from the form and shows it becoming delivered', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Send', exact: true })
      .click();
    await page
      .getByRole('heading', { level: 1, name: 'Send a message', exact: true })
      .waitFor(WAIT);
    await expect.poll(() => page.getByLabel('From (your phone)').inputValue(), WAIT).toBe(phone);
    await page.getByLabel('To').fill('+18005550123');
    await page.getByLabel('Message').fill('Sent from the dashboard form');
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'send');
    await page.getByRole('button', { name: 'Send', exact: true }).click();

    await page.getByRole('heading', { level: 1, name: 'Message', exact: true }).waitFor(WAIT);
    expect(page.url()).toMatch(/\/messages\/[0-9a-f-]{36}$/);
    await page.locator('.status-line').getByText('delivered', { exact: true }).waitFor(WAIT);
    await page
      .getByRole('listitem')
      .filter({ hasText: /^Delivered:/ })
      .waitFor(WAIT);
    await expect.poll(() => page.getByText('Sent from the dashboard form').count()).toBe(1);
    expect(await page.getByText('+18005550123').count()).toBe(1);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'message');
  });

  it('schedules a message from the form and cancels it from its page', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Send', exact: true })
      .click();
    await expect.poll(() => page.getByLabel('From (your phone)').inputValue(), WAIT).toBe(phone);
    await page.getByLabel('To').fill('+18005550124');
    await page.getByLabel('Message').fill('Scheduled, then canceled');
    // The browser runs in UTC (the context's time zone): two hours from now, as the field wants.
    const later = new Date(Date.now() + 2 * 3_600_000).toISOString().slice(0, 16);
    await page.getByLabel(/Send at/).fill(later);
    await page.getByRole('button', { name: 'Send', exact: true }).click();

    await page.getByRole('heading', { level: 1, name: 'Message', exact: true }).waitFor(WAIT);
    // Waiting for its time, the message is `pending` with a scheduled send time.
    await page.locator('.status-line').getByText('pending', { exact: true }).waitFor(WAIT);
    await page
      .getByRole('listitem')
      .filter({ hasText: /^Scheduled for:/ })
      .waitFor(WAIT);
    await page.getByRole('button', { name: 'Cancel message' }).click();
    await page.locator('.status-line').getByText('canceled', { exact: true }).waitFor(WAIT);
    await page
      .getByRole('listitem')
      .filter({ hasText: /^Canceled:/ })
      .waitFor(WAIT);
    expect(await page.getByRole('button', { name: 'Cancel message' }).count()).toBe(0);
    const id = page.url().split('/').pop();
    const stored = await fetch(`${server.url}/v1/messages/${id}`, {
      headers: { 'x-api-key': apiKey },
    });
    expect(((await stored.json()) as { data: { status: string } }).data.status).toBe('canceled');
  });

  it('searches, filters and pages through the messages, and survives a reload on its own address', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Messages' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Messages', exact: true }).waitFor(WAIT);
    const rows = page.getByRole('table').getByRole('row');
    await expect.poll(() => rows.count(), WAIT).toBe(4); // the header and three messages

    await page.getByLabel('Search').fill('dashboard form');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => rows.count(), WAIT).toBe(2);
    expect(await rows.nth(1).textContent()).toContain('Sent from the dashboard form');

    await page.getByLabel('Search').fill('');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByLabel('Status').selectOption('failed');
    await page.getByText('No messages match.').waitFor(WAIT);
    await page.getByLabel('Status').selectOption('delivered');
    await expect.poll(() => rows.count(), WAIT).toBe(3); // the two delivered
    // By phone and by day (the latest activity, in the browser's time zone: UTC here).
    await page.getByLabel('Phone').selectOption(phone);
    const day = (days: number) =>
      new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('From day').fill(day(2));
    await page.getByText('No messages match.').waitFor(WAIT);
    await page.getByLabel('From day').fill(day(-1));
    await page.getByLabel('To day').fill(day(1));
    await expect.poll(() => rows.count(), WAIT).toBe(3);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'messages');

    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Messages', exact: true }).waitFor(WAIT);

    // 23 messages: a page of 20, then the other 3.
    const bulk = await fetch(`${server.url}/v1/messages/bulk-send`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        from: phone,
        to: Array.from({ length: 20 }, (_, i) => `+1800555${String(1000 + i)}`),
        content: 'One of many',
      }),
    });
    expect(bulk.status).toBe(200);
    await expect.poll(() => rows.count(), WAIT).toBe(21);
    const next = page.getByRole('button', { name: 'Next page', exact: true });
    const previous = page.getByRole('button', { name: 'Previous page', exact: true });
    expect(await previous.isDisabled()).toBe(true);
    await next.click();
    await page.getByText('Page 2', { exact: true }).waitFor(WAIT);
    await expect.poll(() => rows.count(), WAIT).toBe(4);
    expect(await next.isDisabled()).toBe(true);
    await previous.click();
    await expect.poll(() => rows.count(), WAIT).toBe(21);
  });

  const nav = (name: string) =>
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
  const h1 = (name: string) => page.getByRole('heading', { level: 1, name, exact: true });

  it('lists the conversations, opens one as a chat and replies, the reply becoming delivered', async () => {
    // A contact writes to the virtual phone, which reports it as the Android app would.
    const virtualPhone = server.virtualPhone;
    if (!virtualPhone) throw new Error('the server runs no virtual phone');
    await virtualPhone.reportReceived({ from: '+18005550177', content: 'Are you open today?' });

    await nav('Conversations').click();
    await h1('Conversations').waitFor(WAIT);
    const thread = page.getByRole('row').filter({ hasText: '+18005550177' });
    await thread.getByRole('cell', { name: 'Are you open today?' }).waitFor(WAIT);
    expect(await thread.getByRole('cell', { name: 'unread', exact: true }).count()).toBe(1);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'conversations');

    await thread.getByRole('link', { name: '+18005550177' }).click();
    await h1('Conversation with +18005550177').waitFor(WAIT);
    const chat = page.getByRole('list', { name: 'Messages, oldest first' });
    await chat.getByText('Are you open today?').waitFor(WAIT);
    // Opening it marked it read.
    const threadState = async () => {
      const answer = await fetch(
        `${server.url}/v1/message-threads?owner=${encodeURIComponent(phone)}&limit=100`,
        { headers: { 'x-api-key': apiKey } },
      );
      const threads = ((await answer.json()) as { data: { contact: string; is_read: boolean }[] })
        .data;
      return threads.find((t) => t.contact === '+18005550177')?.is_read;
    };
    await expect.poll(threadState, WAIT).toBe(true);
    await page.getByLabel('Reply').fill('Yes, until six.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    const reply = chat.getByRole('listitem').filter({ hasText: 'Yes, until six.' });
    await reply.getByText('delivered', { exact: true }).waitFor(QUEUED);
    // Newest at the bottom: the incoming message, then the reply.
    const items = await chat.getByRole('listitem').allTextContents();
    expect(items).toHaveLength(2);
    expect(items[0]).toContain('Are you open today?');
    expect(items[1]).toContain('Yes, until six.');
    expect(await page.getByLabel('Reply').inputValue()).toBe('');

    // A new message from the contact shows up in the open chat without a reload.
    await virtualPhone.reportReceived({ from: '+18005550177', content: 'Great, see you!' });
    await chat.getByRole('listitem').nth(2).getByText('Great, see you!').waitFor(WAIT);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'conversation');

    // The reply went from the thread's number to its contact, through the API.
    const sent = await fetch(
      `${server.url}/v1/messages?owner=${encodeURIComponent(phone)}&contact=%2B18005550177`,
      { headers: { 'x-api-key': apiKey } },
    );
    const messages = ((await sent.json()) as { data: { content: string; type: string }[] }).data;
    expect(messages.find((m) => m.content === 'Yes, until six.')?.type).toBe('mobile-terminated');

    // The message that came after reading made it unread again; archive it, find it in the
    // archive, unarchive it.
    await page.getByRole('link', { name: 'All conversations' }).click();
    await h1('Conversations').waitFor(WAIT);
    await thread.getByRole('cell', { name: 'unread', exact: true }).waitFor(WAIT);
    await thread.getByRole('button', { name: 'Archive +18005550177' }).click();
    await expect.poll(() => thread.count(), WAIT).toBe(0);
    await page.getByLabel('Show archived').check();
    await thread.getByRole('cell', { name: 'unread, archived', exact: true }).waitFor(WAIT);
    await thread.getByRole('button', { name: 'Unarchive +18005550177' }).click();
    await expect.poll(() => thread.count(), WAIT).toBe(0);
    await page.getByLabel('Show archived').uncheck();
    await thread.getByRole('cell', { name: 'unread', exact: true }).waitFor(WAIT);
  }, 90_000);

  it('creates a phone API key, shown once, and deletes it after confirming', async () => {
    const SHOP_PHONE = '+18005550188';
    await nav('API keys').click();
    await h1('API keys').waitFor(WAIT);
    const keys = page.getByRole('region', { name: 'Phone API keys' });
    await page.getByLabel('Name').fill('Shop phone');
    await page.getByLabel(/Numbers it may sign in for/).fill(SHOP_PHONE);
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = keys.getByRole('status').locator('code');
    await shown.waitFor(WAIT);
    const fullKey = (await shown.textContent()) ?? '';
    expect(fullKey).toMatch(/^pk_/);
    const row = keys.getByRole('row').filter({ hasText: 'Shop phone' });
    await row.getByRole('cell', { name: SHOP_PHONE, exact: true }).waitFor(WAIT);
    const masked = (await row.locator('code').textContent()) ?? '';
    expect(masked.endsWith('…')).toBe(true);
    expect(masked.length).toBeLessThan(fullKey.length);
    expect(fullKey.startsWith(masked.slice(0, -1))).toBe(true);
    // The key shown works: a phone signs in with it, and the list shows the phone using it.
    const login = await fetch(`${server.url}/v1/phones/fcm-token`, {
      method: 'PUT',
      headers: { 'x-api-key': fullKey, 'content-type': 'application/json' },
      body: JSON.stringify({ phone_number: SHOP_PHONE, fcm_token: 'shop-phone-token' }),
    });
    expect(login.status).toBe(200);
    await expect
      .poll(() => row.getByRole('cell', { name: SHOP_PHONE, exact: true }).count(), WAIT)
      .toBe(2);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'keys');

    await row.getByRole('button', { name: 'Delete Shop phone…' }).click();
    await row.getByText(/Phones using it can no longer sign in/).waitFor(WAIT);
    await row.getByRole('button', { name: 'Delete Shop phone', exact: true }).click();
    await expect.poll(() => row.count(), WAIT).toBe(0);
    const listed = await fetch(`${server.url}/v1/phone-api-keys?limit=100`, {
      headers: { 'x-api-key': apiKey },
    });
    const names = ((await listed.json()) as { data: { name: string }[] }).data.map((k) => k.name);
    expect(names).not.toContain('Shop phone');
  });

  it('rotates the API key: shown once, the old key gets 401, the dashboard keeps working', async () => {
    const mine = page.getByRole('region', { name: 'Your API key' });
    const masked = (await mine.locator('code').first().textContent()) ?? '';
    expect(apiKey.startsWith(masked.slice(0, -1))).toBe(true);
    await mine.getByRole('button', { name: 'Rotate key' }).click();
    await mine.getByText('The old key stops working at once', { exact: false }).waitFor(WAIT);
    expect(await accessibilityProblems(page)).toEqual([]);
    await mine.getByRole('button', { name: 'Rotate now' }).click();
    const shown = mine.getByRole('status').locator('code');
    await shown.waitFor(WAIT);
    const newKey = (await shown.textContent()) ?? '';
    expect(newKey).toMatch(/^uk_/);
    expect(newKey).not.toBe(apiKey);

    const me = (key: string) =>
      fetch(`${server.url}/v1/users/me`, { headers: { 'x-api-key': key } }).then((r) => r.status);
    expect(await me(apiKey)).toBe(401);
    expect(await me(newKey)).toBe(200);
    expect(await page.evaluate("sessionStorage.getItem('textport.apiKey')")).toBe(newKey);
    apiKey = newKey;

    // Still signed in, and live: a message sent now shows up on the overview.
    await nav('Overview').click();
    await h1('Overview').waitFor(WAIT);
    await page.getByRole('status').getByText('Live').waitFor(WAIT);
    await sendByApi('After the rotation');
    await page
      .getByRole('region', { name: 'Recent messages' })
      .getByRole('row')
      .filter({ hasText: 'After the rotation' })
      .getByText('delivered', { exact: true })
      .waitFor(QUEUED);
  }, 90_000);

  it('signs out: the key leaves the tab', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to textport', exact: true }).waitFor(WAIT);
    expect(await page.evaluate("sessionStorage.getItem('textport.apiKey')")).toBeNull();
  });
});
