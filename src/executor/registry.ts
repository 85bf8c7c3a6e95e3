/**
 * The worktree registry and its sweep, a second face of `executor/` without the Claude Code adapter:
 * `orchestra status`, `runs` and `clean` read or clean worktrees without loading the Agent SDK.
 * Everything here is also exported by `index.ts`.
 */
export { readRegistry, registryPath, updateRegistry } from './worktree-registry.js';
export {
  runState,
  type SweepReport,
  type SweepSettings,
  type SweptRun,
  sweepWorktrees,
} from './worktree-sweep.js';
