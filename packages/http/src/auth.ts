/**
 * Who is calling (docs/http-api.md, Routes: the Auth column): the application's own auth hook first, then the
 * `x-api-key` header (`uk_…` user keys everywhere, `pk_…` phone keys only on the
 * phone routes), or a user key in the `?x-api-key=` query parameter, or, on the routes
 * that take one (3CX's), a user key as `Authorization: Bearer <key>`.
 *
 * Resolved keys are remembered for `authCacheMs` (default 5 s), so a busy client
 * does not cost a hash and a store query per request. Requests through this API
 * that change keys or their phones (rotation, key and phone deletion, unbinding,
 * the FCM-token login) forget the account's entries at once; a revocation made
 * elsewhere (another node, a direct gateway call) is announced on the notifier's
 * `keys` topic, and every entry is forgotten then. Unknown keys are never remembered, nor is
 * the answer of a check that was under way when entries were forgotten.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { CheckCache, type Gateway, type Principal } from '@textport/core';
import { headerValue, queryValues } from './decode.js';
import type { HostAuthenticate, HttpRequest } from './types.js';

export interface AuthOptions {
  /** The application's own auth; null or undefined falls back to API keys. */
  authenticate?: HostAuthenticate;
  /** How long a resolved API key is remembered, in ms (default 5000; 0 turns it off). */
  authCacheMs?: number;
}

export interface Authenticator {
  /** `bearer`: a user key may also come as `Authorization: Bearer <key>`. */
  principalOf(
    request: HttpRequest,
    routeAuth: 'user' | 'phone',
    bearer?: boolean,
  ): Promise<Principal | null>;
  /** Drops what is remembered about the account's keys. */
  forget(accountId: string): void;
  /**
   * Calls `listener` whenever keys may have stopped working: with the account id after
   * `forget`, with null when a revocation elsewhere cleared everything. Returns an unsubscribe.
   */
  onForget(listener: (accountId: string | null) => void): () => void;
}

export function createAuthenticator(gateway: Gateway, options: AuthOptions): Authenticator {
  const hook = options.authenticate;
  const cache = new CheckCache<Principal | null>({
    ttlMs: options.authCacheMs ?? 5000,
    clock: gateway.config.clock,
    // Unknown keys are never remembered.
    keep: (principal) => principal !== null,
  });
  const watchers = new Set<(accountId: string | null) => void>();
  const tell = (accountId: string | null) => {
    for (const watcher of watchers) watcher(accountId);
  };
  // A key revoked anywhere (another node too) stops working here at once.
  gateway.config.notifier.subscribe('keys', () => {
    cache.forget();
    tell(null);
  });

  const resolve = (key: string) => cache.get(key, () => gateway.accounts.authenticate(key));

  return {
    async principalOf(request, routeAuth, bearer = false) {
      if (hook) {
        const identity = await hook(request);
        if (identity) {
          return { accountId: identity.accountId, kind: 'host', keyId: null, phoneNumbers: null };
        }
      }
      let key = headerValue(request.headers, 'x-api-key');
      let fromQuery = false;
      if (!key && bearer) key = bearerUserKey(request);
      if (!key) {
        key = queryValues(request.query, 'x-api-key')[0];
        fromQuery = true;
      }
      if (!key || key === 'undefined') return null;
      if (key.startsWith('pk_') && (routeAuth !== 'phone' || fromQuery)) return null;
      return resolve(key);
    },
    forget(accountId) {
      cache.forget((principal) => principal?.accountId === accountId);
      tell(accountId);
    },
    onForget(listener) {
      watchers.add(listener);
      return () => watchers.delete(listener);
    },
  };
}

/** A user key sent as `Authorization: Bearer uk_…`; undefined otherwise. */
function bearerUserKey(request: HttpRequest): string | undefined {
  const header = headerValue(request.headers, 'authorization') ?? '';
  const match = /^Bearer\s+(uk_\S+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * Whether a request carries the admin key as `Authorization: Bearer <key>`, compared in
 * constant time (digests of both, so the length does not leak either).
 */
export function adminCheck(adminKey: string | undefined): (request: HttpRequest) => boolean {
  if (!adminKey) return () => false;
  const expected = createHash('sha256').update(adminKey).digest();
  return (request) => {
    const header = headerValue(request.headers, 'authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) return false;
    return timingSafeEqual(createHash('sha256').update(match[1]).digest(), expected);
  };
}
