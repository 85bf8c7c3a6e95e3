import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** No global or system git config: the tests see neither the machine's identity nor its settings. */
export const GIT_ENV: NodeJS.ProcessEnv = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };

/** Run git in a test repository with a test identity, returning trimmed stdout. */
export function gitIn(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...GIT_ENV },
  }).trim();
}

/** Write a file, creating its directory. */
export function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** A temp directory holding a repository `repo` with one commit, a staged change, an unstaged change and an untracked file. */
export function makeRepo(): { tmp: string; repo: string; cleanup: () => void } {
  const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'orchestra-wt-')));
  const repo = join(tmp, 'repo');
  mkdirSync(repo);
  gitIn(repo, 'init', '-q', '-b', 'main');
  write(join(repo, 'README.md'), '# demo\n');
  write(join(repo, '.gitignore'), '*.log\n');
  write(join(repo, 'src/a/x.ts'), 'export const x = 1;\n');
  write(join(repo, 'src/b/y.ts'), 'export const y = 2;\n');
  write(join(repo, 'src/b/z.ts'), 'export const z = 3;\n');
  gitIn(repo, 'add', '.');
  gitIn(repo, 'commit', '-qm', 'initial');
  write(join(repo, 'README.md'), '# demo\n\nuncommitted edit\n');
  write(join(repo, 'src/staged.ts'), 'export const staged = true;\n');
  gitIn(repo, 'add', 'src/staged.ts');
  write(join(repo, 'notes.txt'), 'untracked\n');
  return { tmp, repo, cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
}

/** Everything of the user's checkout a run must not change, branches of Orchestra's run aside. */
export function snapshot(repo: string, ignoreBranchPrefix = 'refs/heads/orchestra/') {
  return {
    head: gitIn(repo, 'rev-parse', 'HEAD'),
    symbolic: gitIn(repo, 'symbolic-ref', 'HEAD'),
    status: gitIn(repo, 'status', '--porcelain=v1', '--untracked-files=all'),
    index: gitIn(repo, 'ls-files', '--stage'),
    branches: gitIn(repo, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads')
      .split('\n')
      .filter((l) => !l.startsWith(ignoreBranchPrefix)),
    files: readTree(repo),
  };
}

function readTree(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === '.git' || e.name === '.orchestra') continue;
    const rel = prefix + e.name;
    if (e.isDirectory()) Object.assign(out, readTree(join(dir, e.name), `${rel}/`));
    else out[rel] = readFileSync(join(dir, e.name), 'utf8');
  }
  return out;
}

/** The branches of the repository. */
export function branches(repo: string): string[] {
  return gitIn(repo, 'for-each-ref', '--format=%(refname:short)', 'refs/heads').split('\n').filter(Boolean);
}

/** The worktree paths git knows. */
export function worktreePaths(repo: string): string[] {
  return gitIn(repo, 'worktree', 'list', '--porcelain')
    .split('\n')
    .filter((l) => l.startsWith('worktree '))
    .map((l) => l.slice('worktree '.length));
}

/** The project root: children run there so `--import tsx` resolves. */
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The file URL of a source module, for child scripts to import. */
export function sourceUrl(rel: string): string {
  return pathToFileURL(join(PROJECT_ROOT, rel)).href;
}

/** Start a node child running a TypeScript-capable ES module script written to `dir`. */
export function spawnScript(
  dir: string,
  name: string,
  code: string,
  args: string[] = [],
): ChildProcessWithoutNullStreams {
  const script = join(dir, `${name}.mts`);
  writeFileSync(script, code);
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...GIT_ENV },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Resolve when the child prints `line` on stdout; reject if it exits first. */
export function waitForLine(child: ChildProcessWithoutNullStreams, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (b) => {
      err += String(b);
    });
    child.stdout.on('data', (b) => {
      out += String(b);
      if (out.split('\n').includes(line)) resolve();
    });
    child.on('exit', (code, signal) =>
      reject(new Error(`child exited (${code ?? signal}) before "${line}": ${err}`)),
    );
  });
}

/** Resolve with the exit code and stderr of the child. */
export function exited(
  child: ChildProcessWithoutNullStreams,
): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve) => {
    let stderr = '';
    child.stderr.on('data', (b) => {
      stderr += String(b);
    });
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode, stderr });
    else child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}
