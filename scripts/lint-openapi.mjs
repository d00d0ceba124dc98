// Lints the OpenAPI document served by @textport/http with Redocly's recommended
// rules (redocly.yaml): the built document is written to a temporary file and
// `redocly lint` reads it. Any error or warning fails the run.
// Run after `tsc --build packages/http`: `npm run lint:openapi`
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGateway, createMemoryStore, silentLogger } from '@textport/core';
import { createHttpApi } from '@textport/http';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
// With an admin key, so the operator's routes are linted too.
const api = createHttpApi(createGateway({ store: createMemoryStore(), logger: silentLogger }), {
  adminKey: 'lint-admin-key-lint-admin-key',
});

const dir = mkdtempSync(join(tmpdir(), 'textport-openapi-'));
try {
  const file = join(dir, 'openapi.json');
  writeFileSync(file, `${JSON.stringify(api.document(), null, 2)}\n`);
  const result = spawnSync(
    process.execPath,
    [cli, 'lint', file, '--config', join(root, 'redocly.yaml'), '--format', 'json'],
    {
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    },
  );
  if (result.error) throw result.error;
  let report;
  try {
    report = JSON.parse(result.stdout);
  } catch {
    process.stderr.write(result.stdout + result.stderr);
    throw new Error(`redocly lint gave no report (exit ${result.status})`);
  }
  for (const problem of report.problems) {
    const where = problem.location?.map((l) => l.pointer).join(', ') ?? '';
    console.log(`${problem.severity} ${problem.ruleId}: ${problem.message} (${where})`);
  }
  const { errors, warnings } = report.totals;
  const paths = Object.keys(api.document().paths).length;
  console.log(`OpenAPI document (${paths} paths): ${errors} errors, ${warnings} warnings`);
  if (errors > 0 || warnings > 0) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
