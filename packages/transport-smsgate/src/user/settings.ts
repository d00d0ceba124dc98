/**
 * `GET`/`PUT`/`PATCH /settings`: the account's settings every device imports
 * (§2.8, §5.6). Keys are snake_case; the camelCase spellings client-ts sends
 * (`limitPeriod`, `sendIntervalMin`, …) are read as their snake_case twins.
 * Only the keys below are kept (so the stored document stays small); unknown
 * keys, `messages.processing_order` and every `gateway.*` key are dropped.
 * Secrets are never set here: a non-empty `encryption.passphrase`,
 * `webhooks.signing_key`, `gateway.cloud_url` or `gateway.private_token` is a 400
 * (textport gives each device its own signing key).
 */
import type { RequestContext } from '../http/io.js';
import { badRequest, readJson, sendJson } from '../http/io.js';
import type { SettingsDocument } from '../store/types.js';
import { objectBody } from './check.js';
import type { UserApiContext } from './types.js';

type Rule =
  | { kind: 'int'; min: number; nullable?: boolean }
  | { kind: 'bool' }
  | { kind: 'enum'; values: readonly string[] };

const INT_MAX = 2_147_483_647;

const RULES: Record<string, Record<string, Rule>> = {
  messages: {
    send_interval_min: { kind: 'int', min: 0 },
    send_interval_max: { kind: 'int', min: 0 },
    limit_period: {
      kind: 'enum',
      values: ['Disabled', 'PerMinute', 'Per30Minutes', 'PerHour', 'PerDay'],
    },
    limit_value: { kind: 'int', min: 0 },
    sim_selection_mode: { kind: 'enum', values: ['OSDefault', 'RoundRobin', 'Random'] },
    log_lifetime_days: { kind: 'int', min: 1 },
  },
  logs: { lifetime_days: { kind: 'int', min: 1 } },
  ping: { interval_seconds: { kind: 'int', min: 1, nullable: true } },
  webhooks: {
    internet_required: { kind: 'bool' },
    retry_count: { kind: 'int', min: 1 },
  },
};

/** Keys that must stay empty: secrets and the server address belong to the server. */
const REFUSED: Record<string, readonly string[]> = {
  encryption: ['passphrase'],
  webhooks: ['signing_key'],
  gateway: ['cloud_url', 'private_token'],
};

/** Whether `null` is a setting of its own (ping off) rather than "no value". */
function nullIsValue(section: string, key: string): boolean {
  const rule = RULES[section]?.[key];
  return rule?.kind === 'int' && rule.nullable === true;
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function checkValue(section: string, key: string, rule: Rule, value: unknown): void {
  const name = `${section}.${key}`;
  if (rule.kind === 'int') {
    if (
      typeof value !== 'number' ||
      !Number.isInteger(value) ||
      value < rule.min ||
      value > INT_MAX
    ) {
      throw badRequest(`${name} must be an integer of at least ${rule.min}`);
    }
  } else if (rule.kind === 'bool') {
    if (typeof value !== 'boolean') throw badRequest(`${name} must be a boolean`);
  } else if (typeof value !== 'string' || !rule.values.includes(value)) {
    throw badRequest(`${name} must be one of ${rule.values.join(', ')}`);
  }
}

/**
 * The accepted part of a settings body. A `null` value stays `null` in the result:
 * "no value" (PATCH removes the key), except where null is a value of its own
 * (`ping.interval_seconds`: off).
 */
export function parseSettings(raw: unknown): Record<string, Record<string, unknown>> {
  const body = objectBody(raw);
  const out: Record<string, Record<string, unknown>> = {};
  for (const [section, value] of Object.entries(body)) {
    const rules = RULES[section];
    const refused = REFUSED[section];
    if (!rules && !refused) continue;
    if (value === null) continue;
    const keys = objectBody(value, `settings section ${section}`);
    for (const [rawKey, v] of Object.entries(keys)) {
      const key = snake(rawKey);
      if (refused?.includes(key)) {
        if (v !== null && v !== undefined && v !== '') {
          throw badRequest(`${section}.${key} must not be set on this server`);
        }
        continue;
      }
      const rule = rules?.[key];
      if (!rule || v === undefined) continue;
      if (v !== null) checkValue(section, key, rule, v);
      const target = out[section] ?? {};
      target[key] = v;
      out[section] = target;
    }
  }
  return out;
}

function checkIntervals(doc: SettingsDocument): void {
  const min = doc.messages?.send_interval_min;
  const max = doc.messages?.send_interval_max;
  if (typeof min === 'number' && typeof max === 'number' && max < min) {
    throw badRequest('messages.send_interval_max must be at least messages.send_interval_min');
  }
}

/** Drops null keys (unless null is a value) and empty sections: the app crashes on those. */
function compact(doc: Record<string, Record<string, unknown>>): SettingsDocument {
  const out: SettingsDocument = {};
  for (const [section, keys] of Object.entries(doc)) {
    const kept = Object.entries(keys).filter(([k, v]) => v !== null || nullIsValue(section, k));
    if (kept.length > 0) out[section] = Object.fromEntries(kept);
  }
  return out;
}

/** What the user sees: only the known, non-secret keys. */
function visible(doc: SettingsDocument): SettingsDocument {
  const out: SettingsDocument = {};
  for (const [section, keys] of Object.entries(doc)) {
    const rules = RULES[section];
    if (!rules || keys === null || typeof keys !== 'object') continue;
    const kept = Object.entries(keys).filter(([k]) => rules[k] !== undefined);
    if (kept.length > 0) out[section] = Object.fromEntries(kept);
  }
  return out;
}

export async function getSettings(ctx: UserApiContext, accountId: string, rc: RequestContext) {
  sendJson(rc.res, 200, visible(await ctx.link.store.getSettings(accountId)));
}

export async function writeSettings(
  ctx: UserApiContext,
  accountId: string,
  rc: RequestContext,
  mode: 'replace' | 'merge',
) {
  const changes = parseSettings(await readJson(rc.req, ctx.maxBodyBytes));
  const store = ctx.link.store;
  let next: Record<string, Record<string, unknown>> = changes;
  if (mode === 'merge') {
    next = await store.getSettings(accountId);
    for (const [section, keys] of Object.entries(changes)) {
      const merged = { ...(next[section] ?? {}) };
      for (const [k, v] of Object.entries(keys)) {
        if (v === null && !nullIsValue(section, k)) delete merged[k];
        else merged[k] = v;
      }
      next[section] = merged;
    }
  }
  const doc = compact(next);
  checkIntervals(doc);
  await store.putSettings(accountId, doc);
  ctx.link.tell(accountId, null, 'SettingsUpdated');
  sendJson(rc.res, 200, visible(doc));
}
