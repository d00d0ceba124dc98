/**
 * Received SMS to a Discord channel webhook: the URL test and the message (pure), and one
 * attempt of a delivery to a `https://discord.com/api/webhooks/…` URL. Tests cannot reach
 * Discord: the attempt is made with a poster that records the request, or that sends it to a
 * local receiver through the real poster (timeouts), or with the real poster refusing
 * private networks under a resolver that answers a loopback address.
 */
import type { LookupAddress } from 'node:dns';
import { jwtVerify } from 'jose';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/config.js';
import type { GatewayEventData, GatewayEventType } from '../../src/events/events.js';
import { GatewayEmitter } from '../../src/events/events.js';
import { OperationsEmitter } from '../../src/events/operations.js';
import type { GatewayConfig } from '../../src/index.js';
import { ManualClock, silentLogger, standardWebhooksSecret } from '../../src/index.js';
import { DISCORD_FIELD_MAX } from '../../src/integrations/discord-message.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { makeOutbox, makeWebhook } from '../../src/testing/fixtures.js';
import { type AttemptDeps, deliverRow } from '../../src/webhooks/attempt.js';
import {
  deliveryBody,
  discordWebhookPayload,
  isDiscordWebhookUrl,
} from '../../src/webhooks/discord.js';
import { createPoster, type PostResult } from '../../src/webhooks/post.js';
import { JwtCache } from '../../src/webhooks/signing.js';
import { startReceiver } from './receiver.js';

const DISCORD_URL = 'https://discord.com/api/webhooks/123456789012345678/token-abc';
const OWNER = '+18005550199';
const CONTACT = '+18005550100';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const received: GatewayEventData['message.phone.received'] = {
  message_id: 'msg-1',
  user_id: 'account-1',
  owner: OWNER,
  encrypted: false,
  contact: CONTACT,
  timestamp: '2026-01-02T03:04:05Z',
  content: 'hello there',
  sim: 'SIM1',
  attachments: [],
};

/** A CloudEvent as the outbox stores it. */
function cloudEvent(type: GatewayEventType, data: object, id = 'event-1'): string {
  return JSON.stringify({
    specversion: '1.0',
    id,
    source: '/v1/messages/receive',
    type,
    datacontenttype: 'application/json',
    time: '2026-01-02T03:04:05Z',
    data,
  });
}

describe('isDiscordWebhookUrl', () => {
  it('is true for discord.com channel webhooks only', () => {
    expect(isDiscordWebhookUrl(DISCORD_URL)).toBe(true);
    expect(isDiscordWebhookUrl('https://discord.com/api/webhooks/1/x?wait=true')).toBe(true);
    for (const url of [
      'http://discord.com/api/webhooks/1/x',
      'https://discord.com/api/v10/channels/1/messages',
      'https://discord.com.example.org/api/webhooks/1/x',
      'https://example.com/api/webhooks/1/x',
      'https://example.com/?next=https://discord.com/api/webhooks/1/x',
      '',
    ]) {
      expect(isDiscordWebhookUrl(url), url).toBe(false);
    }
  });
});

describe('discordWebhookPayload', () => {
  it("is a Discord webhook message with the SMS in one embed's fields", () => {
    expect(discordWebhookPayload(received)).toEqual({
      username: 'textport',
      content: '✉ new message received',
      embeds: [
        {
          fields: [
            { name: 'From:', value: CONTACT, inline: true },
            { name: 'To:', value: OWNER, inline: true },
            { name: 'Content:', value: 'hello there' },
            { name: 'MessageID:', value: 'msg-1' },
          ],
        },
      ],
    });
    expect(discordWebhookPayload(received)).not.toHaveProperty('avatar_url');
  });

  it('never sends an empty or an over-long field value (Discord refuses both)', () => {
    const empty = discordWebhookPayload({ ...received, content: '' });
    expect(empty.embeds?.[0]?.fields?.[2]).toEqual({ name: 'Content:', value: '(empty)' });
    const exact = discordWebhookPayload({ ...received, content: 'a'.repeat(DISCORD_FIELD_MAX) });
    expect(exact.embeds?.[0]?.fields?.[2]?.value).toBe('a'.repeat(DISCORD_FIELD_MAX));
    // A surrogate pair straddling the cut is dropped whole.
    const long = `${'a'.repeat(DISCORD_FIELD_MAX - 2)}😀${'b'.repeat(900)}`;
    const cut = discordWebhookPayload({ ...received, content: long }).embeds?.[0]?.fields?.[2];
    expect(cut?.value).toBe(`${'a'.repeat(DISCORD_FIELD_MAX - 2)}…`);
    expect(cut?.value.length).toBeLessThanOrEqual(DISCORD_FIELD_MAX);
  });
});

