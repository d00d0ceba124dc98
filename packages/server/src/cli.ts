/** The `textport` command: `textport start` (the default) runs the gateway; the rest administer it. */
import { adminUsage, findAdminCommand, runAdmin, UsageError } from './admin.js';
import { ConfigError } from './config.js';
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

let starting = false;

async function main(argv: string[]): Promise<void> {
  const [first = 'start'] = argv;
  if (first === 'start') {
    starting = true;
    return runStart();
  }
  if (first === 'help' || first === '--help' || first === '-h') {
    console.log(CLI_HELP);
    return;
  }
  const found = findAdminCommand(argv);
  if (!found) {
    console.error(`textport: unknown command "${argv.join(' ')}"\n\n${CLI_HELP}`);
    process.exit(2);
  }
  await runAdmin(found.name, found.rest, {
    env: process.env,
    out: (line) => console.log(line),
    terminal: process.stdout.isTTY === true,
  });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`textport: ${error.message}`);
    process.exit(2);
  }
  if (error instanceof ConfigError) console.error(error.message);
  else {
    const prefix = starting ? 'textport cannot start:' : 'textport:';
    console.error(prefix, error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
