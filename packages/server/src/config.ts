/**
 * The standalone server's configuration, read from the environment once. Every
 * problem is reported at once, one line each, with how to fix it.
 */
import { isIP } from 'node:net';
import { DEFAULT_RETENTION_OPTIONS, type GatewayConfig, isPhoneNumber } from '@textport/core';
import { z } from 'zod';
import { LOG_LEVELS } from './logging.js';

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** Days of retention: a whole number, 0 keeps the rows for ever. */
const days = (fallback: number | null) =>
  optional
    .transform((v) => (v === undefined ? (fallback ?? 0) : Number(v)))
    .refine((v) => Number.isInteger(v) && v >= 0 && v <= 36_500, {
      message: 'must be a whole number of days from 1 to 36500, or 0 to keep these rows for ever',
    });

/** An http(s) URL (a bare `host:port` parses as a URL of scheme `host:`, so the scheme is checked). */
const isHttpUrl = (v: string) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol);

const envSchema = z.object({
  PORT: optional
    .transform((v) => (v === undefined ? 3000 : /^[0-9]{1,5}$/.test(v) ? Number(v) : Number.NaN))
    .refine((v) => v >= 0 && v <= 65535, {
      message: 'must be a port number from 0 to 65535, e.g. 3000 (0: any free port)',
    }),
  HOST: optional
    .transform((v) => v ?? '0.0.0.0')
    .refine((v) => isIP(v) !== 0 || /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(v), {
      message: 'must be an address or host name to listen on, e.g. 0.0.0.0, 127.0.0.1 or ::',
    }),
  DATABASE_URL: z
    .string()
    .default('sqlite:./data/textport.sqlite')
    .refine((v) => /^sqlite:.+/.test(v) || /^(postgres(ql)?|mysql|mariadb):\/\/.+/.test(v), {
      message:
        'must be sqlite:<path> (e.g. sqlite:./data/textport.sqlite), postgres://user@host:5432/db or mysql://user@host:3306/db',
    }),
  TEXTPORT_API_KEY: optional.refine((v) => v === undefined || /^uk_[A-Za-z0-9_-]{16,}$/.test(v), {
    message:
      'must start with uk_ followed by at least 16 letters, digits, - or _ (or leave it unset to generate one)',
  }),
  TEXTPORT_PHONE_API_KEY: optional.refine(
    (v) => v === undefined || /^pk_[A-Za-z0-9_-]{16,}$/.test(v),
    {
      message:
        'must start with pk_ followed by at least 16 letters, digits, - or _ (or leave it unset to generate one)',
    },
  ),
  TEXTPORT_DEMO_PHONE: z
    .string()
    .default('+18005550199')
    .refine((v) => v === 'off' || isPhoneNumber(v), {
      message: 'must be an E.164 number such as +18005550199, or off',
    }),
  TEXTPORT_PHONE_KEYS_RESTRICTED: z
    .enum(['true', 'false'], { message: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * `true`: webhook receivers on private or local addresses are refused (checked on the
   * address connected to). Off by default: self-hosted receivers often live on the LAN.
   */
  TEXTPORT_WEBHOOKS_REFUSE_PRIVATE: z
    .enum(['true', 'false'], { message: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true'),
  TEXTPORT_FCM_CREDENTIALS: optional,
  TEXTPORT_FCM_ENDPOINT: optional.refine((v) => v === undefined || isHttpUrl(v), {
    message: 'must be a URL such as https://fcm.googleapis.com',
  }),
  /** `off`: no SMSGate device or user API. */
  TEXTPORT_SMSGATE: z
    .enum(['on', 'off'], { message: 'must be on or off' })
    .default('on')
    .transform((v) => v === 'on'),
  /** The numbers of the SMSGate phone's SIMs, SIM 1 first (the app does not tell its own number). */
  TEXTPORT_SMSGATE_PHONE_NUMBERS: optional
    .transform((v) => (v === undefined ? [] : v.split(',').map((n) => n.trim())))
    .refine((list) => list.length <= 3 && list.every((n) => isPhoneNumber(n)), {
      message:
        'must be one to three E.164 numbers, comma-separated, SIM 1 first (e.g. +15551234567)',
    }),
  TEXTPORT_SMSGATE_PRIVATE_TOKEN: optional.refine(
    (v) => v === undefined || /^[\x21-\x7e]{16,256}$/.test(v),
    { message: 'must be 16 to 256 visible ASCII characters (or leave it unset to generate one)' },
  ),
  TEXTPORT_SMSGATE_USERNAME: optional.refine(
    (v) => v === undefined || /^[A-Za-z0-9._@-]{1,64}$/.test(v),
    { message: 'must be 1 to 64 letters, digits or . _ @ -' },
  ),
  TEXTPORT_SMSGATE_PASSWORD: optional.refine((v) => v === undefined || /^[^:]{14,256}$/.test(v), {
    message: 'must be 14 to 256 characters without a colon (or leave it unset to use the API key)',
  }),
  /** The least severe log lines written: fatal, error, warn, info (default), debug, trace or silent. */
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
    .default('info'),
  /** `json` lines, `pretty` text, or `auto` (pretty on a terminal, JSON otherwise). */
  LOG_FORMAT: z
    .enum(['auto', 'json', 'pretty'], { message: 'must be auto, json or pretty' })
    .default('auto'),
  /** `off`: nothing is removed; `on`: old rows go as the days below say (see docs/operations.md). */
  TEXTPORT_RETENTION: z
    .enum(['on', 'off'], { message: 'must be on or off' })
    .default('on')
    .transform((v) => v === 'on'),
  TEXTPORT_RETENTION_MESSAGES_DAYS: days(DEFAULT_RETENTION_OPTIONS.messagesDays),
  TEXTPORT_RETENTION_HEARTBEATS_DAYS: days(DEFAULT_RETENTION_OPTIONS.heartbeatsDays),
  TEXTPORT_RETENTION_WEBHOOKS_DAYS: days(DEFAULT_RETENTION_OPTIONS.webhookOutboxDays),
  /** `off`: no `/metrics` (Prometheus text) and no HTTP request metrics. */
  TEXTPORT_METRICS: z
    .enum(['on', 'off'], { message: 'must be on or off' })
    .default('on')
    .transform((v) => v === 'on'),
  /** When set, `/metrics` asks for `Authorization: Bearer <token>`. */
  TEXTPORT_METRICS_TOKEN: optional.refine(
    (v) => v === undefined || /^[\x21-\x7e]{16,256}$/.test(v),
    {
      message:
        'must be 16 to 256 visible ASCII characters (or leave it unset for an open /metrics)',
    },
  ),
  /** Outgoing messages an account may send in a calendar month (UTC); unset: no limit. */
  TEXTPORT_MONTHLY_MESSAGE_LIMIT: optional
    .transform((v) => (v === undefined ? undefined : Number(v)))
    .refine((v) => v === undefined || (Number.isInteger(v) && v >= 1), {
      message: 'must be a whole number of messages, at least 1 (or leave it unset: no limit)',
    }),
  /** Serves the admin routes (`/v1/admin/…`) to `Authorization: Bearer <key>`; unset: none. */
  TEXTPORT_ADMIN_KEY: optional.refine((v) => v === undefined || /^[\x21-\x7e]{24,256}$/.test(v), {
    message: 'must be 24 to 256 visible ASCII characters (or leave it unset: no admin routes)',
  }),
  /** Alerts by e-mail (a message's final failure, a failing webhook, a phone offline); unset: none. */
  TEXTPORT_SMTP_URL: optional.refine((v) => v === undefined || /^smtps?:\/\/[^/]+/.test(v), {
    message:
      'must be an SMTP URL, e.g. smtp://user:password@mail.example.com:587 or smtps://…:465 (or leave it unset: no alerts)',
  }),
  TEXTPORT_SMTP_FROM: optional.refine(
    (v) => v === undefined || /^[^\s@<>]+@[^\s@<>]+$|<[^\s@<>]+@[^\s@<>]+>$/.test(v),
    {
      message:
        'must be the sender of alerts, e.g. alerts@example.com or "textport <alerts@example.com>"',
    },
  ),
  /** The bootstrap account's e-mail address: where its alerts go. */
  TEXTPORT_ALERT_EMAIL: optional.refine((v) => v === undefined || /^[^\s@]+@[^\s@]+$/.test(v), {
    message:
      'must be an e-mail address, e.g. ops@example.com (the bootstrap account gets its alerts there)',
  }),
  /** Discord: the bot that posts incoming SMS; with the public key, slash commands send SMS. */
  TEXTPORT_DISCORD_BOT_TOKEN: optional,
  TEXTPORT_DISCORD_PUBLIC_KEY: optional.refine(
    (v) => v === undefined || /^[0-9a-fA-F]{64}$/.test(v),
    {
      message:
        "must be the Discord application's public key, 64 hex digits (General Information page of the developer portal)",
    },
  ),
  /** With it, linking a Discord server registers the `/sms` slash command there. */
  TEXTPORT_DISCORD_APPLICATION_ID: optional.refine(
    (v) => v === undefined || /^[0-9]{1,32}$/.test(v),
    {
      message: "must be the Discord application's id, digits (General Information page)",
    },
  ),
  /** Discord's REST API (default https://discord.com/api/v10). */
  TEXTPORT_DISCORD_API_URL: optional.refine((v) => v === undefined || /^https?:\/\/[^/]/.test(v), {
    message: "must be the URL of Discord's REST API, e.g. https://discord.com/api/v10",
  }),
  TLS_CERT: optional,
  TLS_KEY: optional,
  TEXTPORT_PUBLIC_URL: optional.refine((v) => v === undefined || isHttpUrl(v), {
    message:
      'must be the http(s) URL phones and webhook receivers use to reach this server, e.g. https://sms.example.com',
  }),
  /** Connections held at once (API clients, WebSocket phones, event streams); more are closed. */
  TEXTPORT_MAX_CONNECTIONS: optional
    .transform((v) => (v === undefined ? 10_000 : /^[0-9]{1,7}$/.test(v) ? Number(v) : Number.NaN))
    .refine((v) => v >= 1 && v <= 1_000_000, {
      message: 'must be a whole number of connections from 1 to 1000000 (default 10000)',
    }),
  /** How long a graceful stop may take before the process exits anyway (exit code 1). */
  TEXTPORT_SHUTDOWN_TIMEOUT_SECONDS: optional
    .transform((v) => (v === undefined ? 30 : /^[0-9]{1,4}$/.test(v) ? Number(v) : Number.NaN))
    .refine((v) => v >= 1 && v <= 3600, {
      message: 'must be a whole number of seconds from 1 to 3600 (default 30)',
    }),
});

export type StandaloneConfig = z.output<typeof envSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`textport cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * The gateway's retention setting from the environment: undefined when
 * `TEXTPORT_RETENTION=off`; the rest (batches, the hourly run, expired idempotency
 * records) takes core's defaults.
 */
export function retentionPolicyOf(config: StandaloneConfig): GatewayConfig['retention'] {
  if (!config.TEXTPORT_RETENTION) return undefined;
  return {
    messagesDays: config.TEXTPORT_RETENTION_MESSAGES_DAYS,
    heartbeatsDays: config.TEXTPORT_RETENTION_HEARTBEATS_DAYS,
    webhookOutboxDays: config.TEXTPORT_RETENTION_WEBHOOKS_DAYS,
  };
}

/** The gateway's Discord setting from the environment: undefined unless the bot and key are set. */
export function discordConfigOf(config: StandaloneConfig): GatewayConfig['discord'] {
  if (!config.TEXTPORT_DISCORD_BOT_TOKEN || !config.TEXTPORT_DISCORD_PUBLIC_KEY) return undefined;
  return {
    botToken: config.TEXTPORT_DISCORD_BOT_TOKEN,
    publicKey: config.TEXTPORT_DISCORD_PUBLIC_KEY,
    ...(config.TEXTPORT_DISCORD_APPLICATION_ID
      ? { applicationId: config.TEXTPORT_DISCORD_APPLICATION_ID }
      : {}),
    ...(config.TEXTPORT_DISCORD_API_URL ? { apiBaseUrl: config.TEXTPORT_DISCORD_API_URL } : {}),
  };
}

/** Checks across variables, run even when single variables are wrong, so all problems show at once. */
function crossChecks(env: NodeJS.ProcessEnv): string[] {
  const set = (name: string) => (env[name] ?? '').trim() !== '';
  const problems: string[] = [];
  if (set('TLS_CERT') !== set('TLS_KEY')) {
    const missing = set('TLS_CERT') ? 'TLS_KEY' : 'TLS_CERT';
    problems.push(
      `${missing}: TLS_CERT and TLS_KEY go together: set both (PEM file paths) or neither`,
    );
  }
  if (set('TEXTPORT_DISCORD_BOT_TOKEN') !== set('TEXTPORT_DISCORD_PUBLIC_KEY')) {
    const missing = set('TEXTPORT_DISCORD_BOT_TOKEN')
      ? 'TEXTPORT_DISCORD_PUBLIC_KEY'
      : 'TEXTPORT_DISCORD_BOT_TOKEN';
    problems.push(
      `${missing}: TEXTPORT_DISCORD_BOT_TOKEN and TEXTPORT_DISCORD_PUBLIC_KEY go together: set both (the Bot and General Information pages of your Discord application) or neither`,
    );
  }
  if (set('TEXTPORT_SMTP_URL') && !set('TEXTPORT_SMTP_FROM')) {
    problems.push(
      'TEXTPORT_SMTP_FROM: alerts by e-mail need a sender address, e.g. alerts@example.com',
    );
  }
  return problems;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): StandaloneConfig {
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map(
        (issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`,
      );
  problems.push(...crossChecks(env));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return parsed.data;
}
