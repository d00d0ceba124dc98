#!/usr/bin/env node
/**
 * `npm run test:packages`: what a user installs from npm, checked before it is published.
 *
 * 1. `npm pack` every package (each builds itself first) and checks the tarballs carry `dist`
 *    with types, a LICENSE, and no source maps or build info.
 * 2. For Express 4 and Express 5: a fresh app that installs only the tarballs and public
 *    packages, type-checks the README's "Embed in Express" recipe as ESM and as CommonJS
 *    (`skipLibCheck: false`), then runs both: the recipe, plus a phone and an SMS sent through
 *    its API, which must be delivered.
 * 3. `textport` from the packed `@textport/server` in an empty folder, plain and with TLS: it
 *    starts, prints its key, and the curl it prints delivers through the virtual phone.
 *
 * Installs skip install scripts; the one native module (better-sqlite3) is copied from this
 * checkout's build, the same major version.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'textport-pack-'));
const keep = process.env.PACK_CHECK_KEEP === '1';
const step = (text) => console.log(`\npack check: ${text}`);
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

function fail(text) {
  console.error(`pack check FAILED: ${text}`);
  process.exitCode = 1;
  throw new Error(text);
}

// 1. Pack.
const tarballs = join(work, 'tarballs');
mkdirSync(tarballs);
const packages = readdirSync(join(root, 'packages')).map((dir) => {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
  return { dir, name: manifest.name };
});
step(`packing ${packages.map((p) => p.name).join(', ')}`);
const packed = JSON.parse(
  run(
    'npm',
    [
      'pack',
      '--json',
      '--pack-destination',
      tarballs,
      ...packages.map((p) => `-w=packages/${p.dir}`),
    ],
    root,
  ),
);
const fileOf = {};
for (const entry of packed) {
  const files = entry.files.map((f) => f.path);
  const junk = files.filter(
    (f) => f.endsWith('.map') || f.includes('tsbuildinfo') || f.startsWith('src/'),
  );
  if (junk.length > 0) fail(`${entry.name} ships build junk: ${junk.slice(0, 5).join(', ')}`);
  if (!files.includes('LICENSE')) fail(`${entry.name} has no LICENSE`);
  if (!files.some((f) => f.startsWith('dist/') && f.endsWith('.d.ts')))
    fail(`${entry.name} has no types`);
  fileOf[entry.name] = join(tarballs, entry.filename);
  console.log(
    `  ${entry.filename}: ${entry.entryCount} files, ${(entry.size / 1024).toFixed(1)} kB`,
  );
}

/** A fresh app with the tarballs (every @textport package pinned to its tarball) and `deps`. */
function scratchApp(name, deps) {
  const dir = join(work, name);
  mkdirSync(dir);
  const ours = Object.fromEntries(Object.entries(fileOf).map(([n, f]) => [n, `file:${f}`]));
  const manifest = {
    name,
    version: '1.0.0',
    private: true,
    dependencies: { ...ours, ...deps },
    overrides: Object.fromEntries(Object.keys(ours).map((n) => [n, `$${n}`])),
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], dir);
  // The native SQLite module, built by this checkout's install.
  for (const mod of ['better-sqlite3', 'bindings', 'file-uri-to-path']) {
    rmSync(join(dir, 'node_modules', mod), { recursive: true, force: true });
    cpSync(join(root, 'node_modules', mod), join(dir, 'node_modules', mod), { recursive: true });
  }
  return dir;
}

// 2. The embed recipe in Express 4 and 5, ESM and CommonJS.
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const recipe = /<!-- embed:start -->\s*```ts\n([\s\S]*?)```\s*<!-- embed:end -->/.exec(readme)?.[1];
if (!recipe) fail('the README has no "Embed in Express" recipe between its embed markers');
const TAIL = readFileSync(join(root, 'scripts', 'pack-check-tail.txt'), 'utf8');
const importLine = /^import (.+) from '([^']+)';$/gm;
const imports = [...recipe.matchAll(importLine)].map((m) => m[0]);
const body = recipe.replace(importLine, '').trim();
const tailImports = "import { createVirtualPhone } from '@textport/transport-websocket/client';";
const esm = `${imports.join('\n')}\n${tailImports}\n\n${body}\n\n${TAIL}`;
const wrapped = `\nasync function main() {\n${body}\n\n${TAIL}\n}\nmain().catch((error) => {\n  console.error(error);\n  process.exit(1);\n});\n`;
const cts = `${imports.join('\n')}\n${tailImports}\n${wrapped}`;
const toRequire = (line) =>
  line
    .replace(/^import \{ (.+) \} from '([^']+)';$/, "const { $1 } = require('$2');")
    .replace(/^import (\w+) from '([^']+)';$/, "const $1 = require('$2');");
