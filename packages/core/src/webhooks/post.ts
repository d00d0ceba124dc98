/**
 * One webhook HTTP POST over keep-alive agents (lighter than fetch on the hot path).
 *
 * - A wall-clock deadline covers the whole attempt (lookup, connect, headers, body,
 *   redirects): when it passes the request is destroyed, however slowly bytes trickle.
 * - Redirects are followed only within the webhook URL's origin (scheme, host, port),
 *   at most 5 hops; a redirect elsewhere is not followed and ends the attempt with the
 *   3xx and its `location`, so the body, `Authorization` and signature headers never
 *   reach another origin.
 * - With `refusePrivateNetworks`, literal hosts are checked before each request and
 *   names through the connection's own `lookup` (see network.ts).
 */
import http from 'node:http';
import https from 'node:https';
import { guardedLookup, type Resolver, refusedLiteralHost } from './network.js';

export interface PostResult {
  status: number;
  statusText: string;
  retryAfter: string | null;
  /** The target of a redirect that was not followed (another origin, or too many hops). */
  location: string | null;
}

export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

export interface PosterOptions {
  maxSockets: number;
  /** Refuse receivers on private or local addresses. */
  refusePrivateNetworks?: boolean;
  /** Name resolution of guarded connections (tests inject one; default node:dns). */
  resolver?: Resolver;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_HOPS = 5;

/** The absolute URL of a `location` header; null when absent or not a URL. */
function redirectTarget(location: string | undefined, base: URL): URL | null {
  if (!location) return null;
  try {
    return new URL(location, base);
  } catch {
    return null;
  }
}

export function createPoster(options: PosterOptions) {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: options.maxSockets }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: options.maxSockets }),
  };
  const guard = options.refusePrivateNetworks === true;
  const lookup = guard ? guardedLookup(options.resolver) : undefined;

  const post = (
    url: string,
    headers: Record<string, string>,
    body: string,
    timeoutMs: number,
  ): Promise<PostResult> =>
    new Promise((resolve, reject) => {
      const payload = Buffer.from(body, 'utf8');
      const origin = new URL(url).origin;
      let current: http.ClientRequest | undefined;
      let settled = false;
      const settle = () => {
        if (settled) return false;
        settled = true;
        clearTimeout(deadline);
        return true;
      };
      const fail = (error: Error) => {
        if (!settle()) return;
        current?.destroy();
        reject(error);
      };
      const deadline = setTimeout(
        () => fail(new TimeoutError(`TIMEOUT after ${timeoutMs} ms`)),
        timeoutMs,
      );

      const send = (target: URL, hops: number) => {
        const refused = guard ? refusedLiteralHost(target) : null;
        if (refused) return fail(refused);
        const protocol = target.protocol === 'https:' ? 'https:' : 'http:';
        const request = protocol === 'https:' ? https.request : http.request;
        const req = request(
          target,
          {
            method: 'POST',
            agent: agents[protocol],
            headers: { ...headers, 'content-length': String(payload.length) },
            ...(lookup ? { lookup } : {}),
          },
          (res) => {
            res.on('error', fail);
            res.resume();
            res.on('end', () => {
              const status = res.statusCode ?? 0;
              const location = res.headers.location;
              const next = REDIRECTS.has(status) ? redirectTarget(location, target) : null;
              if (next && next.origin === origin && hops < MAX_HOPS) {
                send(next, hops + 1);
                return;
              }
              if (!settle()) return;
              const retryAfter = res.headers['retry-after'];
              resolve({
                status,
                statusText: res.statusMessage ?? '',
                retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
                location: next ? next.href : null,
              });
            });
          },
        );
        current = req;
        req.on('error', fail);
        req.end(payload);
      };
      send(new URL(url), 0);
    });

  return {
    post,
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
