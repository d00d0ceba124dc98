/**
 * The admin commands of `textport`: accounts, keys, phones, a send, migrations and a retention
 * run, against
 * the database DATABASE_URL names (the server may be running). Keys are printed once; a phone
 * key also as a QR code when the output is a terminal (the httpSMS app scans one).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type ApiKeyRecord,
  createDiskAttachmentStore,
  createGateway,
  type Gateway,
} from '@textport/core';
import QRCode from 'qrcode';
import { BOOTSTRAP_ACCOUNT_ID } from './bootstrap.js';
import { readConfig, retentionPolicyOf } from './config.js';
import { type Database, openDatabase } from './database.js';

export interface AdminIo {
  env: NodeJS.ProcessEnv;
  out(line: string): void;
  /** Whether `out` is a terminal (QR codes are drawn only there, or with --qr). */
  terminal: boolean;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

interface Admin {
  db: Database;
  gateway: Gateway;
  io: AdminIo;
}

type Options = Record<string, string | boolean | undefined>;
type Action = (admin: Admin, options: Options) => Promise<void>;

interface Command {
  usage: string;
  summary: string;
  options: Record<string, { type: 'string' | 'boolean' }>;
  run: Action;
}

const account = { account: { type: 'string' } } as const;
const accountOf = (options: Options) => String(options.account ?? BOOTSTRAP_ACCOUNT_ID);

function required(options: Options, name: string): string {
  const value = options[name];
  if (typeof value !== 'string' || value.trim() === '')
    throw new UsageError(`--${name} is required`);
  return value.trim();
}

async function showKey(admin: Admin, label: string, key: string, qr: boolean): Promise<void> {
  admin.io.out(`${label} (shown once, keep it): ${key}`);
  if (qr || admin.io.terminal) {
    admin.io.out(await QRCode.toString(key, { type: 'terminal', small: true }));
  }
}

function describeKey(key: ApiKeyRecord): string {
  const numbers = key.allowedNumbers ?? key.phoneNumbers;
  const scope = key.kind === 'phone' ? `  numbers: ${numbers.join(', ') || 'any'}` : '';
  return `${key.id}  ${key.kind}  ${key.keyPrefix}…  "${key.name}"${scope}`;
}

