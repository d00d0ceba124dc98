/**
 * Runs one `termux-*` command without a shell, with every resource bounded: its
 * output (bytes), its time, and its process group (a timed-out command is killed
 * with every child it started, so an orphaned `termux-api` cannot hold the pipes).
 */
import { spawn } from 'node:child_process';

export interface CommandOptions {
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Most bytes read from stdout and stderr together. */
  maxBytes: number;
  /** Written to stdin, which is then closed; without it stdin is empty. */
  input?: string;
}

export interface CommandResult {
  /** The exit status; null when a signal ended the command. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export type CommandFailure = 'not-found' | 'spawn' | 'timeout' | 'too-much-output';

/** The command could not run to its end (as opposed to running and failing). */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly failure: CommandFailure,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CommandError';
  }
}

export function runCommand(
  command: string,
  args: readonly string[],
  options: CommandOptions,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      // A group of its own, so a timeout kills what the command started too.
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let bytes = 0;
    let settled = false;

    const finish = (error: CommandError | undefined, result?: CommandResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else if (result) resolve(result);
    };
    const abort = (error: CommandError) => {
      killGroup(child.pid, () => child.kill('SIGKILL'));
      child.stdout?.destroy();
      child.stderr?.destroy();
      finish(error);
    };
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > options.maxBytes) {
        abort(
          new CommandError(
            `${command} printed more than ${options.maxBytes} bytes`,
            'too-much-output',
          ),
        );
      } else into.push(chunk);
    };

    const timer = setTimeout(() => {
      abort(
        new CommandError(
          `${command} did not finish within ${options.timeoutMs} ms (is the Termux:API app installed and allowed to run?)`,
          'timeout',
        ),
      );
    }, options.timeoutMs);

    child.stdout?.on('data', collect(stdout));
    child.stderr?.on('data', collect(stderr));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        finish(
          new CommandError(
            `${command} not found: install the termux-api package (pkg install termux-api)`,
            'not-found',
            { cause: error },
          ),
        );
      } else {
        abort(
          new CommandError(`${command} could not run: ${error.message}`, 'spawn', { cause: error }),
        );
      }
    });
    child.on('close', (code, signal) => {
      finish(undefined, {
        code,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    if (child.stdin) {
      // The command may exit without reading its input; that is its answer, not ours.
      child.stdin.on('error', () => {});
      child.stdin.end(options.input);
    }
  });
}

function killGroup(pid: number | undefined, fallback: () => void): void {
  if (pid === undefined) return;
  try {
    if (process.platform === 'win32') fallback();
    else process.kill(-pid, 'SIGKILL');
  } catch {
    fallback();
  }
}
