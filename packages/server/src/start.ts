/** `textport start`: runs the gateway until SIGTERM or SIGINT. */
import { banner } from './banner.js';
import { readConfig } from './config.js';
import { startServer } from './server.js';

export async function runStart(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = readConfig(env);
  const running = await startServer(config);
  const database = config.DATABASE_URL.startsWith('sqlite:')
    ? config.DATABASE_URL
    : `${/^(mysql|mariadb):/.test(config.DATABASE_URL) ? 'MySQL/MariaDB' : 'PostgreSQL'} (${new URL(config.DATABASE_URL).host})`;
  for (const line of banner(config, running, database)) console.log(line);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping (in-flight work finishes first)…`);
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('textport did not stop cleanly:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
