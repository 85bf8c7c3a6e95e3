import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Absolute path of the built `orchestra` binary (run `npm run build` first; `npm test` does). */
export const ORCHESTRA_BIN = fileURLToPath(new URL('../../bin/orchestra.js', import.meta.url));

/** Result of running the built CLI. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the built CLI as a user would, with a pinned, colourless, fixed-width environment. */
export function runOrchestra(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): CliRun {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TZ: 'UTC', COLUMNS: '100', ...options.env };
  delete env.CLAUDECODE;
  const r = spawnSync(process.execPath, [ORCHESTRA_BIN, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env,
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** Run the built CLI without blocking the event loop (for tests that serve it, e.g. a model server). */
export function runOrchestraAsync(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TZ: 'UTC', COLUMNS: '100', ...options.env };
  delete env.CLAUDECODE;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ORCHESTRA_BIN, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
