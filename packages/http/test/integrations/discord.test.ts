/**
 * Discord over HTTP, against a local stand-in for Discord's REST API: the integration
 * routes, the signed interactions endpoint (PING, the slash command that sends an SMS,
 * 401 for an unsigned or wrongly signed request) and incoming SMS posted to the channel.
 */
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { FakeTransport, type GatewayEvent } from '@textport/core';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTACT, httpSetup, OWNER } from '../helpers.js';
import { type StandIn, startStandIn } from './stand-in.js';

const SERVER_ID = '1095778291488653372';
const CHANNEL_ID = '1095780203256627291';
const APPLICATION_ID = '1095779000000000000';
const COMMANDS = `/applications/${APPLICATION_ID}/guilds/${SERVER_ID}/commands`;

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x as string;
  return { privateKey, publicHex: Buffer.from(x, 'base64url').toString('hex') };
}

function signed(privateKey: KeyObject, body: string, timestamp = '1733530000') {
  const signature = sign(null, Buffer.from(timestamp + body), privateKey).toString('hex');
  return { 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp };
}

function command(options: Record<string, string>, guildId = SERVER_ID) {
  return JSON.stringify({
    type: 2,
    guild_id: guildId,
    data: {
      name: 'sms',
      options: Object.entries(options).map(([name, value]) => ({ name, type: 3, value })),
    },
  });
}

let standIn: StandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

async function discordSetup(transports: FakeTransport[] = []) {
  standIn = await startStandIn();
  const keys = keyPair();
  const t = await httpSetup(
    {},
    {
      transports,
      discord: {
        botToken: 'bot-token',
        publicKey: keys.publicHex,
        applicationId: APPLICATION_ID,
        apiBaseUrl: standIn.url,
      },
    },
  );
  const interact = (body: string, headers: Record<string, string>) =>
    t.call('POST', '/v1/discord/event', { key: null, body, headers });
  return { ...t, standIn, keys, interact };
}

const integration = { name: 'Game Server', server_id: SERVER_ID, incoming_channel_id: CHANNEL_ID };

