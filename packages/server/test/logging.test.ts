/**
 * The server's log: rate-limited warnings and errors, one line per request with its
 * request id, lines for the message lifecycle, LOG_LEVEL, and no keys in any line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../src/config.js';
import { quietLogger } from '../src/logging.js';
import { startServer } from '../src/server.js';

const dir = mkdtempSync(join(tmpdir(), 'textport-logging-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Line {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A pino destination that keeps every line, parsed. */
function capture() {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const text of String(chunk).split('\n')) if (text) lines.push(JSON.parse(text));
      done();
    },
  });
  return { lines, stream };
}

describe('quietLogger', () => {
  function setup() {
    const { lines, stream } = capture();
    const clock = { now: 1_000_000 };
    const logger = quietLogger(pino({ level: 'debug' }, stream), { now: () => clock.now });
    return { lines, clock, logger };
  }

  it('writes a repeating error once a minute, saying how many it left out', () => {
    const { lines, clock, logger } = setup();
    for (let i = 0; i < 100; i++) {
      logger.error({ err: new Error('gone') }, 'dispatch round failed');
      clock.now += 500;
    }
    expect(lines.map((l) => [l.msg, l.repeated])).toEqual([['dispatch round failed', undefined]]);
    clock.now = 1_000_000 + 60_000;
    logger.error({}, 'dispatch round failed');
    expect(lines.map((l) => l.repeated)).toEqual([undefined, 99]);
  });

  it('writes at most a burst of different errors, then one per 15 s with the count of the rest', () => {
    const { lines, clock, logger } = setup();
    for (let i = 0; i < 20; i++) logger.warn({}, `problem ${i}`);
    expect(lines.map((l) => l.msg)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `problem ${i}`));
    clock.now += 14_999;
    logger.warn({}, 'problem 20');
    expect(lines).toHaveLength(6);
    clock.now += 1;
    logger.warn({}, 'problem 21');
    expect(lines.at(-1)).toMatchObject({ msg: 'problem 21', suppressed: 15 });
  });

  it('never limits info and debug lines, and keeps the fields it is given', () => {
    const { lines, logger } = setup();
    for (let i = 0; i < 50; i++) logger.info({ messageId: `m${i}` }, 'message delivered');
    for (let i = 0; i < 50; i++) logger.debug({}, 'message sending on the phone');
    expect(lines).toHaveLength(100);
    expect(lines[7]).toMatchObject({ level: 30, messageId: 'm7' });
  });
});

describe('LOG_LEVEL and LOG_FORMAT', () => {
  it('default to info and auto, and refuse unknown values', () => {
    const config = readConfig({});
    expect([config.LOG_LEVEL, config.LOG_FORMAT]).toEqual(['info', 'auto']);
    expect(() => readConfig({ LOG_LEVEL: 'loud', LOG_FORMAT: 'xml' })).toThrow(ConfigError);
    try {
      readConfig({ LOG_LEVEL: 'loud', LOG_FORMAT: 'xml' });
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent',
        'LOG_FORMAT: must be auto, json or pretty',
      ]);
    }
  });
});

async function serverLogging(name: string, level: string) {
  const { lines, stream } = capture();
  const server = await startServer(
    readConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${join(dir, `${name}.sqlite`)}`,
      LOG_LEVEL: level,
    }),
    () => {},
    { logDestination: stream },
  );
  return { server, lines };
}

describe('the server log', () => {
  it('has a line per request with its request id, and the lifecycle of a message, without keys', async () => {
    const { server, lines } = await serverLogging('info', 'debug');
    try {
      const apiKey = server.newApiKey ?? '';
      const response = await fetch(`${server.url}/v1/messages/send`, {
        method: 'POST',
        headers: {
          'x-api-key': apiKey,
          'content-type': 'application/json',
          'x-request-id': 'req-42',
        },
        body: JSON.stringify({ from: '+18005550199', to: '+18005550100', content: 'secret text' }),
      });
      expect(response.headers.get('x-request-id')).toBe('req-42');
      const { data } = (await response.json()) as { data: { id: string } };
      const generated = await fetch(`${server.url}/health/ready`);
      expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      await expect
        .poll(() => lines.find((l) => l.msg === 'message delivered' && l.messageId === data.id), {
          timeout: 15_000,
        })
        .toBeDefined();
      const request = lines.find((l) => l.reqId === 'req-42');
      expect(request).toMatchObject({
        level: 30,
        req: { method: 'POST', url: '/v1/messages/send' },
        res: { statusCode: 200 },
      });
      expect(lines.find((l) => (l.req as { url?: string })?.url === '/health/ready')?.level).toBe(
        20,
      );
      const ofMessage = lines.filter((l) => l.messageId === data.id).map((l) => l.msg);
      expect(ofMessage).toEqual(
        expect.arrayContaining([
          'message accepted',
          'message handed off',
          'message sent by the phone',
          'message delivered',
        ]),
      );
      const all = JSON.stringify(lines);
      expect(all).not.toContain(apiKey);
      expect(all).not.toContain('secret text');
      expect(all).not.toContain('+18005550100');
    } finally {
      await server.close();
    }
  });

  it('writes nothing below LOG_LEVEL', async () => {
    const { server, lines } = await serverLogging('warn', 'warn');
    try {
      await fetch(`${server.url}/v1/messages/send`, {
        method: 'POST',
        headers: { 'x-api-key': server.newApiKey ?? '', 'content-type': 'application/json' },
        body: JSON.stringify({ from: '+18005550199', to: '+18005550100', content: 'quiet' }),
      });
      await fetch(`${server.url}/v1/messages/send`, { method: 'POST' });
      expect(lines.filter((l) => l.level < 40)).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
