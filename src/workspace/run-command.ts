import { spawn } from 'node:child_process';

/** How one command ended. */
export interface CommandResult {
  code: number;
  /** The last part of stdout and stderr together (enough to say why it failed). */
  output: string;
  ms: number;
  timedOut: boolean;
}

/** Options of one command. */
export interface CommandOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  now?: () => number;
}

/** Runs a command given as an argument array. The one door for commands Orchestra runs itself in a worktree. */
export type CommandRunner = (argv: readonly string[], options: CommandOptions) => Promise<CommandResult>;

const KEEP = 8_000;

/**
 * Run `argv` (never through a shell: no string is ever parsed as a command line) in `cwd` and
 * collect its output. A sandbox can wrap this one function to confine what the command writes.
 */
export const runCommand: CommandRunner = (argv, options) => {
  const now = options.now ?? Date.now;
  const started = now();
  const [file, ...args] = argv;
  if (!file) return Promise.resolve({ code: 1, output: 'empty command', ms: 0, timedOut: false });
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    const keep = (d: Buffer) => {
      output = (output + d.toString()).slice(-KEEP);
    };
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      resolve({ code: 127, output: `${file}: ${e.message}`, ms: now() - started, timedOut });
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? 1, output: output.trim(), ms: now() - started, timedOut });
    });
  });
};
