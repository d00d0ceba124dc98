/** Options of the SMSGate transport, checked once at construction. */
import { GatewayError } from '@textport/core';
import { memoryStore } from './store/memory.js';
import type { SmsGateStore } from './store/types.js';

/** A server-wide registration secret, bound to an account and the numbers its devices send for. */
export interface PrivateTokenOption {
  token: string;
  accountId: string;
  /** `phoneNumbers[i]` is the device's SIM `simNumber` i + 1 (1–3 numbers). */
  phoneNumbers: string[];
}

export interface SmsGateTransportOptions {
  /** Devices, groups, webhook registrations, settings (default `memoryStore()`, one process). */
  store?: SmsGateStore;
  /** Where the app's API lives (default `/smsgate/mobile/v1`); the user types `<publicUrl><mobilePath>` in the app. */
  mobilePath?: string;
  /**
   * The base URL the phone reaches this server at (`https://sms.example.com`), used
   * for textport's inbound receiver `<publicUrl><mobilePath>/inbound`. Unset: taken
   * from the request's `Host` and protocol.
   */
  publicUrl?: string;
  /** The server's registration secret (the app's "private token"), or null for none. */
  privateToken?: PrivateTokenOption | null;
  /** Whether a phone API key (`pk_…`) may be used as the app's private token (default true). */
  phoneKeyRegistration?: boolean;
  /** The `login` answered at registration (default `'textport'`). */
  loginOf?: (accountId: string) => string;
  /** Keep-alive comment interval of event streams (default 15 s). */
  keepAliveMs?: number;
  /** Streams one device may hold; a newer one closes the oldest (default 4). */
  maxStreamsPerDevice?: number;
  /** Streams this process holds; beyond, `GET /events` answers 503 (default 10000). */
  maxStreams?: number;
  /**
   * Devices an account may have registered (default 100); beyond, `POST /device`
   * answers 429 until the user deletes some (`DELETE /3rdparty/v1/devices/{id}`).
   * Exact on one node; registrations arriving at once on several nodes may pass it
   * by one per other node.
   */
  maxDevicesPerAccount?: number;
  /** Heartbeat interval while a device holds a stream (default 5 minutes). */
  presenceIntervalMs?: number;
  /** Largest request body in bytes (default 256 KiB). */
  maxBodyBytes?: number;
  /** Messages one pull answers (default 100, the app's page). */
  pullLimit?: number;
  /** Bytes a stream may have waiting to be sent; beyond, events for it are dropped (default 64 KiB). */
  maxBufferedBytes?: number;
  /**
   * How often devices holding a stream are checked again (deleted, key revoked;
   * default 5 minutes): the safety net behind the key-change notices.
   */
  keyCheckIntervalMs?: number;
  /**
   * How often the event log other nodes write to is read without a signal
   * (default 5 s, at most 1 min): the safety net behind the 'transport' notifier topic.
   */
  eventPollMs?: number;
}

export interface ResolvedOptions {
  store: SmsGateStore;
  mobilePath: string;
  publicUrl: string | null;
  privateToken: PrivateTokenOption | null;
  phoneKeyRegistration: boolean;
  loginOf: (accountId: string) => string;
  keepAliveMs: number;
  maxStreamsPerDevice: number;
  maxStreams: number;
  maxDevicesPerAccount: number;
  presenceIntervalMs: number;
  maxBodyBytes: number;
  pullLimit: number;
  maxBufferedBytes: number;
  keyCheckIntervalMs: number;
  eventPollMs: number;
}

export const DEFAULT_SMSGATE_OPTIONS = Object.freeze({
  mobilePath: '/smsgate/mobile/v1',
  keepAliveMs: 15_000,
  maxStreamsPerDevice: 4,
  maxStreams: 10_000,
  maxDevicesPerAccount: 100,
  presenceIntervalMs: 5 * 60_000,
  maxBodyBytes: 256 * 1024,
  pullLimit: 100,
  maxBufferedBytes: 64 * 1024,
  keyCheckIntervalMs: 5 * 60_000,
  eventPollMs: 5_000,
});

type NumericOption = Exclude<keyof typeof DEFAULT_SMSGATE_OPTIONS, 'mobilePath'>;

const LIMITS: Record<NumericOption, [number, number]> = {
  keepAliveMs: [10, 3_600_000],
  maxStreamsPerDevice: [1, 64],
  maxStreams: [1, 1_000_000],
  maxDevicesPerAccount: [1, 1_000_000],
  presenceIntervalMs: [1000, 24 * 3_600_000],
  maxBodyBytes: [1024, 64 * 1_048_576],
  pullLimit: [1, 100],
  maxBufferedBytes: [0, 64 * 1_048_576],
  keyCheckIntervalMs: [10, 24 * 3_600_000],
  // Within the log's retention (5 min), so a node with no signals still reads every event.
  eventPollMs: [10, 60_000],
};

function checkPrivateToken(value: unknown, problems: string[]): PrivateTokenOption | null {
  if (value === undefined || value === null) return null;
  const v = value as Partial<PrivateTokenOption>;
  const ok =
    typeof v.token === 'string' &&
    v.token.length >= 8 &&
    typeof v.accountId === 'string' &&
    v.accountId !== '' &&
    Array.isArray(v.phoneNumbers) &&
    v.phoneNumbers.length >= 1 &&
    v.phoneNumbers.length <= 3 &&
    v.phoneNumbers.every((n) => typeof n === 'string' && n !== '');
  if (!ok) {
    problems.push(
      '  - privateToken: must be { token (at least 8 characters), accountId, phoneNumbers (1 to 3 numbers, SIM 1 first) }',
    );
    return null;
  }
  return {
    token: v.token as string,
    accountId: v.accountId as string,
    phoneNumbers: [...(v.phoneNumbers as string[])],
  };
}

export function resolveOptions(input: SmsGateTransportOptions = {}): ResolvedOptions {
  const problems: string[] = [];
  const resolved: ResolvedOptions = {
    ...DEFAULT_SMSGATE_OPTIONS,
    store: input.store ?? memoryStore(),
    publicUrl: null,
    privateToken: checkPrivateToken(input.privateToken, problems),
    phoneKeyRegistration: input.phoneKeyRegistration ?? true,
    loginOf: input.loginOf ?? (() => 'textport'),
  };
  if (input.mobilePath !== undefined) {
    const path = input.mobilePath;
    if (typeof path !== 'string' || !/^\/[^?#\s]*$/.test(path)) {
      problems.push('  - mobilePath: must be a path starting with "/", e.g. "/smsgate/mobile/v1"');
    } else resolved.mobilePath = path.replace(/\/+$/, '') || '/';
  }
  if (input.publicUrl !== undefined) {
    let url: URL | null = null;
    try {
      url = new URL(input.publicUrl);
    } catch {}
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      problems.push(
        '  - publicUrl: must be an absolute http(s) URL, e.g. "https://sms.example.com"',
      );
    } else resolved.publicUrl = input.publicUrl.replace(/\/+$/, '');
  }
  for (const [name, [min, max]] of Object.entries(LIMITS)) {
    const value = (input as Record<string, unknown>)[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problems.push(`  - ${name}: must be an integer from ${min} to ${max}`);
    } else (resolved as unknown as Record<string, unknown>)[name] = value;
  }
  if (input.loginOf !== undefined && typeof input.loginOf !== 'function') {
    problems.push('  - loginOf: must be a function (accountId) => login');
  }
  if (problems.length > 0) {
    throw new GatewayError('config', `Invalid SMSGate transport options:\n${problems.join('\n')}`);
  }
  return resolved;
}
