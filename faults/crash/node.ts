/**
 * One standalone server as a child process of the test: started on a fixed port
 * and database, killed with SIGKILL, restarted, stopped; with the fixed keys it
 * imports at start. An exit nobody asked for is recorded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sleep } from '../support.js';

/** The built server's command (`npx tsc --build` first). */
export const SERVER_CLI = fileURLToPath(
  new URL('../../packages/server/dist/cli.js', import.meta.url),
);

/** Fixed keys the standalone imports at start (TEXTPORT_API_KEY, TEXTPORT_PHONE_API_KEY). */
export const USER_KEY = 'uk_faultFaultFaultFault01';
export const PHONE_KEY = 'pk_faultFaultFaultFault01';

const children = new Set<ChildProcess>();
// Last resort against orphans when the test process ends without its afterAll.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export interface StandaloneOptions {
  name: string;
  port: number;
  databaseUrl: string;
  /** The child's working directory (a temp dir: the server may write `data/` there). */
  cwd: string;
  /** More environment for the server (e.g. LOG_LEVEL, TEXTPORT_DEMO_PHONE). */
  env?: NodeJS.ProcessEnv;
}

/**
 * One standalone server, as a child process. `start` spawns it; `kill` is
 * SIGKILL; an exit nobody asked for is recorded in `unexpectedExits`.
 */
export class StandaloneNode {
  readonly url: string;
  starts = 0;
  kills = 0;
  /** Exits that were not caused by `kill`/`stop` (with the output tail). */
  readonly unexpectedExits: string[] = [];
  /** Set once the node is stopped for good: senders stop using it. */
  dead = false;
  private child: ChildProcess | null = null;
  private healthy = deferred();
  private isHealthy = false;
  private readonly lines: string[] = [];
  /** Lines the server has printed in all (stdout and stderr, every start). */
  printed = 0;

  constructor(private readonly options: StandaloneOptions) {
    this.url = `http://127.0.0.1:${options.port}`;
  }

  get name(): string {
    return this.options.name;
  }

  get port(): number {
    return this.options.port;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.options.port}/v1/phones/ws`;
  }

  get up(): boolean {
    return this.isHealthy;
  }

  /** The running server's process id (undefined while it is down). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Resolves when the current (or next) instance answers `/health`. */
  whenHealthy(): Promise<void> {
    return this.healthy.promise;
  }

  /** The last lines the server printed (for failure reports; the last 400 are kept). */
  tail(n = 40): string {
    return this.lines.slice(-n).join('\n');
  }

  start(): void {
    if (this.child) throw new Error(`${this.name} is already running`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(this.options.port),
      HOST: '127.0.0.1',
      DATABASE_URL: this.options.databaseUrl,
      TEXTPORT_API_KEY: USER_KEY,
      TEXTPORT_PHONE_API_KEY: PHONE_KEY,
      TEXTPORT_DEMO_PHONE: 'off',
      ...this.options.env,
    };
    for (const name of [
      'TLS_CERT',
      'TLS_KEY',
      'TEXTPORT_FCM_CREDENTIALS',
      'TEXTPORT_FCM_ENDPOINT',
      'TEXTPORT_PUBLIC_URL',
    ]) {
      delete env[name];
    }
    const child = spawn(process.execPath, [SERVER_CLI, 'start'], {
      cwd: this.options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts += 1;
    children.add(child);
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() === '') continue;
        this.printed += 1;
        this.lines.push(`[${this.name}#${this.starts}] ${line}`);
      }
      if (this.lines.length > 400) this.lines.splice(0, this.lines.length - 400);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code, signal) => {
      children.delete(child);
      if (this.child !== child) return;
      // Nobody asked for this exit (kill() and stop() forget the child first).
      this.child = null;
      this.isHealthy = false;
      this.healthy = deferred();
      this.unexpectedExits.push(
        `${this.name} exited by itself (code ${code}, signal ${signal})\n${this.tail()}`,
      );
    });
    void this.watchHealth(child);
  }

  private async watchHealth(child: ChildProcess): Promise<void> {
    while (this.child === child) {
      try {
        const response = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2000) });
        await response.arrayBuffer();
        if (response.ok && this.child === child) {
          this.isHealthy = true;
          this.healthy.resolve();
          return;
        }
      } catch {
        // Not listening yet.
      }
      await sleep(25);
    }
  }

  /** Starts and waits for `/health`; throws when the server exits or never answers. */
  async startAndWait(timeoutMs = 60_000): Promise<void> {
    this.start();
    await this.waitUp(timeoutMs);
  }

  /** Waits for `/health`; throws when the server exits by itself or never answers. */
  async waitUp(timeoutMs = 60_000): Promise<void> {
    const exits = this.unexpectedExits.length;
    const deadline = Date.now() + timeoutMs;
    while (!this.isHealthy) {
      if (this.unexpectedExits.length > exits || !this.child) {
        throw new Error(
          this.unexpectedExits[this.unexpectedExits.length - 1] ?? `${this.name} is not running`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(`${this.name} did not answer /health in ${timeoutMs} ms\n${this.tail()}`);
      }
      await sleep(25);
    }
  }

  /** SIGKILL: no cleanup of any kind runs in the server. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    this.isHealthy = false;
    this.healthy = deferred();
    this.kills += 1;
    await this.signal(child, 'SIGKILL');
  }

  /** Graceful stop (SIGTERM), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    this.isHealthy = false;
    this.healthy = deferred();
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.signal(child, 'SIGTERM');
    clearTimeout(killer);
  }

  /** Stops for good (SIGKILL); `whenHealthy` never resolves again. */
  async killForGood(): Promise<void> {
    this.dead = true;
    await this.kill();
  }

  private async signal(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }
}