describe('/v1/discord-integrations', () => {
  it('creates, lists, replaces and deletes, checking the bot sees the server and channel', async () => {
    const t = await discordSetup();
    const created = await t.call('POST', '/v1/discord-integrations', { body: integration });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      status: 'success',
      message: 'discord integration created successfully',
      data: { user_id: t.account.id, ...integration },
    });
    const checked = t.standIn.received.map((r) => `${r.method} ${r.path}`).sort();
    expect(checked).toEqual([
      `GET /channels/${CHANNEL_ID}`,
      `GET /guilds/${SERVER_ID}`,
      `POST ${COMMANDS}`,
    ]);
    const registered = t.standIn.received.find((r) => r.method === 'POST')?.body;
    expect(registered).toMatchObject({ name: 'sms', type: 1 });
    expect(registered.options.map((o: { name: string }) => o.name)).toEqual([
      'from',
      'to',
      'message',
      'attachment_urls',
    ]);
    expect(t.standIn.received[0]?.headers.authorization).toBe('Bot bot-token');

    const listed = await t.call('GET', '/v1/discord-integrations');
    expect(listed.json).toMatchObject({ message: 'fetched 1 discord integration' });
    expect(listed.json.data.map((d: { id: string }) => d.id)).toEqual([created.json.data.id]);

    const id = created.json.data.id;
    const renamed = await t.call('PUT', `/v1/discord-integrations/${id}`, {
      body: { ...integration, name: 'Ops' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.json.data).toMatchObject({ id, name: 'Ops' });

    // Another account cannot link the same server.
    const { apiKey } = await t.gateway.accounts.create();
    const taken = await t.call('POST', '/v1/discord-integrations', {
      key: apiKey,
      body: integration,
    });
    expect(taken.status).toBe(409);
    expect((await t.call('DELETE', `/v1/discord-integrations/${id}`, { key: apiKey })).status).toBe(
      404,
    );

    const deleted = await t.call('DELETE', `/v1/discord-integrations/${id}`);
    expect(deleted.json).toMatchObject({
      message: 'discord integration deleted successfully',
      data: null,
    });
    expect(await t.raw.countAccountRows('discord_integrations', t.account.id)).toBe(0);
  });

  it('answers bad input with 4xx in the envelope and writes nothing', async () => {
    const t = await discordSetup();
    const empty = await t.call('POST', '/v1/discord-integrations', { body: {} });
    expect(empty.status).toBe(422);
    expect(Object.keys(empty.json.data).sort()).toEqual([
      'incoming_channel_id',
      'name',
      'server_id',
    ]);
    const letters = await t.call('POST', '/v1/discord-integrations', {
      body: { ...integration, server_id: 'abc' },
    });
    expect(letters.status).toBe(422);
    const wrongType = await t.call('POST', '/v1/discord-integrations', {
      body: { ...integration, name: 5 },
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.status).toBe('error');
    t.standIn.answer(`/channels/${CHANNEL_ID}`, 403);
    const unseen = await t.call('POST', '/v1/discord-integrations', { body: integration });
    expect(unseen.status).toBe(422);
    expect(Object.keys(unseen.json.data)).toEqual(['incoming_channel_id']);
    t.standIn.answer(`/channels/${CHANNEL_ID}`, 200);
    t.standIn.answer(COMMANDS, 403);
    const noCommand = await t.call('POST', '/v1/discord-integrations', { body: integration });
    expect(noCommand.status).toBe(422);
    expect(noCommand.json.data.server_id[0]).toMatch(/applications\.commands/);
    expect(
      (await t.call('PUT', '/v1/discord-integrations/nope', { body: integration })).status,
    ).toBe(422);
    expect((await t.call('GET', '/v1/discord-integrations', { key: null })).status).toBe(401);
    expect(await t.raw.countAccountRows('discord_integrations', t.account.id)).toBe(0);
  });
});

describe('/v1/discord/event', () => {
  it('answers a signed PING with PONG; unsigned, wrongly signed or tampered requests get 401', async () => {
    const t = await discordSetup();
    const ping = JSON.stringify({ type: 1 });
    const pong = await t.interact(ping, signed(t.keys.privateKey, ping));
    expect(pong.status).toBe(200);
    expect(pong.json).toEqual({ type: 1 });

    expect((await t.interact(ping, {})).status).toBe(401);
    const stranger = keyPair();
    const wrong = await t.interact(ping, signed(stranger.privateKey, ping));
    expect(wrong.status).toBe(401);
    expect(wrong.json).toMatchObject({ status: 'error' });
    const headers = signed(t.keys.privateKey, ping);
    expect((await t.interact(JSON.stringify({ type: 1, x: 1 }), headers)).status).toBe(401);
    expect(
      (await t.interact(ping, { ...headers, 'x-signature-timestamp': '1733530001' })).status,
    ).toBe(401);
    expect((await t.interact(ping, { ...headers, 'x-signature-ed25519': 'zz' })).status).toBe(401);
  });

  it('sends an SMS through the phone from a slash command of a linked server', async () => {
    const transport = new FakeTransport();
    const t = await discordSetup([transport]);
    await t.call('POST', '/v1/discord-integrations', { body: integration });
    const body = command({
      from: OWNER,
      to: CONTACT,
      message: 'hello from discord',
      attachment_urls: 'https://example.com/a.png, https://example.com/b.png',
    });
    const answer = await t.interact(body, signed(t.keys.privateKey, body));
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ type: 4, data: { content: '✔ sending sms' } });
    const fields = answer.json.data.embeds[0].fields;
    const messageId = fields.find((f: { name: string }) => f.name === 'MessageID:').value;
    expect((await t.raw.message(messageId))?.content).toBe('hello from discord');
    const stored = await t.gateway.messages.get(t.account.id, messageId);
    expect(stored.attachments).toEqual(['https://example.com/a.png', 'https://example.com/b.png']);
    await t.gateway.dispatcher.runOnce();
    expect(transport.handedOff()).toEqual([messageId]);
  });

  it('tells a refused send in the answer, and a server nobody linked; writes nothing', async () => {
    const t = await discordSetup();
    await t.call('POST', '/v1/discord-integrations', { body: integration });
    const bad = command({ from: OWNER, to: 'nobody', message: 'hi' });
    const refused = await t.interact(bad, signed(t.keys.privateKey, bad));
    expect(refused.json).toMatchObject({
      type: 4,
      data: { content: '**⚠️ error while sending message**' },
    });
    const unknown = command({ from: OWNER, to: CONTACT, message: 'hi' }, '42');
    const unlinked = await t.interact(unknown, signed(t.keys.privateKey, unknown));
    expect(unlinked.json.data.embeds[0].title).toMatch(/not linked/);
    const garbage = 'not json';
    expect((await t.interact(garbage, signed(t.keys.privateKey, garbage))).status).toBe(400);
    const odd = JSON.stringify({ type: 9 });
    expect((await t.interact(odd, signed(t.keys.privateKey, odd))).status).toBe(400);
    expect(await t.raw.countMessages(t.account.id)).toBe(0);
  });

  it('refuses every interaction when no Discord application is configured', async () => {
    const t = await httpSetup();
    const keys = keyPair();
    const ping = JSON.stringify({ type: 1 });
    const answer = await t.call('POST', '/v1/discord/event', {
      key: null,
      body: ping,
      headers: signed(keys.privateKey, ping),
    });
    expect(answer.status).toBe(401);
  });
});

describe('incoming SMS to Discord', () => {
  it('posts each incoming SMS to the linked channel; a refusal is told as discord.send.failed', async () => {
    const t = await discordSetup();
    await t.call('POST', '/v1/discord-integrations', { body: integration });
    const failures: GatewayEvent<'discord.send.failed'>[] = [];
    t.gateway.on('discord.send.failed', (event) => {
      failures.push(event);
    });
    const receive = (content: string) =>
      t.call('POST', '/v1/messages/receive', {
        body: { from: CONTACT, to: OWNER, content, sim: 'SIM1', timestamp: '2026-11-24T12:00:00Z' },
      });
    const received = await receive('hello gateway');
    expect(received.status).toBe(200);
    await t.gateway.discord.settled();
    const posted = t.standIn.received.filter((r) => r.path.endsWith('/messages'));
    expect(posted).toHaveLength(1);
    expect(posted[0]?.path).toBe(`/channels/${CHANNEL_ID}/messages`);
    expect(posted[0]?.headers.authorization).toBe('Bot bot-token');
    expect(posted[0]?.body).toMatchObject({ content: '✉ new message received' });
    expect(posted[0]?.body.embeds[0].fields).toEqual(
      expect.arrayContaining([
        { name: 'From:', value: CONTACT, inline: true },
        { name: 'Content:', value: 'hello gateway' },
        { name: 'MessageID:', value: received.json.data.id },
      ]),
    );
    expect(failures).toEqual([]);

    t.standIn.answer(`/channels/${CHANNEL_ID}/messages`, 403);
    const second = await receive('lost');
    await t.gateway.discord.settled();
    expect(failures).toHaveLength(1);
    expect(failures[0]?.data).toMatchObject({
      user_id: t.account.id,
      message_id: second.json.data.id,
      event_type: 'message.phone.received',
      http_response_status_code: 403,
      discord_channel_id: CHANNEL_ID,
    });
    expect(failures[0]?.data.error_message).toContain('Missing Access');
  });
});
