import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.js';
import { type RunningServer, startServer } from '../src/server.js';

const dir = mkdtempSync(join(tmpdir(), 'textport-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = (name: string, extra: Record<string, string> = {}) =>
  readConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${join(dir, `${name}.sqlite`)}`,
    TEXTPORT_SMSGATE: 'off',
    ...extra,
  });

async function scrape(server: RunningServer, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/metrics`, { headers });
  return { status: response.status, text: await response.text() };
}

/** The value of one sample line `name{labels} value`, labels written in prom-client's order. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('/metrics', () => {
  it('reflects a message sent through the API and delivered by the virtual phone', async () => {
    const server = await startServer(env('cycle'), () => {});
    try {
      const key = server.newApiKey ?? '';
      const sent = await fetch(`${server.url}/v1/messages/send`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify({ from: '+18005550199', to: '+18005550100', content: 'hello' }),
      });
      expect(sent.status).toBe(200);
      const id = String(((await sent.json()) as { data: { id: string } }).data.id);
      await expect
        .poll(
          async () =>
            sample((await scrape(server)).text, 'textport_messages_total{status="delivered"}'),
          { timeout: 15_000 },
        )
        .toBe(1);
      const { status, text } = await scrape(server);
      expect(status).toBe(200);
      expect(sample(text, 'textport_messages_total{status="pending"}')).toBe(1);
      expect(sample(text, 'textport_messages_total{status="sent"}')).toBe(1);
      expect(sample(text, 'textport_handoffs_total{transport="websocket",outcome="ok"}')).toBe(1);
      expect(sample(text, 'textport_api_to_phone_seconds_count{transport="websocket"}')).toBe(1);
      expect(sample(text, 'textport_send_seconds_count{status="delivered"}')).toBe(1);
      expect(sample(text, 'textport_phones_online{transport="websocket"}')).toBe(1);
      expect(sample(text, 'textport_queue_due_messages')).toBe(0);
      expect(
        sample(
          text,
          'textport_http_requests_total{method="POST",route="/v1/messages/send",status="200"}',
        ),
      ).toBe(1);
      expect(text).toContain('textport_process_cpu_seconds_total');
      expect(text).not.toContain(id);
      expect(text).not.toContain('18005550100');
    } finally {
      await server.close();
    }
  });

  it('asks for the bearer token when TEXTPORT_METRICS_TOKEN is set', async () => {
    const token = 'metrics-token-0123456789';
    const server = await startServer(
      env('token', { TEXTPORT_METRICS_TOKEN: token, TEXTPORT_DEMO_PHONE: 'off' }),
      () => {},
    );
    try {
      expect((await scrape(server)).status).toBe(401);
      expect((await scrape(server, { authorization: 'Bearer not-the-token' })).status).toBe(401);
      const ok = await scrape(server, { authorization: `Bearer ${token}` });
      expect(ok.status).toBe(200);
      expect(ok.text).toContain('# TYPE textport_messages_total counter');
    } finally {
      await server.close();
    }
  });

  it('TEXTPORT_METRICS=off serves no /metrics', async () => {
    const server = await startServer(
      env('off', { TEXTPORT_METRICS: 'off', TEXTPORT_DEMO_PHONE: 'off' }),
      () => {},
    );
    try {
      expect((await scrape(server)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('rejects a short metrics token with how to fix it', () => {
    expect(() => readConfig({ TEXTPORT_METRICS_TOKEN: 'short' })).toThrow(
      /TEXTPORT_METRICS_TOKEN: must be 16 to 256 visible ASCII characters/,
    );
  });
});
