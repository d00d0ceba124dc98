#!/usr/bin/env node
/** `textport-phone`: see `phone-cli.ts` and `--help`. */
import { PHONE_CLI_HELP, runPhoneCli, UsageError } from './phone-cli.js';

try {
  const run = await runPhoneCli(process.argv.slice(2), {
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
  if (run) {
    const stop = () => void run.stop().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`textport-phone: ${error.message}\n\n${PHONE_CLI_HELP}`);
    process.exit(2);
  }
  process.stderr.write(`textport-phone: ${(error as Error).message}\n`);
  process.exit(1);
}
