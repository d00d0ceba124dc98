/**
 * E-mail alerts through the server's SMTP sender to a local SMTP server: exactly one
 * e-mail per phone outage, per final failure and per failing webhook, none when the
 * matching setting is off, and none again after a restart on the same database.
 * The gateway runs on the server's SQLite store with a manual clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createGateway,
  FakeTransport,
  ManualClock,
  type Principal,
  silentLogger,
} from '@textport/core';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { ALERT_HEADER, smtpAlertSender } from '../src/alerts.js';
import { readConfig } from '../src/config.js';
import { openDatabase } from '../src/database.js';
import { startServer } from '../src/server.js';

const MIN = 60_000;
const OWNER = '+18005550199';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

/** A local SMTP server keeping every message it accepts. */
async function smtpServer() {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `smtp://127.0.0.1:${port}`, mails };
}

/** A webhook receiver that answers every delivery with `status`. */
async function receiver(status: number) {
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(status).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

async function setup() {
  const smtp = await smtpServer();
  const dir = mkdtempSync(join(tmpdir(), 'textport-alerts-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const url = `sqlite:${join(dir, 'db.sqlite')}`;
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 12, 0, 0));
  const open = async () => {
    const db = await openDatabase(url, silentLogger);
    const sender = smtpAlertSender({ url: smtp.url, from: 'textport <alerts@example.com>' });
    const gateway = createGateway({
      store: db.store,
      clock,
      logger: silentLogger,
      transports: [new FakeTransport()],
      alerts: sender,
      webhooks: { maxAttempts: 1, refusePrivateNetworks: false },
    });
    cleanups.push(async () => {
      await gateway.stop();
      sender.close();
      await db.close();
    });
    return gateway;
  };
  const gateway = await open();
  const { record: account } = await gateway.accounts.create({ email: 'ops@example.com' });
  await gateway.phones.upsert(account.id, { phoneNumber: OWNER, messagesPerMinute: 0 });
  const user: Principal = { accountId: account.id, kind: 'user', keyId: null, phoneNumbers: null };
  const settled = async (g = gateway) => g.alerts?.settled();
  /** A message the phone reports FAILED; its webhook rows are attempted. */
  const failMessage = async (g = gateway) => {
    const m = await g.messages.send(account.id, { from: OWNER, to: '+18005550100', content: 'x' });
    await g.phoneApi.takeOutstanding(user, m.id);
    await g.phoneApi.reportEvent(user, m.id, { event: 'FAILED', reason: 'no credit' });
    await g.webhookWorker.runOnce();
    await settled(g);
  };
  /** Misses heartbeats for `checks` monitor rounds of 16 minutes. */
  const silence = async (checks: number, g = gateway) => {
    for (let i = 0; i < checks; i += 1) {
      clock.advance(16 * MIN);
      await g.heartbeats.runOnce();
    }
    await settled(g);
  };
  const kinds = () => smtp.mails.map((m) => new RegExp(`${ALERT_HEADER}: (\\S+)`).exec(m.raw)?.[1]);
  return { smtp, clock, gateway, account, user, open, failMessage, silence, kinds };
}

describe('e-mail alerts over SMTP', () => {
  it('one e-mail per phone outage, and none again after a restart', async () => {
    const t = await setup();
    await t.gateway.phoneApi.heartbeat(t.user, { phoneNumbers: [OWNER] });
    await t.silence(10);
    expect(t.kinds()).toEqual(['phone.offline']);
    const [mail] = t.smtp.mails;
    expect(mail?.to).toEqual(['ops@example.com']);
    expect(mail?.from).toBe('alerts@example.com');
    expect(mail?.raw).toContain(`Subject: Your phone ${OWNER} is offline`);

    const restarted = await t.open();
    await t.silence(3, restarted);
    expect(t.kinds()).toEqual(['phone.offline']);
    // Back online, then silent again: a second outage, a second e-mail.
    await restarted.phoneApi.heartbeat(t.user, { phoneNumbers: [OWNER] });
    await t.silence(6, restarted);
    expect(t.kinds()).toEqual(['phone.offline', 'phone.offline']);
  });

  it('one e-mail per final failure and one per failing webhook episode', async () => {
    const t = await setup();
    const url = await receiver(500);
    await t.gateway.webhooks.create(t.account.id, {
      url,
      events: ['message.send.failed'],
      phoneNumbers: [OWNER],
    });
    await t.failMessage();
    await t.failMessage();
    await t.failMessage();
    expect(t.kinds().sort()).toEqual([
      'message.failed',
      'message.failed',
      'message.failed',
      'webhook.failing',
    ]);
    const restarted = await t.open();
    await t.gateway.accounts.updateNotifications(t.account.id, {
      messageStatusEnabled: false,
      webhookEnabled: true,
      heartbeatEnabled: true,
    });
    await t.failMessage(restarted);
    expect(t.kinds().filter((k) => k === 'webhook.failing')).toHaveLength(1);
    expect(t.smtp.mails).toHaveLength(4);
  });

  it('no e-mail when the matching setting is off', async () => {
    const t = await setup();
    const url = await receiver(500);
    await t.gateway.webhooks.create(t.account.id, {
      url,
      events: ['message.send.failed'],
      phoneNumbers: [OWNER],
    });
    await t.gateway.accounts.updateNotifications(t.account.id, {
      messageStatusEnabled: false,
      webhookEnabled: false,
      heartbeatEnabled: false,
    });
    await t.gateway.phoneApi.heartbeat(t.user, { phoneNumbers: [OWNER] });
    await t.failMessage();
    await t.failMessage();
    await t.silence(8);
    expect(t.smtp.mails).toEqual([]);

    // Only heartbeat alerts on: the next outage sends one, the failures none.
    await t.gateway.accounts.updateNotifications(t.account.id, {
      messageStatusEnabled: false,
      webhookEnabled: false,
      heartbeatEnabled: true,
    });
    await t.gateway.phoneApi.heartbeat(t.user, { phoneNumbers: [OWNER] });
    await t.failMessage();
    await t.silence(8);
    expect(t.kinds()).toEqual(['phone.offline']);
  });

  it('the server sends them when TEXTPORT_SMTP_URL and TEXTPORT_SMTP_FROM are set', async () => {
    const smtp = await smtpServer();
    const dir = mkdtempSync(join(tmpdir(), 'textport-alerts-server-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const server = await startServer(
      readConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
        TEXTPORT_DEMO_PHONE: 'off',
        LOG_LEVEL: 'silent',
        TEXTPORT_SMTP_URL: smtp.url,
        TEXTPORT_SMTP_FROM: 'alerts@example.com',
        TEXTPORT_ALERT_EMAIL: 'ops@example.com',
      }),
      () => {},
    );
    cleanups.push(() => server.close());
    const { gateway, accountId } = server;
    expect((await gateway.accounts.get(accountId)).email).toBe('ops@example.com');
    await gateway.phones.upsert(accountId, { phoneNumber: OWNER });
    const user: Principal = { accountId, kind: 'user', keyId: null, phoneNumbers: null };
    const m = await gateway.messages.send(accountId, {
      from: OWNER,
      to: '+18005550100',
      content: 'x',
    });
    await gateway.phoneApi.takeOutstanding(user, m.id);
    await gateway.phoneApi.reportEvent(user, m.id, { event: 'FAILED', reason: 'no credit' });
    await gateway.alerts?.settled();
    expect(smtp.mails.map((mail) => [mail.from, mail.to])).toEqual([
      ['alerts@example.com', ['ops@example.com']],
    ]);
    expect(smtp.mails[0]?.raw).toContain('Reason: no credit');
  });
});
