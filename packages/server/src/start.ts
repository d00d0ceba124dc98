/** `textport start`: runs the gateway until SIGTERM or SIGINT (see shutdown.ts). */
import { banner } from './banner.js';
import { readConfig } from './config.js';
import { startServer } from './server.js';
import { shutdownOnSignal } from './shutdown.js';

export async function runStart(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = readConfig(env);
  const running = await startServer(config);
  const database = config.DATABASE_URL.startsWith('sqlite:')
    ? config.DATABASE_URL
    : `${/^(mysql|mariadb):/.test(config.DATABASE_URL) ? 'MySQL/MariaDB' : 'PostgreSQL'} (${new URL(config.DATABASE_URL).host})`;
  for (const line of banner(config, running, database)) console.log(line);
  const stop = shutdownOnSignal({
    close: (step) => running.close(step),
    timeoutMs: config.TEXTPORT_SHUTDOWN_TIMEOUT_SECONDS * 1000,
    exit: (code) => process.exit(code),
  });
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
