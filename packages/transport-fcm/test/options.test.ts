/** Construction: credentials from an object or a file, every configuration problem reported at once. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@textport/core';
import { makePhone } from '@textport/core/testing';
import { describe, expect, it } from 'vitest';
import type { FcmTransportOptions, ServiceAccountCredentials } from '../src/index.js';
import { fcmTransport, GOOGLE_TOKEN_URI, parseRetryAfter } from '../src/index.js';
import { onCleanup, standIn } from './helpers.js';

async function tempFile(name: string, contents: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'textport-fcm-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, name);
  await writeFile(path, contents);
  return path;
}

function configError(options: FcmTransportOptions): string {
  try {
    fcmTransport(options);
  } catch (error) {
    expect(error).toMatchObject({ name: 'GatewayError', code: 'config' });
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('fcmTransport options', () => {
  it('reads the service-account JSON from a file path', async () => {
    const google = await standIn();
    const path = await tempFile('service-account.json', JSON.stringify(google.credentials));
    const fcm = fcmTransport({
      credentials: path,
      endpoint: `${google.base}/`,
      logger: silentLogger,
    });
    expect(fcm.name).toBe('fcm');
    expect(fcm.target).toBe(`${google.base}/v1/projects/textport-test/messages:send`);
    await fcm.requestHeartbeat(makePhone({ fcmToken: 'fcm-token-file' }));
    expect(google.pushes).toHaveLength(1);
  });

  it('defaults to Google: fcm.googleapis.com and oauth2.googleapis.com', async () => {
    const google = await standIn();
    const { token_uri: _, ...withoutTokenUri } = google.credentials;
    const fcm = fcmTransport({ credentials: withoutTokenUri as ServiceAccountCredentials });
    expect(fcm.target).toBe('https://fcm.googleapis.com/v1/projects/textport-test/messages:send');
    expect(fcm.options.account?.tokenUri).toBe(GOOGLE_TOKEN_URI);
    const other = fcmTransport({ credentials: google.credentials, projectId: 'another-project' });
    expect(other.target).toContain('/v1/projects/another-project/messages:send');
  });

  it('accepts a private key whose newlines are escaped (as in an environment variable)', async () => {
    const google = await standIn();
    const escaped = google.credentials.private_key.replace(/\n/g, '\\n');
    const fcm = fcmTransport({
      credentials: { ...google.credentials, private_key: escaped },
      endpoint: google.base,
      logger: silentLogger,
    });
    await fcm.requestHeartbeat(makePhone({ fcmToken: 'fcm-token-escaped' }));
    expect(google.tokenRequests).toHaveLength(1);
  });

  it('reports every problem at once, each saying what to do', () => {
    const message = configError({
      credentials: {
        project_id: '',
        client_email: 'a@b',
        private_key: 'not a key',
        token_uri: 'ftp://x',
      },
      endpoint: 'fcm.googleapis.com',
      concurrency: 0,
      timeoutMs: 5,
      onInvalidToken: 'clear it' as never,
    });
    expect(message.split('\n')).toEqual([
      'Invalid FCM transport configuration:',
      expect.stringMatching(
        /^ {2}- credentials\.project_id: missing or not a string; download the service-account JSON/,
      ),
      expect.stringMatching(/^ {2}- credentials\.private_key: not a PEM private key/),
      '  - credentials.token_uri: must be an http(s) URL, e.g. https://oauth2.googleapis.com/token',
      '  - concurrency: must be an integer from 1 to 1000',
      '  - timeoutMs: must be an integer from 100 to 300000',
      '  - endpoint: must be an http(s) URL such as https://fcm.googleapis.com',
      '  - onInvalidToken: must be a function',
    ]);
  });

  it('needs credentials or messaging, not both', async () => {
    expect(configError({})).toContain('credentials: pass the service-account JSON');
    const google = await standIn();
    const messaging = { send: async () => 'ok' };
    expect(configError({ credentials: google.credentials, messaging })).toContain('not both');
    expect(configError({ messaging: {} as never })).toContain(
      'messaging: must have a send(message) method',
    );
  });

  it('says which file it could not read or parse', async () => {
    expect(configError({ credentials: '/nonexistent/service-account.json' })).toContain(
      'cannot read the service-account file [/nonexistent/service-account.json]',
    );
    const path = await tempFile('broken.json', '{ "project_id": ');
    expect(configError({ credentials: path })).toContain(`the file [${path}] is not JSON`);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 1);
  it('reads delta seconds and HTTP dates', () => {
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter(new Date(now + 45_000).toUTCString(), now)).toBe(45_000);
    expect(parseRetryAfter(new Date(now - 45_000).toUTCString(), now)).toBe(0);
  });
  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-3', now)).toBeUndefined();
  });
});
