/**
 * The dashboard's webhooks and phones pages in a real browser (Debian's Chromium, driven by
 * playwright-core) against the standalone server with its virtual phone: a webhook created from
 * the form and pointed at a receiver this test runs, its delivery log filling in as a sent
 * message becomes sent and delivered, a redelivery, editing and deleting it; a phone's settings
 * edited, a bad value answered beside its field. axe-core scans each page (no serious or
 * critical violation); `UPDATE_SCREENSHOTS=1` writes their PNGs into docs/dashboard/.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WEBHOOK_EVENTS } from '@textport/core';
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

interface Received {
  id: string;
  type: string;
}

/** A webhook receiver on 127.0.0.1 answering 200 and keeping each CloudEvent's id and type. */
async function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received;
      received.push({ id: event.id, type: event.type });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/textport-events`, received };
}

describe.skipIf(!haveChromium)(`${title}: webhooks and phones`, () => {
  let run: BrowserRun;
  let page: Page;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  const nav = (name: string) =>
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
  const h1 = (name: string) => page.getByRole('heading', { level: 1, name, exact: true });
  const apiGet = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${run.server.url}${path}`, {
      headers: { 'x-api-key': run.apiKey },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { data: T }).data;
  };

  beforeAll(async () => {
    run = await startBrowserRun();
    page = run.page;
    receiver = await startReceiver();
    await page.goto(`${run.server.url}/`);
    await page.getByLabel('API key').fill(run.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await h1('Overview').waitFor(WAIT);
  }, 60_000);

  afterAll(async () => {
    await stopBrowserRun(run);
    await new Promise((resolve) => receiver?.server.close(resolve));
  });

  it('creates a webhook from the form, refusing one without events beside the field', async () => {
    await nav('Webhooks').click();
    await h1('Webhooks').waitFor(WAIT);
    await page.getByText('No webhooks yet.').waitFor(WAIT);
    // The form offers exactly the gateway's allow-list.
    const offered = page.getByRole('group', { name: 'Events' }).getByRole('checkbox');
    expect(
      await offered.evaluateAll((boxes) => boxes.map((b) => b.parentElement?.textContent)),
    ).toEqual([...WEBHOOK_EVENTS]);
    await page.getByLabel('URL').fill(receiver.url);
    await page.getByRole('checkbox', { name: run.phone, exact: true }).check();
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await page
      .locator('#webhook-events-error')
      .getByText('The events field is required')
      .waitFor(WAIT);

    await page.getByRole('checkbox', { name: 'message.phone.sent', exact: true }).check();
    await page.getByRole('checkbox', { name: 'message.phone.delivered', exact: true }).check();
    await page.getByRole('button', { name: 'Create webhook' }).click();
    const row = page.getByRole('region', { name: 'Your webhooks' }).getByRole('row').filter({
      hasText: receiver.url,
    });
    await row.getByText('message.phone.sent, message.phone.delivered').waitFor(WAIT);
    expect(await page.locator('#webhook-events-error').count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'webhooks');
  });

  it('shows the deliveries of a sent message with their HTTP status, and redelivers one', async () => {
    const response = await fetch(`${run.server.url}/v1/messages/send`, {
      method: 'POST',
      headers: { 'x-api-key': run.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ from: run.phone, to: '+18005550100', content: 'For the webhook' }),
    });
    expect(response.status).toBe(200);
    await page.getByRole('link', { name: receiver.url, exact: true }).click();
    await h1('Webhook deliveries').waitFor(WAIT);
    const log = page.getByRole('region', { name: 'Deliveries' });
    const rowOf = (type: string) => log.getByRole('row').filter({ hasText: type });
    for (const type of ['message.phone.sent', 'message.phone.delivered']) {
      await rowOf(type).getByText('delivered', { exact: true }).waitFor(WAIT);
      await rowOf(type).getByRole('cell', { name: '200', exact: true }).waitFor(WAIT);
      expect(await rowOf(type).getByRole('cell', { name: '1', exact: true }).count()).toBe(1);
    }
    await expect
      .poll(() => receiver.received.map((r) => r.type).sort(), WAIT)
      .toEqual(['message.phone.delivered', 'message.phone.sent']);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'webhook-deliveries');

    const delivered = rowOf('message.phone.delivered');
    const eventId = await delivered.getAttribute('data-event-id');
    await delivered.getByRole('button', { name: /^Redeliver/ }).click();
    await page.getByRole('status').getByText('Queued again').waitFor(WAIT);
    await delivered.getByRole('cell', { name: '2', exact: true }).waitFor(WAIT);
    await delivered.getByText('delivered', { exact: true }).waitFor(WAIT);
    await expect.poll(() => receiver.received.filter((r) => r.id === eventId).length, WAIT).toBe(2);
    expect(receiver.received).toHaveLength(3);
  });

  it("lists a message's webhook deliveries on its page, linked to the webhook's log", async () => {
    const [sent] = await apiGet<{ id: string }[]>(
      '/v1/messages/search?limit=1&query=For%20the%20webhook',
    );
    await page.goto(`${run.server.url}/messages/${sent?.id}`);
    await h1('Message').waitFor(WAIT);
    const log = page.getByRole('region', { name: 'Webhook deliveries' });
    for (const type of ['message.phone.sent', 'message.phone.delivered']) {
      const row = log.getByRole('row').filter({ hasText: type });
      await row.getByRole('cell', { name: '200', exact: true }).waitFor(WAIT);
      await row.getByText('delivered', { exact: true }).waitFor(WAIT);
    }
    // The redelivered one shows its second attempt here too.
    const delivered = log.getByRole('row').filter({ hasText: 'message.phone.delivered' });
    expect(await delivered.getByRole('cell', { name: '2', exact: true }).count()).toBe(1);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'message-deliveries');
    await delivered.getByRole('link', { name: 'Log' }).click();
    await h1('Webhook deliveries').waitFor(WAIT);
  });

  it('edits the webhook and deletes it after confirming', async () => {
    await nav('Webhooks').click();
    await h1('Webhooks').waitFor(WAIT);
    await page.getByRole('button', { name: `Edit ${receiver.url}` }).click();
    await page.getByRole('heading', { name: `Edit webhook ${receiver.url}` }).waitFor(WAIT);
    await page.getByRole('checkbox', { name: 'message.phone.sent', exact: true }).uncheck();
    await page.getByRole('checkbox', { name: 'message.send.failed', exact: true }).check();
    await page.getByRole('button', { name: 'Save webhook' }).click();
    const row = page.getByRole('row').filter({ hasText: receiver.url });
    await row.getByText('message.phone.delivered, message.send.failed').waitFor(WAIT);
    const [saved] = await apiGet<{ events: string[] }[]>('/v1/webhooks?limit=10');
    expect(saved?.events).toEqual(['message.phone.delivered', 'message.send.failed']);

    await page.getByRole('button', { name: `Delete ${receiver.url}…` }).click();
    await page.getByRole('button', { name: 'Delete webhook' }).click();
    await page.getByText('No webhooks yet.').waitFor(WAIT);
    expect(await apiGet<unknown[]>('/v1/webhooks?limit=10')).toEqual([]);
  });

  it('lists the phones and saves their settings, showing a bad value beside its field', async () => {
    await nav('Phones').click();
    await h1('Phones').waitFor(WAIT);
    const row = page.getByRole('region', { name: 'Your phones' }).getByRole('row').filter({
      hasText: run.phone,
    });
    await row.getByRole('cell', { name: 'online', exact: true }).waitFor(WAIT);
    // The virtual phone holds a WebSocket link to this server; it sends at any time so far.
    await row.getByRole('cell', { name: 'websocket', exact: true }).waitFor(WAIT);
    await row.getByRole('cell', { name: 'any time', exact: true }).waitFor(WAIT);
    const created = await fetch(`${run.server.url}/v1/send-schedules`, {
      method: 'POST',
      headers: { 'x-api-key': run.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Office hours',
        timezone: 'Europe/Berlin',
        windows: [{ day_of_week: 1, start_minute: 540, end_minute: 1020 }],
      }),
    });
    expect(created.status).toBe(201);
    const scheduleId = ((await created.json()) as { data: { id: string } }).data.id;
    await page.reload();
    await h1('Phones').waitFor(WAIT);
    await row.getByRole('button', { name: `Edit ${run.phone}` }).click();
    await page.getByLabel('Send schedule').selectOption({ label: 'Office hours (Europe/Berlin)' });
    const pacing = page.getByLabel(/^Messages per minute/);
    await pacing.fill('61');
    await page.getByRole('button', { name: 'Save settings' }).click();
    const error = page.locator('#phone-messages_per_minute-error');
    await error.getByText(/messages_per_minute/).waitFor(WAIT);
    expect(await pacing.getAttribute('aria-invalid')).toBe('true');
    expect(await pacing.getAttribute('aria-describedby')).toBe('phone-messages_per_minute-error');
    expect(await accessibilityProblems(page)).toEqual([]);

    await pacing.fill('30');
    await page.getByLabel(/^Max send attempts/).fill('3');
    await page.getByLabel(/^SMS segments per hour/).fill('40');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').getByText('Saved.').waitFor(WAIT);
    await row.getByRole('cell', { name: '30 / min', exact: true }).waitFor(WAIT);
    await row.getByRole('cell', { name: 'Office hours', exact: true }).waitFor(WAIT);
    await row.getByRole('cell', { name: /^\d+ of 40 \/ h$/ }).waitFor(WAIT);
    expect(await error.count()).toBe(0);
    const phones =
      await apiGet<
        { phone_number: string; messages_per_minute: number; max_send_attempts: number }[]
      >('/v1/phones?limit=10');
    expect(phones.find((p) => p.phone_number === run.phone)).toMatchObject({
      messages_per_minute: 30,
      max_send_attempts: 3,
      message_send_schedule_id: scheduleId,
      messages_per_hour: 40,
      messages_per_day: 0,
    });
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'phones');
  });

  it('creates a pool of the phone, shows it on the phone row, and deletes it', async () => {
    await nav('Phones').click();
    await h1('Phones').waitFor(WAIT);
    const pools = page.getByRole('region', { name: 'Pools' });
    await pools.getByText('No pools yet.', { exact: false }).waitFor(WAIT);
    await pools.getByRole('button', { name: 'New pool' }).click();
    await pools.getByRole('button', { name: 'Create pool' }).click();
    await page.locator('#pool-name-error').getByText(/name/).waitFor(WAIT);
    expect(await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid')).toBe(
      'true',
    );
    await page.getByLabel('Name', { exact: true }).fill('Senders');
    await page.getByRole('checkbox', { name: run.phone }).check();
    await page.getByRole('checkbox', { name: /Default pool/ }).check();
    await pools.getByRole('button', { name: 'Create pool' }).click();
    const poolRow = pools.getByRole('row').filter({ hasText: 'Senders' });
    await poolRow.getByRole('cell', { name: run.phone, exact: true }).waitFor(WAIT);
    await poolRow.getByRole('cell', { name: 'yes', exact: true }).waitFor(WAIT);
    const phoneRow = page.getByRole('region', { name: 'Your phones' }).getByRole('row').filter({
      hasText: run.phone,
    });
    await phoneRow.getByRole('cell', { name: 'Senders', exact: true }).waitFor(WAIT);
    const [saved] =
      await apiGet<{ name: string; is_default: boolean; phone_ids: string[] }[]>('/v1/pools');
    expect(saved).toMatchObject({ name: 'Senders', is_default: true });
    expect(saved?.phone_ids).toHaveLength(1);
    expect(await accessibilityProblems(page)).toEqual([]);

    await pools.getByRole('button', { name: 'Delete pool Senders' }).click();
    await pools.getByText('No pools yet.', { exact: false }).waitFor(WAIT);
    expect(await apiGet<unknown[]>('/v1/pools')).toEqual([]);
  });
});