const cjs = `'use strict';\n${[...imports, tailImports].map(toRequire).join('\n')}\n${wrapped}`;
const tsconfig = {
  compilerOptions: {
    module: 'nodenext',
    target: 'es2022',
    strict: true,
    skipLibCheck: false,
    noEmit: true,
    types: ['node'],
  },
  files: ['recipe.mts', 'recipe.cts'],
};
const tsc = join(root, 'node_modules', '.bin', 'tsc');

/** Runs a file to its end (the tail exits 0 once the SMS is delivered). */
function runNode(dir, file, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], {
      cwd: dir,
      env: { ...process.env, PORT: '0', ...env },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0 && output.includes('EMBED DELIVERED')) resolve(output);
      else reject(new Error(`${file} in ${dir} exited ${code}:\n${output}`));
    });
  });
}

for (const major of [4, 5]) {
  step(`Express ${major}: installing the tarballs into a fresh app`);
  const dir = scratchApp(`express${major}`, {
    express: `^${major}.0.0`,
    '@types/express': `^${major}.0.0`,
    '@types/node': '^20.19.0',
    knex: '^3.3.0',
  });
  writeFileSync(join(dir, 'recipe.mts'), esm);
  writeFileSync(join(dir, 'recipe.cts'), cts);
  writeFileSync(join(dir, 'recipe.mjs'), esm);
  writeFileSync(join(dir, 'recipe.cjs'), cjs);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  step(`Express ${major}: type-checking the recipe as ESM and CommonJS (skipLibCheck: false)`);
  run(tsc, ['-p', 'tsconfig.json'], dir);
  for (const file of ['recipe.mjs', 'recipe.cjs']) {
    step(`Express ${major}: running ${file}`);
    rmSync(join(dir, 'textport.sqlite'), { force: true });
    const output = await runNode(dir, file);
    console.log(`  ${output.trim().split('\n').at(-1)}`);
  }
}

// 3. The server from its tarball, in an empty folder.
function startServerCli(dir, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(join(dir, 'node_modules', '.bin', 'textport'), [], {
      cwd: dir,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`textport printed no curl within 60 s:\n${output}`));
    }, 60_000);
    const seen = (d) => {
      output += d;
      const curl = /curl -s -X POST (\S+) -H "x-api-key: (uk_[\w-]+)"[^\n]*-d '([^']+)'/.exec(
        output,
      );
      if (curl) {
        clearTimeout(timer);
        resolve({ child, url: curl[1], key: curl[2], body: curl[3], output: () => output });
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('exit', (code) => reject(new Error(`textport exited ${code}:\n${output}`)));
  });
}

async function deliversThroughCurl(server, insecure) {
  const { url, key, body } = server;
  const args = ['-s', ...(insecure ? ['-k'] : []), '-X', 'POST', url, '-H', `x-api-key: ${key}`];
  const sent = JSON.parse(
    run('curl', [...args, '-H', 'content-type: application/json', '-d', body], work),
  );
  const id = sent?.data?.id;
  if (!id) fail(`the printed curl was refused: ${JSON.stringify(sent)}`);
  const get = url.replace('/v1/messages/send', `/v1/messages/${id}`);
  for (let i = 0; i < 100; i++) {
    const status = JSON.parse(
      run('curl', ['-s', ...(insecure ? ['-k'] : []), get, '-H', `x-api-key: ${key}`], work),
    )?.data?.status;
    if (status === 'delivered') return id;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  fail(`message ${id} was not delivered:\n${server.output()}`);
}

step('@textport/server: installing its tarball into an empty folder');
const serverDir = scratchApp('server', {});
const selfsigned = createRequire(join(root, 'packages', 'server', 'package.json'))('selfsigned');
const pems = await selfsigned.generate([{ name: 'commonName', value: 'sms.example.test' }], {
  extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'sms.example.test' }] }],
});
writeFileSync(join(serverDir, 'cert.pem'), pems.cert);
writeFileSync(join(serverDir, 'key.pem'), pems.private);
for (const tls of [false, true]) {
  step(`textport from the tarball${tls ? ' with TLS' : ''}: start, print a key, deliver its curl`);
  rmSync(join(serverDir, 'data'), { recursive: true, force: true });
  const server = await startServerCli(
    serverDir,
    tls ? { TLS_CERT: 'cert.pem', TLS_KEY: 'key.pem' } : {},
  );
  try {
    const id = await deliversThroughCurl(server, tls);
    console.log(`  ${server.url}: message ${id} delivered by the virtual phone`);
  } finally {
    server.child.kill('SIGTERM');
  }
}

if (!keep) rmSync(work, { recursive: true, force: true });
step('every package installs, type-checks and delivers');
