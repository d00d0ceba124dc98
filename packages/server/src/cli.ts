/** The `textport` executable: runs the command, one line per error and an exit code. */
import { UsageError } from './admin.js';
import { runCommand } from './command.js';
import { ConfigError } from './config.js';

const argv = process.argv.slice(2);
const starting = (argv[0] ?? 'start') === 'start';

runCommand(argv).catch((error: unknown) => {
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
