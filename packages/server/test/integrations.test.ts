/**
 * The server's Discord and 3CX wiring: the Discord variables go together and are
 * checked; a running server verifies Discord's signature over real HTTP, posts incoming
 * SMS to a stand-in Discord API, and forwards them to a stand-in PBX.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Principal } from '@textport/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type ConfigError, readConfig } from '../src/config.js';
import { startServer } from '../src/server.js';

const OWNER = '+18005550199';
const CONTACT = '+18005550100';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Records the path and JSON body of each request; answers 200. */
async function standIn() {
  const received: { path: string; body: unknown }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.push({ path: req.url ?? '', body: text ? JSON.parse(text) : undefined });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

function problems(env: Record<string, string>): string[] {
  try {
    readConfig(env);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
}

describe('Discord and 3CX in the server', () => {
  it('the Discord bot token and public key go together, the key as 64 hex digits', () => {
    expect(problems({ TEXTPORT_DISCORD_BOT_TOKEN: 'token' })).toEqual([
      expect.stringContaining('TEXTPORT_DISCORD_PUBLIC_KEY'),
    ]);
    expect(
      problems({
        TEXTPORT_DISCORD_BOT_TOKEN: 'token',
        TEXTPORT_DISCORD_PUBLIC_KEY: 'abc',
        TEXTPORT_DISCORD_APPLICATION_ID: 'app',
        TEXTPORT_DISCORD_API_URL: 'discord',
      }).map((p) => p.split(':')[0]),
    ).toEqual([
      'TEXTPORT_DISCORD_PUBLIC_KEY',
      'TEXTPORT_DISCORD_APPLICATION_ID',
      'TEXTPORT_DISCORD_API_URL',
    ]);
  });

  it('answers signed interactions and posts incoming SMS to Discord and the PBX', async () => {
    const discord = await standIn();
    const pbx = await standIn();
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const x = publicKey.export({ format: 'jwk' }).x as string;
    const dir = mkdtempSync(join(tmpdir(), 'textport-integrations-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const server = await startServer(
      readConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
        TEXTPORT_DEMO_PHONE: 'off',
        LOG_LEVEL: 'silent',
        TEXTPORT_DISCORD_BOT_TOKEN: 'bot-token',
        TEXTPORT_DISCORD_PUBLIC_KEY: Buffer.from(x, 'base64url').toString('hex'),
        TEXTPORT_DISCORD_APPLICATION_ID: '1095779000000000000',
        TEXTPORT_DISCORD_API_URL: `${discord.url}/api/v10`,
      }),
      () => {},
    );
    cleanups.push(() => server.close());
    const { gateway, accountId } = server;

    const ping = JSON.stringify({ type: 1 });
    const timestamp = '1733530000';
    const signature = sign(null, Buffer.from(timestamp + ping), privateKey).toString('hex');
    const interact = (headers: Record<string, string>) =>
      fetch(`${server.url}/v1/discord/event`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: ping,
      });
    const pong = await interact({
      'x-signature-ed25519': signature,
      'x-signature-timestamp': timestamp,
    });
    expect(pong.status).toBe(200);
    expect(await pong.json()).toEqual({ type: 1 });
    expect((await interact({})).status).toBe(401);

    await gateway.phones.upsert(accountId, { phoneNumber: OWNER });
    await gateway.discord.create(accountId, {
      name: 'Ops',
      serverId: '1095778291488653372',
      incomingChannelId: '1095780203256627291',
    });
    await gateway.pbx3cx.put(accountId, { webhookUrl: `${pbx.url}/sms/generic/1` });
    const user: Principal = { accountId, kind: 'user', keyId: null, phoneNumbers: null };
    const received = await gateway.phoneApi.receive(user, {
      from: CONTACT,
      to: OWNER,
      content: 'hello',
      sim: 'SIM1',
    });
    await gateway.discord.settled();
    await gateway.pbx3cx.settled();
    expect(discord.received.map((r) => r.path)).toEqual([
      '/api/v10/channels/1095780203256627291',
      '/api/v10/guilds/1095778291488653372',
      '/api/v10/applications/1095779000000000000/guilds/1095778291488653372/commands',
      '/api/v10/channels/1095780203256627291/messages',
    ]);
    expect(pbx.received).toEqual([
      {
        path: '/sms/generic/1',
        body: {
          data: expect.objectContaining({
            event_type: 'message.received',
            payload: expect.objectContaining({ id: received.id, text: 'hello' }),
          }),
        },
      },
    ]);
  });
});
