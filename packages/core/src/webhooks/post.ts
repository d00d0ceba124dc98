/** One HTTP POST with a timeout over keep-alive agents (lighter than fetch on the hot path). */
import http from 'node:http';
import https from 'node:https';

export interface PostResult {
  status: number;
  statusText: string;
  retryAfter: string | null;
}

export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

export function createPoster(maxSockets: number) {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets }),
    'https:': new https.Agent({ keepAlive: true, maxSockets }),
  };
  const post = (
    url: string,
    headers: Record<string, string>,
    body: string,
    timeoutMs: number,
    redirects = 5,
  ): Promise<PostResult> =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const protocol = target.protocol === 'https:' ? 'https:' : 'http:';
      const send = protocol === 'https:' ? https.request : http.request;
      const payload = Buffer.from(body, 'utf8');
      const req = send(
        target,
        {
          method: 'POST',
          agent: agents[protocol],
          headers: { ...headers, 'content-length': String(payload.length) },
          timeout: timeoutMs,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const location = res.headers.location;
            if ([301, 302, 303, 307, 308].includes(status) && location && redirects > 0) {
              const next = new URL(location, target).toString();
              post(next, headers, body, timeoutMs, redirects - 1).then(resolve, reject);
              return;
            }
            const retryAfter = res.headers['retry-after'];
            resolve({
              status,
              statusText: res.statusMessage ?? '',
              retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
            });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new TimeoutError(`TIMEOUT after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  return {
    post,
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