const COMMANDS: Record<string, Command> = {
  migrate: {
    usage: 'migrate',
    summary: 'apply pending database migrations',
    options: {},
    run: async ({ db, io }) => io.out(`the database is up to date: ${db.describe}`),
  },
  'accounts create': {
    usage: 'accounts create [--email E] [--timezone Z]',
    summary: 'a new account and its API key',
    options: { email: { type: 'string' }, timezone: { type: 'string' } },
    run: async (admin, options) => {
      const created = await admin.gateway.accounts.create({
        email: typeof options.email === 'string' ? options.email : null,
        ...(typeof options.timezone === 'string' ? { timezone: options.timezone } : {}),
      });
      admin.io.out(`account: ${created.record.id}`);
      await showKey(admin, 'API key', created.apiKey, false);
    },
  },
  'accounts list': {
    usage: 'accounts list',
    summary: 'every account',
    options: {},
    run: async ({ db, gateway, io }) => {
      const rows: { id: string }[] = await db
        .knex(`${db.store.tablePrefix}accounts`)
        .select('id')
        .orderBy('id');
      for (const { id } of rows) {
        const found = await gateway.accounts.get(id);
        io.out(`${id}  ${found.email ?? '-'}  created ${new Date(found.createdAt).toISOString()}`);
      }
      if (rows.length === 0) io.out('no accounts yet: `textport start` makes one');
    },
  },
  'keys list': {
    usage: 'keys list [--account ID]',
    summary: 'the user and phone keys of an account',
    options: account,
    run: async ({ gateway, io }, options) => {
      const accountId = accountOf(options);
      await gateway.accounts.get(accountId);
      for (const kind of ['user', 'phone'] as const) {
        const keys = await gateway.store.listApiKeys({ accountId, kind, skip: 0, limit: 1000 });
        for (const key of keys) io.out(describeKey(key));
      }
    },
  },
  'keys create': {
    usage: 'keys create --phone-numbers N[,N] [--name X] [--account ID] [--qr]',
    summary: 'a phone key for those numbers',
    options: {
      ...account,
      name: { type: 'string' },
      'phone-numbers': { type: 'string' },
      qr: { type: 'boolean' },
    },
    run: async (admin, options) => {
      const numbers = required(options, 'phone-numbers')
        .split(',')
        .map((n) => n.trim());
      const issued = await admin.gateway.accounts.createPhoneKey(accountOf(options), {
        name: typeof options.name === 'string' ? options.name : `phone ${numbers.join(', ')}`,
        phoneNumbers: numbers,
      });
      admin.io.out(`phone key ${issued.record.id} for ${numbers.join(', ')}`);
      await showKey(admin, 'phone API key', issued.apiKey, options.qr === true);
    },
  },
  'keys rotate': {
    usage: 'keys rotate [--account ID]',
    summary: 'a new API key; the old one stops at once',
    options: account,
    run: async (admin, options) => {
      const rotated = await admin.gateway.accounts.rotateApiKey(accountOf(options));
      await showKey(admin, 'API key', rotated.apiKey, false);
    },
  },
  'keys delete': {
    usage: 'keys delete --id KEY_ID [--account ID]',
    summary: 'delete a phone key; it stops at once',
    options: { ...account, id: { type: 'string' } },
    run: async ({ gateway, io }, options) => {
      const id = required(options, 'id');
      await gateway.accounts.deletePhoneKey(accountOf(options), id);
      io.out(`phone key ${id} deleted`);
    },
  },
  'phones list': {
    usage: 'phones list [--account ID]',
    summary: 'phones with online status and pacing',
    options: account,
    run: async ({ gateway, io }, options) => {
      const phones = await gateway.store.listPhones({
        accountId: accountOf(options),
        skip: 0,
        limit: 1000,
      });
      for (const phone of phones) {
        const seen = phone.lastHeartbeatAt
          ? new Date(phone.lastHeartbeatAt).toISOString()
          : 'never';
        io.out(
          `${phone.phoneNumber}  ${phone.online ? 'online' : 'offline'}  last heartbeat ${seen}  ${phone.messagesPerMinute}/min`,
        );
      }
      if (phones.length === 0) io.out('no phones yet');
    },
  },
  send: {
    usage: 'send --from N --to N --content TEXT [--account ID]',
    summary: 'queue an SMS',
    options: {
      ...account,
      from: { type: 'string' },
      to: { type: 'string' },
      content: { type: 'string' },
    },
    run: async ({ gateway, io }, options) => {
      const message = await gateway.messages.send(accountOf(options), {
        from: required(options, 'from'),
        to: required(options, 'to'),
        content: required(options, 'content'),
      });
      io.out(`message ${message.id}: ${message.status}`);
    },
  },
  'retention run': {
    usage: 'retention run',
    summary: 'remove old rows now, as the TEXTPORT_RETENTION_* settings say (for cron)',
    options: {},
    run: async ({ gateway, io }) => {
      const policy = gateway.config.retention;
      if (!policy) {
        throw new UsageError('retention is off (TEXTPORT_RETENTION=off): nothing was removed');
      }
      const run = await gateway.retention.runOnce();
      const older = (removed: number, days: number | null, variable: string) =>
        days ? `${removed} removed (older than ${days} days)` : `kept (${variable}=0)`;
      io.out(
        `messages: ${older(run.messages, policy.messagesDays, 'TEXTPORT_RETENTION_MESSAGES_DAYS')}`,
      );
      io.out(
        `heartbeats: ${older(run.heartbeats, policy.heartbeatsDays, 'TEXTPORT_RETENTION_HEARTBEATS_DAYS')}`,
      );
      io.out(
        `webhook outbox: ${older(run.webhookOutbox, policy.webhookOutboxDays, 'TEXTPORT_RETENTION_WEBHOOKS_DAYS')}`,
      );
      io.out(`idempotency records: ${run.idempotency} removed (expired)`);
    },
  },
};

/** One line per command: its usage, then what it does. */
export function adminUsage(before: [string, string][], after: [string, string][]): string {
  const rows: [string, string][] = [
    ...before,
    ...Object.values(COMMANDS).map((c): [string, string] => [c.usage, c.summary]),
    ...after,
  ];
  const width = Math.max(...rows.map(([usage]) => usage.length)) + 2;
  return rows.map(([usage, summary]) => `  ${usage.padEnd(width)}${summary}`).join('\n');
}

/** The command that `args` names (two words or one), or null when it names none. */
export function findAdminCommand(args: readonly string[]): { name: string; rest: string[] } | null {
  const two = args.slice(0, 2).join(' ');
  if (COMMANDS[two]) return { name: two, rest: args.slice(2) };
  const one = args[0] ?? '';
  if (COMMANDS[one]) return { name: one, rest: args.slice(1) };
  return null;
}

export async function runAdmin(name: string, args: string[], io: AdminIo): Promise<void> {
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command "${name}"`);
  let values: Options;
  try {
    values = parseArgs({ args, options: command.options, strict: true }).values;
  } catch (error) {
    throw new UsageError(
      `${error instanceof Error ? error.message : error}\n  usage: textport ${command.usage}`,
    );
  }
  const config = readConfig(io.env);
  const db = await openDatabase(config.DATABASE_URL);
  const gateway = createGateway({
    store: db.store,
    // The server's attachment folder: a retention run sweeps the files of the messages it removed.
    attachments: createDiskAttachmentStore(join(db.dataDir, 'attachments')),
    phoneKeys: { restricted: config.TEXTPORT_PHONE_KEYS_RESTRICTED },
    retention: retentionPolicyOf(config),
    ...(db.notifier ? { notifier: db.notifier } : {}),
  });
  try {
    await command.run({ db, gateway, io }, values);
  } finally {
    await db.close();
  }
}
