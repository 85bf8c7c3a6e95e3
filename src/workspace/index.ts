export {
  LINK_MARKER,
  LOCKFILES,
  linkNodeModules,
  type PrepareSettings,
  type PreparedWorktree,
  prepareWorktree,
} from './prepare.js';
export { type CommandOptions, type CommandResult, type CommandRunner, runCommand } from './run-command.js';
