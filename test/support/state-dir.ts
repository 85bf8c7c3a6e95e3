import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest global setup: every test process (and every CLI or Claude Code process it starts, which
 * inherit the environment) keeps Orchestra's worktrees in one temp state directory, never in the
 * real ~/.local/state; removed when the suite ends.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'orchestra-state-'));
  const saved = process.env.ORCHESTRA_STATE_DIR;
  process.env.ORCHESTRA_STATE_DIR = dir;
  return () => {
    if (saved === undefined) delete process.env.ORCHESTRA_STATE_DIR;
    else process.env.ORCHESTRA_STATE_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  };
}
