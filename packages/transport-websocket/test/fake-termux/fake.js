/**
 * Stand-ins for the Termux:API commands, for the Termux driver's tests. Each
 * `termux-*` file here runs `run(name)`. They are driven by files in the
 * directory named by FAKE_TERMUX_DIR:
 * - `invocations.jsonl`: each call appends { name, args, input } (input: stdin, send only);
 * - `<name>.json`: { stdout?, stderr?, exit?, hang?, delayMs?, times? } overrides the
 *   command's answer (`times`: for that many calls, then the file is removed);
 *   `termux-sms-send` appends { name, done: true } when it answers;
 * - `inbox.json`, `call-log.json`: arrays, newest first, paged by `-l`/`-o` and
 *   printed oldest first within a page, as the real commands do;
 * - `battery.json`: the object `termux-battery-status` prints.
 */
const fs = require('node:fs');
const path = require('node:path');

function readJson(file, fallback) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT') return fallback;
    throw error;
  }
}

function options(args, spec) {
  const values = {};
  for (let i = 0; i < args.length; i++) {
    const flag = args[i].slice(1);
    if (!args[i].startsWith('-') || !spec.includes(flag)) {
      process.stdout.write(`illegal option ${args[i]}\n`);
      process.exit(1);
    }
    values[flag] = args[++i];
  }
  return values;
}

function page(list, args) {
  const limit = Number(args.l ?? 10);
  const offset = Number(args.o ?? 0);
  return list.slice(offset, offset + limit).reverse();
}

function answer(name, dir, args) {
  switch (name) {
    case 'termux-sms-list': {
      const opts = options(args, ['t', 'l', 'o']);
      if (opts.t !== 'inbox') return { stdout: 'only -t inbox is faked\n', exit: 1 };
      return {
        stdout: `${JSON.stringify(page(readJson(path.join(dir, 'inbox.json'), []), opts), null, 2)}\n`,
      };
    }
    case 'termux-call-log': {
      const opts = options(args, ['l', 'o']);
      return {
        stdout: `${JSON.stringify(page(readJson(path.join(dir, 'call-log.json'), []), opts), null, 2)}\n`,
      };
    }
    case 'termux-battery-status':
      return {
        stdout: `${JSON.stringify(readJson(path.join(dir, 'battery.json'), {}), null, 2)}\n`,
      };
    default:
      return {};
  }
}

function run(name) {
  const dir = process.env.FAKE_TERMUX_DIR;
  if (!dir) {
    process.stderr.write('FAKE_TERMUX_DIR is not set\n');
    process.exit(2);
  }
  const args = process.argv.slice(2);
  const input = name === 'termux-sms-send' ? fs.readFileSync(0, 'utf8') : undefined;
  fs.appendFileSync(
    path.join(dir, 'invocations.jsonl'),
    `${JSON.stringify({ name, args, input })}\n`,
  );

  const overrideFile = path.join(dir, `${name}.json`);
  const override = readJson(overrideFile, undefined);
  if (override && typeof override.times === 'number') {
    if (override.times <= 1) fs.rmSync(overrideFile);
    else fs.writeFileSync(overrideFile, JSON.stringify({ ...override, times: override.times - 1 }));
  }
  if (override?.hang) {
    setInterval(() => {}, 60_000);
    return;
  }
  const result =
    override?.stdout !== undefined || override?.stderr !== undefined || override?.exit !== undefined
      ? override
      : answer(name, dir, args);
  setTimeout(() => {
    if (name === 'termux-sms-send') {
      fs.appendFileSync(
        path.join(dir, 'invocations.jsonl'),
        `${JSON.stringify({ name, done: true })}\n`,
      );
    }
    if (result.stdout) process.stdout.write(result.stdout);
    if (result.stderr) process.stderr.write(result.stderr);
    process.exitCode = result.exit ?? 0;
  }, override?.delayMs ?? 0);
}

module.exports = { run };
