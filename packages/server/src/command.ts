/** The `textport` command: `textport start` (the default) runs the gateway; the rest administer it. */
import { adminUsage, findAdminCommand, runAdmin, UsageError } from './admin.js';
import { runStart } from './start.js';

export const CLI_HELP = `Usage: textport [command] [options]

Commands:
${adminUsage(
  [['start', 'run the gateway (the default): HTTP API, phones, webhooks']],
  [['help', 'show this text']],
)}

--account defaults to the account the server made on its first start. Configuration is read
from environment variables (DATABASE_URL, PORT, HOST, TLS_CERT, TLS_KEY, TEXTPORT_*); see
docs/configuration.md.`;

/** Runs the command `argv` names; a mistyped command or option is a `UsageError`. */
export async function runCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<'start' | 'done'> {
  const [first = 'start', ...rest] = argv;
  if (first === 'start') {
    // `start` takes no options: its configuration is the environment.
    if (rest.length > 0) {
      throw new UsageError(
        `start takes no options (got "${rest.join(' ')}"): set PORT, HOST and the other variables of docs/configuration.md in the environment\n  usage: textport start`,
      );
    }
    await runStart(env);
    return 'start';
  }
  if (first === 'help' || first === '--help' || first === '-h') {
    console.log(CLI_HELP);
    return 'done';
  }
  const found = findAdminCommand(argv);
  if (!found) throw new UsageError(`unknown command "${argv.join(' ')}"\n\n${CLI_HELP}`);
  await runAdmin(found.name, found.rest, {
    env,
    out: (line) => console.log(line),
    terminal: process.stdout.isTTY === true,
  });
  return 'done';
}