describe('deliveryBody', () => {
  const payload = cloudEvent('message.phone.received', received);

  it('turns a received SMS to a Discord webhook into the Discord message', () => {
    expect(JSON.parse(deliveryBody(DISCORD_URL, 'message.phone.received', payload))).toEqual(
      discordWebhookPayload(received),
    );
  });

  it('keeps the CloudEvent for other URLs, other events and data it cannot read', () => {
    const url = 'https://example.com/hooks/sms';
    expect(deliveryBody(url, 'message.phone.received', payload)).toBe(payload);
    const sent = cloudEvent('message.phone.sent', { id: 'msg-1', owner: OWNER });
    expect(deliveryBody(DISCORD_URL, 'message.phone.sent', sent)).toBe(sent);
    const bare = cloudEvent('message.phone.received', {});
    expect(deliveryBody(DISCORD_URL, 'message.phone.received', bare)).toBe(bare);
    expect(deliveryBody(DISCORD_URL, 'message.phone.received', 'not json')).toBe('not json');
  });
});

interface Posted {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

type Poster = AttemptDeps['http'];

/** A poster answering `status` without a request, recording what it was asked to send. */
function recordingPoster(status = 204) {
  const posted: Posted[] = [];
  const http: Poster = {
    post: async (url, headers, body, timeoutMs): Promise<PostResult> => {
      posted.push({ url, headers, body, timeoutMs });
      return { status, statusText: '', retryAfter: null, location: null };
    },
    close() {},
  };
  return { http, posted };
}

/** The real poster, sending every request to `target` instead of the URL it is given. */
function forwardingPoster(target: string): Poster {
  const real = createPoster({ maxSockets: 2 });
  closers.push(() => real.close());
  return {
    post: (_url, headers, body, timeoutMs) => real.post(target, headers, body, timeoutMs),
    close: () => real.close(),
  };
}

/** One outbox row of `eventType` for a webhook at `url`, claimed, and what attempts it. */
async function setup(
  http: Poster,
  eventType: GatewayEventType = 'message.phone.received',
  webhooks: GatewayConfig['webhooks'] = {},
  url = DISCORD_URL,
) {
  const store = createMemoryStore();
  const clock = new ManualClock(Date.now());
  const resolved = resolveConfig({ store, clock, logger: silentLogger, webhooks });
  const ctx = {
    ...resolved,
    emitter: new GatewayEmitter(() => {}),
    operations: new OperationsEmitter(() => {}),
  };
  const deps: AttemptDeps = { ctx, options: ctx.webhooks, http, tokens: new JwtCache() };
  const hook = makeWebhook({ url, signingKey: 'sekret', events: [eventType] });
  await store.insertWebhook(hook);
  const data = eventType === 'message.phone.received' ? received : { id: 'msg-1', owner: OWNER };
  const row = makeOutbox({
    accountId: hook.accountId,
    webhookId: hook.id,
    eventType,
    payload: cloudEvent(eventType, data),
    leaseOwner: 'lease-1',
    leaseUntil: clock.now() + 60_000,
  });
  await store.insertOutbox([row]);
  const stored = async () => {
    const [got] = await store.listOutbox({ accountId: hook.accountId, skip: 0, limit: 1 });
    if (!got) throw new Error('no outbox row');
    return got;
  };
  return { store, clock, deps, hook, row, stored };
}

describe('a delivery to a Discord webhook', () => {
  it('posts the Discord message to the webhook URL, signed as any delivery', async () => {
    const { http, posted } = recordingPoster(204);
    const t = await setup(http, 'message.phone.received', { timeoutMs: 1_234 });
    await deliverRow(t.deps, t.row, t.hook);

    expect(posted).toHaveLength(1);
    const [got] = posted;
    expect(got?.url).toBe(DISCORD_URL);
    expect(got?.timeoutMs).toBe(1_234);
    expect(JSON.parse(got?.body ?? '')).toEqual(discordWebhookPayload(received));
    expect(got?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-event-type': 'message.phone.received',
      'webhook-id': t.row.eventId,
    });
    // The signatures cover the bytes sent; the JWT names the Discord URL.
    const verifier = new Webhook(standardWebhooksSecret('sekret'));
    expect(verifier.verify(got?.body ?? '', got?.headers ?? {})).toMatchObject({
      username: 'textport',
    });
    const token = String(got?.headers.authorization).replace(/^Bearer /, '');
    const { payload } = await jwtVerify(token, new TextEncoder().encode('sekret'), {
      audience: DISCORD_URL,
      currentDate: new Date(t.clock.now()),
    });
    expect(payload.aud).toEqual([DISCORD_URL]);

    // The outbox keeps the CloudEvent.
    expect(await t.stored()).toMatchObject({
      status: 'delivered',
      attempts: 1,
      lastHttpStatus: 204,
      payload: t.row.payload,
    });
  });

  it('sends other events to a Discord webhook as CloudEvents', async () => {
    const { http, posted } = recordingPoster(400);
    const t = await setup(http, 'message.phone.sent');
    await deliverRow(t.deps, t.row, t.hook);
    expect(posted[0]?.body).toBe(t.row.payload);
    expect(await t.stored()).toMatchObject({ status: 'pending', attempts: 1, lastHttpStatus: 400 });
  });

  it('a received SMS to any other URL is the CloudEvent', async () => {
    const { http, posted } = recordingPoster(200);
    const t = await setup(http, 'message.phone.received', {}, 'https://example.com/hooks/sms');
    await deliverRow(t.deps, t.row, t.hook);
    expect(posted[0]?.body).toBe(t.row.payload);
  });

  it('times out and retries as any delivery, then delivers the Discord message', async () => {
    const receiver = await startReceiver([{ status: 0 }, { status: 204 }]);
    closers.push(receiver.close);
    const t = await setup(forwardingPoster(receiver.url), 'message.phone.received', {
      timeoutMs: 200,
      maxAttempts: 3,
    });
    await deliverRow(t.deps, t.row, t.hook);
    const first = await t.stored();
    expect(first).toMatchObject({ status: 'pending', attempts: 1, lastHttpStatus: null });
    expect(first.lastError).toContain('TIMEOUT');

    t.clock.set(first.nextAttemptAt);
    // Claimed again: the row gets a new lease.
    await t.store.updateOutbox(first.id, { leaseOwner: 'lease-2' });
    await deliverRow(t.deps, { ...first, leaseOwner: 'lease-2' }, t.hook);
    expect(await t.stored()).toMatchObject({
      status: 'delivered',
      attempts: 2,
      lastHttpStatus: 204,
    });
    expect(receiver.received.map((r) => JSON.parse(r.body))).toEqual([
      discordWebhookPayload(received),
      discordWebhookPayload(received),
    ]);
  });

  it('is refused when discord.com resolves to a private address and private networks are refused', async () => {
    const lookups: string[] = [];
    const http = createPoster({
      maxSockets: 2,
      refusePrivateNetworks: true,
      resolver: async (hostname): Promise<LookupAddress[]> => {
        lookups.push(hostname);
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    closers.push(() => http.close());
    const t = await setup(http);
    await deliverRow(t.deps, t.row, t.hook);
    expect(lookups).toEqual(['discord.com']);
    const row = await t.stored();
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row.lastError).toContain('private network');
  });
});
