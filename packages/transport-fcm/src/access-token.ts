/**
 * OAuth2 access tokens for FCM from a service account (the JWT-bearer grant): an
 * RS256 assertion signed with the account's key is exchanged at its `token_uri`.
 * The token is cached until shortly before it expires, and concurrent sends share
 * one request for it.
 */
import type { Clock } from '@textport/core';
import { TransportError } from '@textport/core/transport';
import { SignJWT } from 'jose';
import type { ServiceAccount } from './credentials.js';
import { parseRetryAfter } from './errors.js';
import { readBody } from './read-body.js';

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Lifetime of the signed assertion (Google accepts at most an hour). */
const ASSERTION_SECONDS = 3600;
/** A token is replaced this long before it expires (or at half its life, if shorter). */
const REFRESH_MARGIN_MS = 5 * 60_000;

interface TokenAnswer {
  access_token?: unknown;
  expires_in?: unknown;
  error?: unknown;
  error_description?: unknown;
}

export interface AccessTokenOptions {
  account: ServiceAccount;
  clock: Clock;
  fetch: typeof fetch;
  timeoutMs: number;
}

export class AccessTokenSource {
  private cached: { token: string; refreshAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(private readonly options: AccessTokenOptions) {}

  /** A valid access token: the cached one, or a fresh one (one request however many wait). */
  get(): Promise<string> {
    const cached = this.cached;
    if (cached && this.options.clock.now() < cached.refreshAt) return Promise.resolve(cached.token);
    this.pending ??= this.request().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Drops `token` (FCM refused it), so the next `get()` asks for a new one. */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  private async assertion(now: number): Promise<string> {
    const { account } = this.options;
    const iat = Math.floor(now / 1000);
    const header = { alg: 'RS256', typ: 'JWT' } as { alg: string; typ: string; kid?: string };
    if (account.privateKeyId) header.kid = account.privateKeyId;
    return new SignJWT({ scope: FCM_SCOPE })
      .setProtectedHeader(header)
      .setIssuer(account.clientEmail)
      .setAudience(account.tokenUri)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ASSERTION_SECONDS)
      .sign(account.privateKey);
  }

  private async request(): Promise<string> {
    const { account, clock } = this.options;
    const now = clock.now();
    const body = new URLSearchParams({
      grant_type: JWT_BEARER_GRANT,
      assertion: await this.assertion(now),
    });
    let response: Response;
    let text: string;
    try {
      response = await this.options.fetch(account.tokenUri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: body.toString(),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      text = await readBody(response);
    } catch (error) {
      throw this.failure(`the request failed (${describe(error)})`, undefined, error);
    }
    let answer: TokenAnswer = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null) answer = parsed as TokenAnswer;
    } catch {
      // Reported below as an answer without a token.
    }
    if (!response.ok || typeof answer.access_token !== 'string') {
      const reason = [answer.error, answer.error_description].filter((v) => typeof v === 'string');
      const detail = reason.length > 0 ? reason.join(': ') : text.trim().slice(0, 200);
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'), clock.now());
      throw this.failure(`HTTP ${response.status}${detail ? ` ${detail}` : ''}`, retryAfter);
    }
    const lifetimeMs = (typeof answer.expires_in === 'number' ? answer.expires_in : 3600) * 1000;
    const refreshIn = Math.max(lifetimeMs - REFRESH_MARGIN_MS, lifetimeMs / 2);
    this.cached = { token: answer.access_token, refreshAt: now + refreshIn };
    return answer.access_token;
  }

  /** Token-endpoint trouble is retryable: the message waits, it does not fail at once. */
  private failure(detail: string, retryAfterMs?: number, cause?: unknown): TransportError {
    const { account } = this.options;
    return new TransportError(
      `could not get an FCM access token for [${account.clientEmail}] from [${account.tokenUri}]: ${detail}`,
      { retryable: true, retryAfterMs, cause },
    );
  }
}

/** A readable reason for a network error (`fetch failed` hides the useful part in `cause`). */
export function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'timed out';
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  if (cause && typeof cause.message === 'string') {
    return typeof cause.code === 'string' ? `${cause.code}: ${cause.message}` : cause.message;
  }
  return error.message;
}
