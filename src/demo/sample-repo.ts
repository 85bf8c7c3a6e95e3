import { execFile } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { SAMPLE_DIR } from './paths.js';

const run = promisify(execFile);

/** The demo's temporary world: a git repository of the sample, and a home for Claude Code. */
export interface DemoRepo {
  /** The temporary directory holding everything below (removed by `remove`). */
  root: string;
  /** The sample's git repository, one commit on `main`. */
  repo: string;
  /** HOME of the agents: never the user's, so no user settings, agents or credentials leak in. */
  home: string;
  /** CLAUDE_CONFIG_DIR of the agents, inside `home`. */
  claudeConfigDir: string;
  /** Delete the whole temporary directory. */
  remove(): void;
}

/** Where and from what the repository is made. */
export interface DemoRepoSettings {
  /** Parent of the temporary directory (default: the OS temp dir). */
  tmpDir?: string;
  /** The sample to copy (default: the package's `demo/sample/`). */
  sampleDir?: string;
  /** The node_modules the sample's scripts resolve `typescript` from (default: Orchestra's own). */
  nodeModules?: string;
}

/** Identity of the sample's first commit, independent of the user's git configuration. */
const GIT_IDENTITY = ['-c', 'user.name=Orchestra Demo', '-c', 'user.email=demo@orchestra.invalid'];

/**
 * Copy the sample into a fresh temporary git repository. Its `node_modules` is a link to the one
 * `typescript` resolves from here (ignored by git), so the sample's test script and the validator's
 * integration checkout (which links the main checkout's node_modules) work offline.
 */
export async function createDemoRepo(settings: DemoRepoSettings = {}): Promise<DemoRepo> {
  const root = mkdtempSync(join(settings.tmpDir ?? tmpdir(), 'orchestra-demo-'));
  const remove = () => rmSync(root, { recursive: true, force: true });
  try {
    const repo = join(root, 'collab-editor');
    const home = join(root, 'home');
    const claudeConfigDir = join(home, '.claude');
    mkdirSync(claudeConfigDir, { recursive: true });
    cpSync(settings.sampleDir ?? SAMPLE_DIR, repo, { recursive: true });
    symlinkSync(settings.nodeModules ?? typescriptNodeModules(), join(repo, 'node_modules'), 'junction');
    // The user's global and system git configuration stay out (signing, hooks, templates).
    const env = {
      ...process.env,
      HOME: home,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: join(home, '.gitconfig'),
    };
    const git = (...args: string[]) => run('git', [...GIT_IDENTITY, ...args], { cwd: repo, env });
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('commit', '-q', '--no-verify', '-m', 'collab-editor: the skeleton');
    // The demo's worktrees live beside it in the temporary directory (removed with it), not in the
    // user's state directory; the config stays out of the sample's tree.
    writeFileSync(join(repo, 'orchestra.config.json'), '{ "stateDir": "../state" }\n');
    appendFileSync(join(repo, '.git', 'info', 'exclude'), '/orchestra.config.json\n');
    return { root, repo, home, claudeConfigDir, remove };
  } catch (e) {
    remove();
    throw e;
  }
}

/** The node_modules directory that holds the `typescript` package Orchestra itself uses. */
export function typescriptNodeModules(): string {
  const pkg = createRequire(import.meta.url).resolve('typescript/package.json');
  return dirname(dirname(pkg));
}
