/**
 * `dashboard({ apiBase })`: serves the prebuilt app (`dist/app`, built by `vite build`) as a
 * plain `(req, res, next?)` handler, so it mounts in Express, Connect, Fastify's middie or
 * `node:http` alike. Files are read once, at construction; only those files are served, so a
 * path can never reach outside the app folder.
 *
 * - `/assets/*` (hashed names): a year of immutable cache; an unknown asset is 404.
 * - Other files of the app folder (the favicon): served with a short cache.
 * - Any other GET or HEAD asking for HTML: `index.html`, not cached (the SPA's own routes).
 * - Anything else: `next()` when given, else 404.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DashboardOptions {
  /**
   * Where the textport HTTP API is mounted, as the browser sees it: `/sms` when the API is at
   * `https://host/sms/v1/...` ('' at the root, the default). A full URL works too.
   */
  apiBase?: string;
  /**
   * The path the dashboard is mounted at, for a host without Express's `req.baseUrl`
   * (`node:http`). Under Express it is read from the request.
   */
  basePath?: string;
  /** The folder of the built app (default: the one shipped in this package). */
  appDir?: string;
  /**
   * The `Content-Security-Policy` of the page (default: `dashboardCsp(apiBase)`: the page's own
   * scripts and styles only, requests to its own origin and the API's), or false for none.
   */
  contentSecurityPolicy?: string | false;
}

/** A request as Express or `node:http` hands it over (`baseUrl` and `originalUrl`: Express). */
export type DashboardRequest = IncomingMessage & { baseUrl?: string };
export type DashboardHandler = (
  req: DashboardRequest,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};
const IMMUTABLE = 'public, max-age=31536000, immutable';
const SHORT = 'public, max-age=300';

interface StaticFile {
  body: Buffer;
  type: string;
}

/** The folder `vite build` writes to: `dist/app` next to both `src/` and `dist/`. */
export function defaultAppDir(): string {
  return fileURLToPath(new URL('../dist/app/', import.meta.url));
}

function readTree(root: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const path = `/${relative(root, full).split(sep).join('/')}`;
        const type = CONTENT_TYPES[extname(name)] ?? 'application/octet-stream';
        files.set(path, { body: readFileSync(full), type });
      }
    }
  };
  walk(root);
  return files;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** index.html for one mount point: a `<base>` so relative assets and routes resolve, and the API base. */
function pageFor(template: string, mount: string, apiBase: string): Buffer {
  const head = `<base href="${escapeAttribute(`${mount}/`)}"><meta name="textport-api-base" content="${escapeAttribute(apiBase)}">`;
  return Buffer.from(template.replace('<head>', `<head>${head}`));
}

/** The origin of a full-URL API base, to allow the page's requests there; null for a path. */
function originOf(apiBase: string): string | null {
  try {
    return /^https?:\/\//i.test(apiBase) ? new URL(apiBase).origin : null;
  } catch {
    return null;
  }
}

/**
 * The page's default policy: no inline script or style, nothing from another origin but the API
 * (when `apiBase` is a full URL), no plugins, no framing by other origins.
 */
export function dashboardCsp(apiBase = ''): string {
  const api = originOf(apiBase);
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${api ? ` ${api}` : ''}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
  ].join('; ');
}

function acceptsHtml(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('text/html');
}

export function dashboard(options: DashboardOptions = {}): DashboardHandler {
  const root = options.appDir ?? defaultAppDir();
  let files: Map<string, StaticFile>;
  try {
    files = readTree(root);
  } catch (error) {
    throw new Error(
      `@textport/dashboard: the app is not built (${root}); run \`npm run build:dashboard\` in a checkout of textport`,
      { cause: error },
    );
  }
  const index = files.get('/index.html');
  if (!index) throw new Error(`@textport/dashboard: ${root} has no index.html`);
  const template = index.body.toString('utf8');
  const apiBase = (options.apiBase ?? '').replace(/\/+$/, '');
  const pages = new Map<string, Buffer>();
  const csp =
    options.contentSecurityPolicy === false
      ? null
      : (options.contentSecurityPolicy ?? dashboardCsp(apiBase));

  function send(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    type: string,
    cache: string,
    body: Buffer,
    extra: Readonly<Record<string, string>> = {},
  ) {
    res.writeHead(status, {
      'content-type': type,
      'content-length': String(body.length),
      'cache-control': cache,
      'x-content-type-options': 'nosniff',
      ...extra,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  return function serveDashboard(req, res, next) {
    const pass = () => {
      if (next) next();
      else send(req, res, 404, CONTENT_TYPES['.txt'] ?? '', 'no-cache', Buffer.from('Not Found'));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return pass();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    let path: string;
    try {
      path = decodeURIComponent(q < 0 ? url : url.slice(0, q));
    } catch {
      return pass();
    }
    if (path.startsWith('/assets/')) {
      const file = files.get(path);
      if (!file) {
        return send(
          req,
          res,
          404,
          CONTENT_TYPES['.txt'] ?? '',
          'no-cache',
          Buffer.from('Not Found'),
        );
      }
      return send(req, res, 200, file.type, IMMUTABLE, file.body);
    }
    const file = path === '/index.html' ? undefined : files.get(path);
    if (file) return send(req, res, 200, file.type, SHORT, file.body);
    if (!acceptsHtml(req)) return pass();
    const mount = (req.baseUrl ?? options.basePath ?? '').replace(/\/+$/, '');
    let page = pages.get(mount);
    if (!page) {
      page = pageFor(template, mount, apiBase);
      if (pages.size < 16) pages.set(mount, page);
    }
    const headers: Record<string, string> = { 'referrer-policy': 'no-referrer' };
    if (csp) headers['content-security-policy'] = csp;
    return send(req, res, 200, CONTENT_TYPES['.html'] ?? '', 'no-cache', page, headers);
  };
}
