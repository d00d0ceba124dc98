/**
 * Vitest global setup of the projects that serve the dashboard: builds the app into `dist/app`
 * when it is missing or older than a file of `app/` (a fresh clone running one project, or an
 * edited page). `npm test`, `npm start` and `npm pack` build it through `npm run build:dashboard`.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

function newestIn(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const stat = statSync(full);
    newest = Math.max(newest, stat.isDirectory() ? newestIn(full) : stat.mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  let built = 0;
  try {
    built = statSync(join(packageDir, 'dist/app/index.html')).mtimeMs;
  } catch {
    built = 0;
  }
  const sources = Math.max(
    newestIn(join(packageDir, 'app')),
    statSync(join(packageDir, 'vite.config.ts')).mtimeMs,
  );
  if (built >= sources) return;
  execFileSync('npx', ['vite', 'build'], { cwd: packageDir, stdio: 'inherit' });
}
