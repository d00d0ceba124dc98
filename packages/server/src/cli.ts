/** The `textport` command: `textport start` (the default) runs the gateway; `--help` lists the rest. */
import { ConfigError } from './config.js';
import { runStart } from './start.js';

export const CLI_HELP = `Usage: textport [command]

Commands:
  start        run the gateway (the default): HTTP API, phones, webhooks
  help         show this text

Configuration is read from environment variables (DATABASE_URL, PORT, HOST, TLS_CERT, TLS_KEY,
TEXTPORT_*); see docs/configuration.md.`;

type Command = (args: string[]) => Promise<void>;

const COMMANDS: Record<string, Command> = {
  start: () => runStart(),
  help: async () => console.log(CLI_HELP),
};

async function main(argv: string[]): Promise<void> {
  const [name = 'start', ...rest] = argv;
  const command = name === '--help' || name === '-h' ? COMMANDS.help : COMMANDS[name];
  if (!command) {
    console.error(`textport: unknown command "${name}"\n\n${CLI_HELP}`);
    process.exit(2);
  }
  await command(rest);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error('textport cannot start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
