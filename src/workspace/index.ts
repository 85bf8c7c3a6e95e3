export {
  LINK_MARKER,
  LOCKFILES,
  linkNodeModules,
  type PreparedWorktree,
  type PrepareSettings,
  prepareWorktree,
} from './prepare.js';
export { type CommandOptions, type CommandResult, type CommandRunner, runCommand } from './run-command.js';
