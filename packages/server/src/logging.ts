/**
 * The server's log: pino, JSON lines by default and pretty on a terminal, at `LOG_LEVEL`.
 * Warnings and errors that repeat (a database outage makes every loop fail every second)
 * are written once, then at most once per `quietMs` with the number left out.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Gateway, Logger } from '@textport/core';
import { type DestinationStream, type Logger as Pino, pino } from 'pino';
import { pinoHttp } from 'pino-http';
import pretty from 'pino-pretty';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogOptions {
  level: LogLevel;
  /** Human-readable lines instead of JSON (the default on a terminal). */
  pretty: boolean;
  /** Where lines go (stdout by default). */
  destination?: DestinationStream;
}

export function createLog(options: LogOptions): Pino {
  const stream =
    options.destination ??
    (options.pretty
      ? pretty({ colorize: true, sync: true, ignore: 'pid,hostname' })
      : pino.destination({ sync: true }));
  return pino({ level: options.level, base: { name: 'textport' } }, stream);
}

/** Distinct repeating messages remembered, at most (older ones are forgotten). */
const REMEMBERED = 500;

export interface QuietOptions {
  /** A message repeats at most once per this time (default a minute). */
  repeatMs?: number;
  /** Warnings and errors written in a burst, at most (default 6)… */
  burst?: number;
  /** …and one more per this time afterwards (default 15 s). */
  refillMs?: number;
  now?: () => number;
}

/**
 * A core `Logger` over pino whose warnings and errors cannot flood the log when
 * everything fails at once (a database outage fails every loop every second):
 * each message is written at most once per `repeatMs`, and all of them together
 * at most `burst` at once and one per `refillMs` after that. A written line says
 * how many of its kind were left out (`repeated`) and how many others
 * (`suppressed`). Debug and info lines are not limited.
 */
export function quietLogger(log: Pino, options: QuietOptions = {}): Logger {
  const { repeatMs = 60_000, burst = 6, refillMs = 15_000, now = Date.now } = options;
  const seen = new Map<string, { at: number; left: number }>();
  let tokens = burst;
  let filledAt = now();
  let suppressed = 0;
  const take = (t: number): boolean => {
    const earned = Math.floor((t - filledAt) / refillMs);
    if (earned > 0) {
      tokens = Math.min(burst, tokens + earned);
      filledAt = tokens === burst ? t : filledAt + earned * refillMs;
    }
    if (tokens === 0) return false;
    tokens -= 1;
    return true;
  };
  const limited =
    (level: 'warn' | 'error') =>
    (obj: unknown, msg?: string): void => {
      const key = `${level}:${msg ?? ''}`;
      const t = now();
      const last = seen.get(key);
      if ((last && t - last.at < repeatMs) || !take(t)) {
        if (last) last.left += 1;
        else suppressed += 1;
        return;
      }
      if (seen.size >= REMEMBERED && !last) seen.delete(seen.keys().next().value as string);
      seen.set(key, { at: t, left: 0 });
      const fields: Record<string, unknown> =
        typeof obj === 'object' && obj !== null ? { ...obj } : { detail: obj };
      if (last?.left) fields.repeated = last.left;
      if (suppressed > 0) fields.suppressed = suppressed;
      suppressed = 0;
      log[level](fields, msg);
    };
  return {
    debug: (obj, msg) => log.debug(obj, msg),
    info: (obj, msg) => log.info(obj, msg),
    warn: limited('warn'),
    error: limited('error'),
  };
}

/** Routes that probes and scrapers call every few seconds: logged at debug only. */
const PROBES = /^\/(health(\/live|\/ready)?|metrics)(\?|$)/;
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** Express/node middleware: a request id (`x-request-id`, kept when the caller sent a sane one) and one line per request. */
export function requestLog(log: Pino) {
  return pinoHttp({
    logger: log,
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    customLogLevel(req, res, err) {
      // A failing probe is what readiness is for; the cause is logged (rate-limited) once.
      if (PROBES.test(req.url ?? '')) return 'debug';
      return err || res.statusCode >= 500 ? 'error' : 'info';
    },
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url.split('?')[0],
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    // Keys never reach the log: no headers are serialised.
    quietReqLogger: true,
  });
}

/**
 * One line per message lifecycle step, hand-off and webhook attempt (ids and the numbers of
 * the account's phones, never text or contacts).
 */
export function logMessageEvents(gateway: Gateway, log: Logger): void {
  gateway.on('message.api.sent', (e) =>
    log.info(
      { messageId: e.data.message_id, account: e.accountId, owner: e.data.owner },
      'message accepted',
    ),
  );
  gateway.on('message.phone.sending', (e) =>
    log.debug({ messageId: e.data.id, owner: e.data.owner }, 'message sending on the phone'),
  );
  gateway.on('message.phone.sent', (e) =>
    log.info({ messageId: e.data.id, owner: e.data.owner }, 'message sent by the phone'),
  );
  gateway.on('message.phone.delivered', (e) =>
    log.info({ messageId: e.data.id, owner: e.data.owner }, 'message delivered'),
  );
  gateway.on('message.send.failed', (e) =>
    log.info(
      { messageId: e.data.id, owner: e.data.owner, reason: e.data.error_message },
      'message failed',
    ),
  );
  gateway.on('message.send.expired', (e) =>
    log.info(
      { messageId: e.data.message_id, owner: e.data.owner, final: e.data.is_final },
      'message expired',
    ),
  );
  gateway.on('message.phone.received', (e) =>
    log.info({ messageId: e.data.message_id, owner: e.data.owner }, 'message received'),
  );
  gateway.on('phone.heartbeat.offline', (e) =>
    log.info({ phoneId: e.data.phone_id, owner: e.data.owner }, 'phone offline'),
  );
  gateway.operations.on('dispatch.handoff', (e) => {
    const fields = { messageId: e.messageId, owner: e.owner, transport: e.transport };
    if (e.ok) log.debug({ ...fields, sinceRequestMs: e.sinceRequestMs }, 'message handed off');
    else log.warn({ ...fields, err: e.error, retryable: e.retryable }, 'hand-off failed');
  });
  gateway.operations.on('webhook.attempt', (e) => {
    const fields = {
      webhookId: e.webhookId,
      event: e.eventType,
      outcome: e.outcome,
      httpStatus: e.httpStatus,
      durationMs: e.durationMs,
    };
    if (e.outcome === 'delivered') log.debug(fields, 'webhook delivered');
    else log.warn({ ...fields, error: e.error }, 'webhook attempt failed');
  });
  gateway.on('phone.heartbeat.online', (e) =>
    log.info({ phoneId: e.data.phone_id, owner: e.data.owner }, 'phone online'),
  );
}
