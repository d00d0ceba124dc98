/**
 * Route matching: literal paths (`/v1/messages/outstanding`) win over patterns
 * (`/v1/messages/{messageID}`); among patterns, a literal segment wins over a
 * parameter at the same position. A trailing slash is ignored.
 */
import type { Route } from './route.js';

interface Pattern {
  route: Route;
  /** A literal segment, or null for a parameter. */
  segments: (string | null)[];
  names: string[];
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

const PARAM = /^\{(\w+)\}$/;

/** `/v1/phones/` → `/v1/phones`; the root stays `/`. */
export function normalizePath(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function specificity(a: Pattern, b: Pattern): number {
  const length = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < length; i++) {
    const x = a.segments[i] === null ? 1 : 0;
    const y = b.segments[i] === null ? 1 : 0;
    if (x !== y) return x - y;
  }
  return 0;
}

export class RouteTable {
  private readonly literal = new Map<string, Route>();
  private readonly literalPaths = new Set<string>();
  private readonly patterns: Pattern[] = [];

  constructor(routes: readonly Route[]) {
    for (const route of routes) {
      const parts = route.path.split('/').slice(1);
      if (parts.every((p) => !PARAM.test(p))) {
        this.literal.set(`${route.method} ${route.path}`, route);
        this.literalPaths.add(route.path);
        continue;
      }
      const names: string[] = [];
      const segments = parts.map((p) => {
        const name = PARAM.exec(p)?.[1];
        if (name === undefined) return p;
        names.push(name);
        return null;
      });
      this.patterns.push({ route, segments, names });
    }
    this.patterns.sort(specificity);
  }

  match(method: string, path: string): RouteMatch | null {
    const literal = this.literal.get(`${method} ${path}`);
    if (literal) return { route: literal, params: {} };
    const parts = path.split('/').slice(1);
    for (const pattern of this.patterns) {
      if (pattern.route.method !== method) continue;
      const params = this.bind(pattern, parts);
      if (params) return { route: pattern.route, params };
    }
    return null;
  }

  /** Whether any route (of any method) serves `path`: CORS preflights are answered for those. */
  serves(path: string): boolean {
    if (this.literalPaths.has(path)) return true;
    const parts = path.split('/').slice(1);
    return this.patterns.some((p) => this.bind(p, parts) !== null);
  }

  private bind(pattern: Pattern, parts: string[]): Record<string, string> | null {
    if (parts.length !== pattern.segments.length) return null;
    const params: Record<string, string> = {};
    let n = 0;
    for (let i = 0; i < parts.length; i++) {
      const expected = pattern.segments[i];
      const actual = parts[i] ?? '';
      if (expected === null) {
        if (actual === '') return null;
        params[pattern.names[n++] ?? ''] = decode(actual);
      } else if (expected !== actual) {
        return null;
      }
    }
    return params;
  }
}
